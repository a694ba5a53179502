"""Network configuration keys a plugin must check or must tolerate: cniVersion, name, args, cni.dev/*."""

from __future__ import annotations

import pytest

from cnitest import versions
from cnitest.attachment import require

from . import _protocol as p


@pytest.mark.parametrize("verb", ["ADD"])
@pytest.mark.cni_rule("config.name.required")
def test_name_required(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb):
    _name_missing(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb)


@pytest.mark.cni_rule("config.name.checked-on-del")
def test_name_missing_on_del(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id):
    """A plugin may check the name on DEL (or not); a refusal must be clean and leave the attachment."""
    _name_missing(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, "DEL")


def _name_missing(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, verb):
    conf = {k: v for k, v in netconf.items() if k != "name"}
    add = None
    if verb == "DEL":  # a DEL without a name, after a good ADD, must not tear the attachment down
        add = require(cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id), what="the ADD before DEL")
        conf = {k: v for k, v in p.del_config(netconf, add, cni_version).items() if k != "name"}
    try:
        before = p.state(host_ns, container_ns, netconf, cni_container_id)
        inv = cni.invoke(verb, conf, container_ns, cni_ifname, cni_container_id)
        after = p.state(host_ns, container_ns, netconf, cni_container_id)
    finally:
        if add is not None:
            p.cleanup(cni, netconf, add, container_ns, cni_ifname, cni_container_id, cni_version)
    if verb == "ADD" and inv.exit_code == 0:
        p.cleanup(cni, conf, inv, container_ns, cni_ifname, cni_container_id, cni_version)
    if verb == "DEL" and inv.exit_code == 0:
        return  # DEL may go ahead without a name
    assert inv.exit_code not in (0, None), f"name is a required configuration key; {verb} without it should be refused, but it succeeded:\n{inv.describe()}"
    assert inv.failed_cleanly, f"{verb} of a config without name should fail with an error object:\n{inv.describe()}"
    diff = p.changes(before, after)
    assert not diff, f"the refused {verb} (config without name) changed state:\n{p.describe_changes(diff, after)}\n{inv.describe()}"


# cniVersion as a configuration may carry it wrongly: absent, or not a version string.
BAD_CNI_VERSIONS = {"missing": None, "not-semver": "abc", "number": 1}


@pytest.mark.parametrize("label", list(BAD_CNI_VERSIONS))
@pytest.mark.cni_rule("config.cniversion.required")
def test_cni_version_required(cni, attach, netconf, container_ns, netns_factory, cni_version, cni_ifname, cni_container_id, label):
    """Only the failure is checked: codes 1, 6 and 7 all fit (see the rule's notes). A refusal counts
    only from a plugin whose ADD of the good configuration works: else the test is blocked."""
    value = BAD_CNI_VERSIONS[label]
    conf = {k: v for k, v in netconf.items() if k != "cniVersion"}
    if value is not None:
        conf["cniVersion"] = value
    what = "without cniVersion" if value is None else f"with cniVersion {value!r}"
    add = cni.invoke("ADD", conf, container_ns, cni_ifname, cni_container_id)
    if add.exit_code == 0:  # DEL what it set up, with the good configuration and no prevResult
        p.cleanup(cni, netconf, None, container_ns, cni_ifname, cni_container_id, cni_version)
    assert add.exit_code not in (0, None), (
        f"cniVersion is a required configuration key holding a version string; ADD of a configuration {what} should fail, "
        f"but it succeeded:\n{add.describe()}")
    _control_add(attach, netconf, netns_factory, cni_container_id, what=f"ADD of the good configuration (after the one {what} failed)")


def _control_add(attach, netconf, netns_factory, cni_container_id, what):
    """ADD of the unchanged configuration in a namespace of its own, or blocked: only a plugin whose
    ADD works has refused (or accepted) the change itself. DELeted at the end of the test."""
    control = attach(netconf, netns_factory("control"), container_id=cni_container_id + "-control")
    control.add_or_block(what=what)


VALID_NAMES = {"one-char": "n", "punctuated": "Net_1.cni-test", "digit-first": "9net", "long": "cnitest-" + "x" * 100}
INVALID_NAMES = {"leading-dash": "-cnitest", "leading-dot": ".cnitest", "space": "cni test", "slash": "cni/test"}


