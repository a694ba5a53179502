"""The CNI_* environment: required variables, container ids, interface names,
CNI_ARGS, CNI_PATH and CNI_COMMAND.

A call the plugin must refuse is always checked for leaving nothing behind: the
container and host namespaces (links, addresses, routes) and the IPAM dataDir.
CHECK and DEL are only ever called after an ADD of the same attachment, and each
test DELs what it added.
"""

from __future__ import annotations

import pytest

from cnitest import versions
from cnitest.attachment import BlockedBy, require

from . import _protocol as p

# Spec 1.0.0+ "Parameters" / per-verb "Required environment parameters".
REQUIRED = {
    "ADD": ("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"),
    "CHECK": ("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"),
    "DEL": ("CNI_CONTAINERID", "CNI_IFNAME"),
}
MISSING_CASES = [
    pytest.param(verb, var, how, id=f"{verb}-{var}-{how}")
    for verb, names in REQUIRED.items()
    for var in names
    for how in ("unset", "empty")
]
# The code checks try the empty case too: "invalid necessary environment variables" covers an empty
# one, and a plugin that tests only `key in environ` treats the two differently.


def _missing_call(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb, var, how):
    """Call `verb` with `var` unset or empty (after an ADD for CHECK/DEL) and return
    (invocation, changes to the state, state after)."""
    if verb == "CHECK" and not versions.has_check(cni_version):
        pytest.skip(f"not applicable: CHECK does not exist at {cni_version}")
    add = None
    if verb != "ADD":
        add = require(cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id), what=f"the ADD before {verb}")
    conf = p.del_config(netconf, add, cni_version)
    try:
        before = p.state(host_ns, container_ns, conf, cni_container_id)
        inv = cni.invoke(verb, conf, container_ns, cni_ifname, cni_container_id, env={var: None if how == "unset" else ""})
        after = p.state(host_ns, container_ns, conf, cni_container_id)
    finally:
        if add is not None:
            p.cleanup(cni, netconf, add, container_ns, cni_ifname, cni_container_id, cni_version)
    if verb == "ADD" and inv.exit_code == 0:
        p.cleanup(cni, netconf, inv, container_ns, cni_ifname, cni_container_id, cni_version)
    return inv, p.changes(before, after), after


@pytest.mark.parametrize(("verb", "var", "how"), MISSING_CASES)
@pytest.mark.cni_rule("env.required.missing-fails")
def test_required_variable_missing_fails(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb, var, how):
    inv, diff, after = _missing_call(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb, var, how)
    assert inv.exit_code not in (0, None), f"{verb} requires {var}; with it {how} the plugin must fail instead of guessing, but it succeeded:\n{inv.describe()}"
    assert not diff, f"{verb} with {var} {how} failed but changed state:\n{p.describe_changes(diff, after)}\n{inv.describe()}"


@pytest.mark.parametrize(("verb", "var", "how"), [c for c in MISSING_CASES if c.values[1] == "CNI_CONTAINERID"])
@pytest.mark.cni_rule("env.containerid.missing-fails")
def test_container_id_missing_fails_at_0_4_0(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb, var, how):
    """0.4.0 already requires the container id ('Must not be empty'); the other variables wait for 1.0.0."""
    inv, diff, after = _missing_call(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb, var, how)
    assert inv.exit_code not in (0, None), f"at 0.4.0 {verb} requires a non-empty container id; with {var} {how} it succeeded:\n{inv.describe()}"
    assert not diff, f"{verb} with {var} {how} failed but changed state:\n{p.describe_changes(diff, after)}\n{inv.describe()}"


@pytest.mark.parametrize(("verb", "var", "how"), MISSING_CASES)
@pytest.mark.cni_versions(min="1.0.0")
@pytest.mark.cni_rule("error.json.on-stdout")
def test_required_variable_missing_error_object(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb, var, how):
    """The refusal's error object is its own rule (SHOULD), not part of the MUST that the call fails."""
    inv, _, _ = _missing_call(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb, var, how)
    if inv.exit_code in (0, None):
        raise BlockedBy("env.required.missing-fails", f"{verb} with {var} {how} was not refused:\n{inv.describe()}")
    assert inv.failed_cleanly, f"{verb} with {var} {how} failed; the spec expects an error object on stdout:\n{inv.describe()}"


