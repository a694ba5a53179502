"""VERSION and version negotiation.

VERSION's answer (shape, list, echoed cniVersion), what VERSION needs (nothing
but CNI_COMMAND and, from 1.0.0, {cniVersion} on stdin), that every listed
version really works for ADD/CHECK/DEL, and that an unsupported cniVersion is
refused with code 1 without touching anything.
"""

from __future__ import annotations

import pytest

from cnitest import versions

from . import _protocol as p


def _version(cni, cni_version, **kwargs):
    return cni.invoke("VERSION", {"cniVersion": cni_version}, None, None, None, **kwargs)


@pytest.mark.cni_rule("version.result.shape")
def test_version_result_shape(cni, cni_version):
    inv = _version(cni, cni_version)
    assert inv.exit_code == 0, f"VERSION must exit 0 with a version object; it failed:\n{inv.describe()}"
    assert not inv.problems, f"VERSION must print exactly one JSON object:\n{inv.describe()}"
    doc = inv.document
    assert isinstance(doc, dict), f"VERSION must print a JSON object, got {type(doc).__name__}:\n{inv.describe()}"
    assert isinstance(doc.get("cniVersion"), str), f"the VERSION answer needs a string cniVersion:\n{inv.describe()}"
    assert isinstance(doc.get("supportedVersions"), list), f"the VERSION answer needs a list supportedVersions:\n{inv.describe()}"
    assert inv.valid, f"the VERSION answer does not have the spec's shape:\n{inv.describe()}"


@pytest.mark.cni_rule("version.result.supported-nonempty")
def test_version_lists_versions(cni, cni_version):
    inv = _version(cni, cni_version)
    assert inv.succeeded and inv.result is not None, f"VERSION must answer with a version object:\n{inv.describe()}"
    listed = inv.result.get("supportedVersions")
    assert isinstance(listed, list) and listed, f"supportedVersions must be a non-empty list, got {listed!r}:\n{inv.describe()}"
    bad = [v for v in listed if not (isinstance(v, str) and p.SEMVER.match(v))]
    assert not bad, f"every supportedVersions entry must be an X.Y.Z version string; these are not: {bad!r}\n{inv.describe()}"


@pytest.mark.cni_rule("version.result.cniversion-matches-input")
def test_version_echoes_requested_version(cni, cni_version, record_property):
    inv = _version(cni, cni_version)
    assert inv.succeeded and inv.result is not None, f"VERSION must answer with a version object:\n{inv.describe()}"
    answered = inv.result.get("cniVersion")
    if answered == cni_version:
        return
    listed = inv.result.get("supportedVersions") or []
    newest = p.highest(listed if isinstance(listed, list) else [])
    if newest is not None and cni_version != newest:
        # Go's skel answers its own library version whatever was asked (see the rule's notes):
        # only a request at the plugin's newest version can tell a departure from a bug.
        record_property("cni_known_departure", f"VERSION asked at {cni_version} answered cniVersion {answered!r} (Go skel)")
        return
    pytest.fail(
        f"the VERSION answer's cniVersion must be the one on stdin ({cni_version!r}, the plugin's newest listed version); "
        f"it answered {answered!r}:\n{inv.describe()}"
    )


@pytest.mark.cni_rule("version.env.command-only")
def test_version_needs_only_cni_command(cni, cni_version):
    inv = _version(cni, cni_version, env={"CNI_PATH": None})
    assert {k for k in inv.env if k.startswith("CNI_")} == {"CNI_COMMAND"}
    assert inv.succeeded, f"VERSION must succeed with CNI_COMMAND as the only CNI_* variable:\n{inv.describe()}"
    assert isinstance(inv.result, dict) and "supportedVersions" in inv.result, f"VERSION gave no version object:\n{inv.describe()}"


@pytest.mark.cni_rule("version.input.no-network-config")
def test_version_needs_no_network_config(cni, cni_version):
    # 1.0.0+: the input is {cniVersion} alone; before, VERSION had no input at all.
    stdin = {"cniVersion": cni_version} if versions.at_least(cni_version, "1.0.0") else b""
    inv = cni.invoke("VERSION", stdin, None, None, None)
    what = "a stdin holding only cniVersion" if stdin else "an empty stdin"
    assert inv.succeeded, f"VERSION must answer with {what} (no name, type or ipam):\n{inv.describe()}"
    assert isinstance(inv.result, dict) and "supportedVersions" in inv.result, f"VERSION gave no version object:\n{inv.describe()}"


@pytest.mark.cni_rule("version.input.none-legacy")
def test_version_ignores_stdin_before_1_0_0(cni, cni_version):
    """Before 1.0.0 VERSION has no input; the empty stdin is test_version_needs_no_network_config's."""
    inv = cni.invoke("VERSION", p.BAD_JSON, None, None, None)
    assert inv.succeeded, f"before 1.0.0 VERSION takes no parameters, so bytes on stdin that are not JSON should not stop it answering:\n{inv.describe()}"
    assert isinstance(inv.result, dict) and "supportedVersions" in inv.result, f"VERSION gave no version object:\n{inv.describe()}"