@pytest.mark.parametrize("label", list(VALID_NAMES))
@pytest.mark.cni_rule("config.name.valid-accepted")
def test_name_charset_accepted(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, label):
    conf = {**netconf, "name": VALID_NAMES[label]}
    add = cni.invoke("ADD", conf, container_ns, cni_ifname, cni_container_id)
    rm = p.cleanup(cni, conf, add, container_ns, cni_ifname, cni_container_id, cni_version)
    assert add.succeeded, f"network name {conf['name']!r} is in the spec's charset ([A-Za-z0-9][A-Za-z0-9_.-]*) and should be accepted:\n{add.describe()}"
    assert rm.exit_code == 0 and not rm.problems, f"DEL of network {conf['name']!r} failed:\n{rm.describe()}"


@pytest.mark.parametrize("label", list(INVALID_NAMES))
@pytest.mark.cni_rule("config.name.invalid-rejected")
def test_name_outside_charset_refused_cleanly(cni, host_ns, netconf, container_ns, cni_version, cni_ifname, cni_container_id, label):
    conf = {**netconf, "name": INVALID_NAMES[label]}
    p.refused_cleanly_if_refused(cni, host_ns, conf, container_ns, cni_ifname, cni_container_id, cni_version,
                                 f"network name {conf['name']!r}", code=7)


ARGS = {
    "labels": {"cni": {"labels": [{"key": "app", "value": "cnitest"}]}},
    "foreign": {"cnitest.example.org": {"anything": [1, 2, {"nested": True}]}, "cni": {"cnitestUnknown": "x"}},
}


@pytest.mark.parametrize("label", list(ARGS))
@pytest.mark.cni_rule("config.args.ignored")
def test_args_not_understood_ignored(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, label):
    conf = {**netconf, "args": ARGS[label]}
    add = cni.invoke("ADD", conf, container_ns, cni_ifname, cni_container_id)
    try:
        assert add.succeeded, f"'args' it does not understand ({conf['args']}) should be ignored by the plugin, but ADD failed:\n{add.describe()}"
        if versions.has_check(cni_version):
            chk = cni.invoke("CHECK", p.del_config(conf, add, cni_version), container_ns, cni_ifname, cni_container_id)
            assert chk.exit_code == 0 and not chk.problems, f"CHECK with unknown 'args' ({conf['args']}) should succeed:\n{chk.describe()}"
    finally:
        rm = p.cleanup(cni, conf, add, container_ns, cni_ifname, cni_container_id, cni_version)
    assert rm.exit_code == 0 and not rm.problems, f"DEL with unknown 'args' ({conf['args']}) should succeed:\n{rm.describe()}"


# Keys of the runtime's cni.dev/ namespace no plugin knows (spec-v1.0.0 reserves the prefix for the protocol).
CNI_DEV_KEYS = {"cni.dev/cnitest-unknown": {"anything": [1, 2, {"nested": True}]}, "cni.dev/cnitest-flag": True}


@pytest.mark.cni_rule("config.cni-dev.ignored")
def test_cni_dev_keys_ignored(cni, attach, netconf, container_ns, netns_factory, cni_version, cni_ifname, cni_container_id):
    conf = {**netconf, **CNI_DEV_KEYS}
    add = cni.invoke("ADD", conf, container_ns, cni_ifname, cni_container_id)
    if add.exit_code != 0:
        _control_add(attach, netconf, netns_factory, cni_container_id, what="ADD without the cni.dev/ keys (after the one with them failed)")
    # Exit codes only: what the answers print is judged by the result and output rules.
    try:
        assert add.exit_code == 0, f"cni.dev/ keys are reserved for the runtime ({sorted(CNI_DEV_KEYS)}); ADD should not fail on them:\n{add.describe()}"
        if versions.has_check(cni_version):
            chk = cni.invoke("CHECK", p.del_config(conf, add, cni_version), container_ns, cni_ifname, cni_container_id)
            assert chk.exit_code == 0, f"CHECK with unknown cni.dev/ keys should succeed:\n{chk.describe()}"
    finally:
        rm = p.cleanup(cni, conf, add, container_ns, cni_ifname, cni_container_id, cni_version)
    assert rm.exit_code == 0, f"DEL with unknown cni.dev/ keys should succeed:\n{rm.describe()}"