def _refusal(inv, must_fail_rule, what):
    """The refusal a code test reads. A call that succeeded is blocked by the rule that says it must
    fail; one that failed without an error object by error.json.on-stdout: no code to read either way."""
    if inv.exit_code in (0, None):
        raise BlockedBy(must_fail_rule, f"{what} was not refused, so there is no code to read:\n{inv.describe()}")
    if not inv.failed_cleanly:
        raise BlockedBy("error.json.on-stdout", f"{what} failed without an error object, so there is no code to read:\n{inv.describe()}")
    return inv


def _refused(inv, verb, var, how):
    return _refusal(inv, "env.required.missing-fails", f"{verb} with {var} {how}")


@pytest.mark.parametrize(("verb", "var", "how"), MISSING_CASES)
@pytest.mark.cni_rule("error.code.invalid-env")
def test_required_variable_missing_code_4(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb, var, how):
    inv, _, _ = _missing_call(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb, var, how)
    _refused(inv, verb, var, how)
    assert inv.error.code == 4, f"a missing or empty required variable ({var}, {verb}) should be reported with code 4, got {inv.error.code}:\n{inv.describe()}"


@pytest.mark.parametrize(("verb", "var", "how"), MISSING_CASES)
@pytest.mark.cni_rule("error.code.invalid-env-names-variable")
def test_code_4_names_the_variable(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb, var, how):
    inv, _, _ = _missing_call(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb, var, how)
    _refused(inv, verb, var, how)
    if inv.error.code != 4:
        pytest.skip(f"not applicable: the rule binds code-4 errors only; this refusal has code {inv.error.code}")
    text = f"{inv.error.msg} {inv.error.details}"
    assert p.mentions_variable(text, var), f"an error with code 4 must name the offending variable ({var}); msg/details say {text.strip()!r}:\n{inv.describe()}"


# --------------------------------------------------------------------------
# CNI_CONTAINERID charset (1.0.0+)
# --------------------------------------------------------------------------

VALID_IDS = {"hex64": "0123456789abcdef" * 4, "punctuated": "a.b_c-D9", "one-char": "7"}
INVALID_IDS = {"leading-dash": "-cnitest", "leading-underscore": "_cnitest", "space": "cni test", "slash": "cni/test", "semicolon": "cni;test"}


@pytest.mark.parametrize("label", list(VALID_IDS))
@pytest.mark.cni_rule("env.containerid.valid-accepted")
def test_container_id_charset_accepted(cni, netconf, container_ns, cni_version, cni_ifname, label):
    container_id = VALID_IDS[label]
    add = cni.invoke("ADD", netconf, container_ns, cni_ifname, container_id)
    rm = p.cleanup(cni, netconf, add, container_ns, cni_ifname, container_id, cni_version)
    assert add.succeeded, f"container id {container_id!r} is in the spec's charset ([A-Za-z0-9][A-Za-z0-9_.-]*) and should be accepted:\n{add.describe()}"
    assert rm.exit_code == 0 and not rm.problems, f"DEL of container id {container_id!r} failed:\n{rm.describe()}"


@pytest.mark.parametrize("label", list(INVALID_IDS))
@pytest.mark.cni_rule("env.containerid.invalid-rejected")
def test_container_id_outside_charset_refused_cleanly(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, label):
    container_id = INVALID_IDS[label]
    p.refused_cleanly_if_refused(cni, host_ns, netconf, container_ns, cni_ifname, container_id, cni_version,
                                 f"container id {container_id!r}", code=4)


# --------------------------------------------------------------------------
# CNI_IFNAME (interface plugins)
# --------------------------------------------------------------------------