@pytest.mark.parametrize("stdin", [b"", p.BAD_JSON], ids=["empty", "not-json"])
@pytest.mark.cni_rule("version.input.malformed")
def test_version_malformed_input(cni, cni_version, stdin):
    """From 1.0.0 the input is {cniVersion}: other stdin may be refused, but an exit 0 is a VERSION answer."""
    inv = cni.invoke("VERSION", stdin, None, None, None)
    if inv.exit_code not in (0, None):
        return  # refusing input that is not the defined object is allowed
    doc = inv.document
    assert not inv.problems and isinstance(doc, dict) and isinstance(doc.get("cniVersion"), str) and isinstance(doc.get("supportedVersions"), list), (
        f"VERSION with {'an empty stdin' if not stdin else 'a stdin that is not JSON'} exited 0, so it must print a version object "
        f"(cniVersion, supportedVersions):\n{inv.describe()}")


@pytest.mark.cni_rule("version.input.unsupported-still-answers")
def test_version_answers_an_unsupported_request(cni, cni_version):
    inv = cni.invoke("VERSION", {"cniVersion": "9.9.9"}, None, None, None)
    assert inv.succeeded, f"VERSION asked at cniVersion 9.9.9 should still answer, so the runtime learns what is supported:\n{inv.describe()}"
    assert isinstance(inv.result, dict) and isinstance(inv.result.get("supportedVersions"), list), (
        f"VERSION asked at 9.9.9 gave no supportedVersions:\n{inv.describe()}"
    )


@pytest.mark.cni_rule("version.supported.honored")
def test_listed_version_works(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id):
    """No version VERSION lists (that cnitest knows) is refused as incompatible by ADD, CHECK (0.4.0+) or DEL.

    Other failures of those verbs are findings of their own rules, not of this one.
    """
    listed = p.supported_versions(cni)
    if cni_version not in listed:
        pytest.skip(f"not applicable: the plugin does not list {cni_version} (it lists {listed})")
    add = cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id)
    calls = [add]
    try:
        if add.succeeded and versions.has_check(cni_version):
            calls.append(cni.invoke("CHECK", p.del_config(netconf, add, cni_version), container_ns, cni_ifname, cni_container_id))
    finally:
        calls.append(p.cleanup(cni, netconf, add, container_ns, cni_ifname, cni_container_id, cni_version))
    refused = [inv for inv in calls if inv.error and inv.error.code == 1]
    assert not refused, f"VERSION lists {cni_version}, yet {refused[0].verb} at {cni_version} is refused as incompatible (code 1):\n{refused[0].describe()}"


def _bad_versions(cni):
    listed = p.supported_versions(cni)
    top = p.highest(listed)
    out = {"9.9.9": "9.9.9"}
    if top is not None:
        out["above-highest"] = p.just_above(top)
    return out, listed


def _expect_refused(inv, bad, listed, diff, after):
    assert inv.exit_code not in (0, None), f"cniVersion {bad} is not among the supported {listed}; the spec expects an error with code 1, but the call succeeded:\n{inv.describe()}"
    assert inv.failed_cleanly, f"the refusal of cniVersion {bad} must come with an error object on stdout:\n{inv.describe()}"
    assert inv.error.code == 1, f"an unsupported cniVersion ({bad}; supported {listed}) must be refused with code 1 (incompatible version), got {inv.error.code}:\n{inv.describe()}"
    assert not diff, f"the refused {inv.verb} at cniVersion {bad} changed state:\n{p.describe_changes(diff, after)}\n{inv.describe()}"


@pytest.mark.parametrize("which", ["9.9.9", "above-highest"])
@pytest.mark.cni_rule("error.code.incompatible-version")
def test_unsupported_version_add_refused(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, which):
    bad_versions, listed = _bad_versions(cni)
    if which not in bad_versions:
        pytest.skip("not applicable: VERSION lists no usable version to go above")
    bad = bad_versions[which]
    conf = {**netconf, "cniVersion": bad}
    before = p.state(host_ns, container_ns, conf, cni_container_id)
    add = cni.invoke("ADD", conf, container_ns, cni_ifname, cni_container_id)
    after = p.state(host_ns, container_ns, conf, cni_container_id)
    if add.exit_code == 0:
        p.cleanup(cni, conf, add, container_ns, cni_ifname, cni_container_id, cni_version)
    _expect_refused(add, bad, listed, p.changes(before, after), after)


@pytest.mark.parametrize("which", ["9.9.9", "above-highest"])
@pytest.mark.cni_rule("error.code.incompatible-version")
def test_unsupported_version_del_check_refused(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, which):
    """After a good ADD, CHECK (0.4.0+) and DEL at an unsupported version are refused and leave the attachment alone."""
    bad_versions, listed = _bad_versions(cni)
    if which not in bad_versions:
        pytest.skip("not applicable: VERSION lists no usable version to go above")
    bad = bad_versions[which]
    add = cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id)
    if not add.succeeded:
        pytest.skip(f"ADD at {cni_version} failed, so a later refusal cannot be checked (other suites report it):\n{add.describe()}")
    try:
        verbs = (["CHECK"] if versions.has_check(cni_version) else []) + ["DEL"]
        for verb in verbs:
            conf = {**p.del_config(netconf, add, cni_version), "cniVersion": bad}
            before = p.state(host_ns, container_ns, conf, cni_container_id)
            inv = cni.invoke(verb, conf, container_ns, cni_ifname, cni_container_id)
            after = p.state(host_ns, container_ns, conf, cni_container_id)
            _expect_refused(inv, bad, listed, p.changes(before, after), after)
    finally:
        p.cleanup(cni, netconf, add, container_ns, cni_ifname, cni_container_id, cni_version)