BAD_IFNAMES = {
    "env.ifname.length": {"16-bytes": "a" * 16, "23-bytes": "cnitest-ifname-too-long"},
    "env.ifname.no-slash": {"slash": "eth/0"},
    "env.ifname.no-colon": {"colon": "eth:0"},
    "env.ifname.no-whitespace": {"space": "eth 0", "tab": "eth\t0", "newline": "eth\n0"},
    "env.ifname.not-dot": {"dot": ".", "dotdot": ".."},
}


def _names(rule_id):
    cases = BAD_IFNAMES[rule_id]
    return pytest.mark.parametrize("ifname", list(cases.values()), ids=list(cases))


def _bad_ifname(cni, netconf, container_ns, cni_version, cni_container_id, ifname):
    """ADD with an invalid CNI_IFNAME; an ADD that succeeded anyway is DELeted."""
    add = cni.invoke("ADD", netconf, container_ns, ifname, cni_container_id)
    container = container_ns.snapshot().describe()
    if add.exit_code == 0:
        p.cleanup(cni, netconf, add, container_ns, ifname, cni_container_id, cni_version)
    return add, container


def _bad_ifname_fails(cni, netconf, container_ns, cni_version, cni_container_id, ifname, what):
    """The env.ifname.* rules ask for the failure only: the error object is error.json.on-stdout's
    (test_bad_ifname_error_object), and the spec has the runtime DEL after a failed ADD."""
    add, container = _bad_ifname(cni, netconf, container_ns, cni_version, cni_container_id, ifname)
    assert add.exit_code not in (0, None), (
        f"CNI_IFNAME {ifname!r} ({what}) is not a valid Linux interface name; ADD must fail, but it succeeded:\n{add.describe()}\ncontainer:\n{container}"
    )


@_names("env.ifname.length")
@pytest.mark.cni_rule("env.ifname.length")
def test_ifname_too_long_refused(cni, netconf, container_ns, cni_version, cni_container_id, ifname):
    _bad_ifname_fails(cni, netconf, container_ns, cni_version, cni_container_id, ifname, f"{len(ifname)} bytes, the limit is 15")


@_names("env.ifname.no-slash")
@pytest.mark.cni_rule("env.ifname.no-slash")
def test_ifname_slash_refused(cni, netconf, container_ns, cni_version, cni_container_id, ifname):
    _bad_ifname_fails(cni, netconf, container_ns, cni_version, cni_container_id, ifname, "contains '/'")


@_names("env.ifname.no-colon")
@pytest.mark.cni_rule("env.ifname.no-colon")
def test_ifname_colon_refused(cni, netconf, container_ns, cni_version, cni_container_id, ifname):
    _bad_ifname_fails(cni, netconf, container_ns, cni_version, cni_container_id, ifname, "contains ':'")


@_names("env.ifname.no-whitespace")
@pytest.mark.cni_rule("env.ifname.no-whitespace")
def test_ifname_whitespace_refused(cni, netconf, container_ns, cni_version, cni_container_id, ifname):
    _bad_ifname_fails(cni, netconf, container_ns, cni_version, cni_container_id, ifname, "contains whitespace")


@_names("env.ifname.not-dot")
@pytest.mark.cni_rule("env.ifname.not-dot")
def test_ifname_dot_refused(cni, netconf, container_ns, cni_version, cni_container_id, ifname):
    _bad_ifname_fails(cni, netconf, container_ns, cni_version, cni_container_id, ifname, "'.' and '..' are reserved")


@pytest.mark.parametrize(("rule_id", "ifname"), [pytest.param(rule_id, name, id=label)
                                                  for rule_id, cases in BAD_IFNAMES.items() for label, name in cases.items()])
@pytest.mark.cni_kinds("interface")
@pytest.mark.cni_versions(min="1.0.0")
@pytest.mark.cni_rule("error.json.on-stdout")
def test_bad_ifname_error_object(cni, netconf, container_ns, cni_version, cni_container_id, rule_id, ifname):
    """The refusal of an invalid CNI_IFNAME carries an error object (its own rule, SHOULD)."""
    add, _ = _bad_ifname(cni, netconf, container_ns, cni_version, cni_container_id, ifname)
    if add.exit_code in (0, None):
        raise BlockedBy(rule_id, f"ADD with CNI_IFNAME {ifname!r} was not refused:\n{add.describe()}")
    assert add.failed_cleanly, f"ADD with CNI_IFNAME {ifname!r} failed; the spec expects an error object on stdout:\n{add.describe()}"


def _add_with_ifname(cni, netconf, container_ns, cni_version, cni_container_id, cni_ifname, ifname, why):
    if cni_ifname == "lo":
        pytest.skip("not applicable: this plugin configures the loopback device, whose name is fixed (always called with CNI_IFNAME=lo)")
    add = cni.invoke("ADD", netconf, container_ns, ifname, cni_container_id)
    try:
        assert add.succeeded, f"ADD with CNI_IFNAME {ifname!r} ({why}) should succeed:\n{add.describe()}"
        snap = container_ns.snapshot()
        assert snap.link(ifname) is not None, (
            f"the container interface must be named exactly CNI_IFNAME {ifname!r}; the container holds:\n{snap.describe()}\n{add.describe()}"
        )
        named = [i.get("name") for i in (add.result or {}).get("interfaces") or [] if isinstance(i, dict) and i.get("sandbox")]
        assert not named or ifname in named, f"the result names the container interface {named}, not CNI_IFNAME {ifname!r}:\n{add.describe()}"
    finally:
        p.cleanup(cni, netconf, add, container_ns, ifname, cni_container_id, cni_version)


@pytest.mark.cni_rule("env.ifname.length-boundary")
def test_ifname_15_bytes_accepted(cni, netconf, container_ns, cni_version, cni_container_id, cni_ifname):
    _add_with_ifname(cni, netconf, container_ns, cni_version, cni_container_id, cni_ifname, "cnitest15bytes0", "15 bytes, the longest valid name")


@pytest.mark.cni_rule("env.ifname.honored")
def test_ifname_honored(cni, netconf, container_ns, cni_version, cni_container_id, cni_ifname):
    _add_with_ifname(cni, netconf, container_ns, cni_version, cni_container_id, cni_ifname, "cninet7", "not the default eth0")


# --------------------------------------------------------------------------
# CNI_ARGS, CNI_PATH, CNI_COMMAND
# --------------------------------------------------------------------------


def _lifecycle_with(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, what, **kwargs):
    """ADD, CHECK (0.4.0+), DEL with the same extra arguments; all must succeed."""
    add = cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id, **kwargs)
    try:
        assert add.succeeded, f"ADD with {what} should succeed:\n{add.describe()}"
        if versions.has_check(cni_version):
            chk = cni.invoke("CHECK", p.del_config(netconf, add, cni_version), container_ns, cni_ifname, cni_container_id, **kwargs)
            assert chk.exit_code == 0 and not chk.problems, f"CHECK with {what} should succeed:\n{chk.describe()}"
    finally:
        rm = p.cleanup(cni, netconf, add, container_ns, cni_ifname, cni_container_id, cni_version, **kwargs)
    assert rm.exit_code == 0 and not rm.problems, f"DEL with {what} should succeed:\n{rm.describe()}"


@pytest.mark.parametrize("cni_args", ["IgnoreUnknown=1", "IgnoreUnknown=1;K8S_POD_NAMESPACE=cnitest;K8S_POD_NAME=pod0"])
@pytest.mark.cni_rule("env.args.well-formed-accepted")
def test_well_formed_cni_args_accepted(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, cni_args):
    _lifecycle_with(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, f"CNI_ARGS={cni_args!r}", cni_args=cni_args)


@pytest.mark.parametrize("cni_args", ["IgnoreUnknown=true;CnitestUnknownKey=cnitest", "CnitestOne=1;IgnoreUnknown=1;CnitestTwo=two"])
@pytest.mark.cni_rule("env.args.ignore-unknown")
def test_ignore_unknown_cni_args(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, cni_args):
    _lifecycle_with(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id,
                    f"CNI_ARGS={cni_args!r} (IgnoreUnknown set, so unknown keys are to be ignored)", cni_args=cni_args)


@pytest.mark.parametrize("how", ["unset", "empty"])
@pytest.mark.cni_rule("env.path.optional")
def test_without_cni_path(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, how):
    before = p.state(host_ns, container_ns, netconf, cni_container_id)
    add = cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id, env={"CNI_PATH": None if how == "unset" else ""})
    if add.exit_code == 0:
        rm = p.cleanup(cni, netconf, add, container_ns, cni_ifname, cni_container_id, cni_version)
        assert add.succeeded, f"ADD with CNI_PATH {how} succeeded but its output is not well-formed:\n{add.describe()}"
        assert rm.exit_code == 0, f"DEL after an ADD with CNI_PATH {how} failed:\n{rm.describe()}"
        return
    after = p.state(host_ns, container_ns, netconf, cni_container_id)
    assert add.failed_cleanly, f"a plugin that cannot work without CNI_PATH (optional for ADD; here {how}) must fail cleanly, with an error object:\n{add.describe()}"
    diff = p.changes(before, after)
    assert not diff, f"ADD with CNI_PATH {how} failed but changed state:\n{p.describe_changes(diff, after)}\n{add.describe()}"


# CNI_COMMAND values that name no operation: how each case is passed (None: the variable unset).
BAD_COMMANDS = {"BOGUS": "BOGUS", "lower-case": "add", "trailing-space": "ADD ", "empty": "", "unset": None}


def _bad_command(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, label):
    """ADD's call with CNI_COMMAND replaced (or removed); an ADD it performed anyway is DELeted."""
    command = BAD_COMMANDS[label]
    inv = cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id, env={"CNI_COMMAND": command})
    if inv.exit_code == 0:
        p.cleanup(cni, netconf, inv, container_ns, cni_ifname, cni_container_id, cni_version)
    return inv, ("CNI_COMMAND unset" if command is None else f"CNI_COMMAND={command!r}")


@pytest.mark.parametrize("label", list(BAD_COMMANDS))
@pytest.mark.cni_rule("env.command.unknown-fails")
def test_unknown_command_fails(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, label):
    """Only the failure is this rule's; the error object is error.json.on-stdout's (below)."""
    inv, what = _bad_command(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, label)
    assert inv.exit_code not in (0, None), f"{what} names no CNI operation; the plugin must fail, but it exited 0:\n{inv.describe()}"


@pytest.mark.parametrize("label", list(BAD_COMMANDS))
@pytest.mark.cni_versions(min="1.0.0")
@pytest.mark.cni_rule("error.json.on-stdout")
def test_unknown_command_error_object(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, label):
    inv, what = _bad_command(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, label)
    if inv.exit_code in (0, None):
        raise BlockedBy("env.command.unknown-fails", f"{what} was not refused:\n{inv.describe()}")
    assert inv.failed_cleanly, f"{what} failed; the spec expects an error object on stdout:\n{inv.describe()}"


@pytest.mark.parametrize("label", list(BAD_COMMANDS))
@pytest.mark.cni_rule("error.code.invalid-env")
def test_unknown_command_code_4(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, label):
    inv, what = _bad_command(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, label)
    _refusal(inv, "env.command.unknown-fails", what)
    assert inv.error.code == 4, f"from 1.0.0 a CNI_COMMAND that names no operation is an invalid environment variable ({what}): code 4 expected, got {inv.error.code}:\n{inv.describe()}"


@pytest.mark.parametrize("label", list(BAD_COMMANDS))
@pytest.mark.cni_rule("error.code.invalid-env-names-variable")
def test_unknown_command_code_4_names_it(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, label):
    inv, what = _bad_command(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, label)
    _refusal(inv, "env.command.unknown-fails", what)
    if inv.error.code != 4:
        pytest.skip(f"not applicable: the rule binds code-4 errors only; this refusal has code {inv.error.code}")
    text = f"{inv.error.msg} {inv.error.details}"
    assert p.mentions_variable(text, "CNI_COMMAND"), f"an error with code 4 must name the offending variable (CNI_COMMAND; {what}); msg/details say {text.strip()!r}:\n{inv.describe()}"
