"""Errors: exit codes, the error object on stdout, and the well-known codes.

Each test provokes failures that no plugin can turn into a success (stdin that
is not JSON, a missing network name, an unsupported cniVersion, a missing
CNI_CONTAINERID, an unknown CNI_COMMAND) and looks at how the plugin reports
them. Every provoked ADD that unexpectedly succeeds is DELeted again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cnitest import versions
from cnitest.attachment import BlockedBy

from . import _protocol as p

# Codes any spec version gives a meaning (0.1.0: 1; 0.2.0: 2; 0.4.0: 3, 11; 1.0.0: 4-7;
# 1.1.0: 50, 51 for STATUS) plus Go's 8 (ErrInvalidNetNS), a departure the catalog records.
# A code a later spec version defines is used with the spec's meaning, so it is accepted at
# every version.
WELL_KNOWN = {1, 2, 3, 4, 5, 6, 7, 11, 50, 51}
GO_DEPARTURES = {8}


def _no_name(netconf: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in netconf.items() if k != "name"}


# name -> (what it is, how to call).  Each call gets (cni, netconf, container_ns, ifname, container_id, cni_version).
PROVOCATIONS: dict[str, tuple[str, Callable[..., Any]]] = {
    "not-json": ("stdin that is not JSON", lambda cni, conf, ns, ifn, cid, v: cni.invoke("ADD", p.BAD_JSON, ns, ifn, cid)),
    "truncated-json": ("stdin cut off inside the JSON", lambda cni, conf, ns, ifn, cid, v: cni.invoke("ADD", p.TRUNCATED_JSON, ns, ifn, cid)),
    "empty-stdin": ("an empty stdin", lambda cni, conf, ns, ifn, cid, v: cni.invoke("ADD", b"", ns, ifn, cid)),
    "del-not-json": ("DEL with stdin that is not JSON", lambda cni, conf, ns, ifn, cid, v: cni.invoke("DEL", p.BAD_JSON, ns, ifn, cid)),
    "no-name": ("a config without name", lambda cni, conf, ns, ifn, cid, v: cni.invoke("ADD", _no_name(conf), ns, ifn, cid)),
    "bad-version": ("cniVersion 9.9.9", lambda cni, conf, ns, ifn, cid, v: cni.invoke("ADD", {**conf, "cniVersion": "9.9.9"}, ns, ifn, cid)),
    "no-containerid": ("no CNI_CONTAINERID", lambda cni, conf, ns, ifn, cid, v: cni.invoke("ADD", conf, ns, ifn, None)),
    "unknown-command": ("CNI_COMMAND=BOGUS", lambda cni, conf, ns, ifn, cid, v: cni.invoke("BOGUS", conf, ns, ifn, cid)),
}
# ADDs that cannot succeed whatever the plugin: there is no configuration to act on.
# (DEL of garbage is left out here: a lenient DEL that treats it as nothing to do is
# arguably idempotent, so only the SHOULD-level code test looks at it.)
UNDECODABLE = ["not-json", "truncated-json", "empty-stdin"]
# These carry a configuration at a version the plugin supports (for the error's cniVersion).
WITH_GOOD_CONFIG = ["no-name", "no-containerid", "unknown-command"]


def _provoke(name, cni, netconf, container_ns, cni_ifname, cni_container_id, cni_version):
    what, call = PROVOCATIONS[name]
    inv = call(cni, netconf, container_ns, cni_ifname, cni_container_id, cni_version)
    if inv.exit_code == 0 and inv.verb == "ADD" and inv.result is not None:
        p.cleanup(cni, netconf, inv, container_ns, cni_ifname, cni_container_id, cni_version)
    return what, inv


@pytest.mark.parametrize("provocation", UNDECODABLE)
@pytest.mark.cni_rule("error.exit.nonzero")
def test_failure_exits_nonzero(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, provocation):
    what, inv = _provoke(provocation, cni, netconf, container_ns, cni_ifname, cni_container_id, cni_version)
    assert inv.exit_code not in (0, None), f"with {what} the operation cannot succeed, so the plugin must exit non-zero; it exited {inv.exit_code}:\n{inv.describe()}"


@pytest.mark.parametrize("provocation", ["success", *PROVOCATIONS])
@pytest.mark.cni_rule("error.exit.zero-without-error")
def test_exit_zero_never_with_error_object(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, provocation):
    if provocation == "success":
        calls = [cni.invoke("VERSION", {"cniVersion": cni_version}, None, None, None)]
        add = cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id)
        calls.append(add)
        if versions.has_check(cni_version) and add.exit_code == 0:
            calls.append(cni.invoke("CHECK", p.del_config(netconf, add, cni_version), container_ns, cni_ifname, cni_container_id))
        calls.append(p.cleanup(cni, netconf, add, container_ns, cni_ifname, cni_container_id, cni_version))
    else:
        calls = [_provoke(provocation, cni, netconf, container_ns, cni_ifname, cni_container_id, cni_version)[1]]
    for inv in calls:
        if inv.exit_code == 0:
            assert not p.is_error_document(inv.document), (
                f"exit code 0 means success, yet {inv.verb} printed an error object (code/msg):\n{inv.describe()}"
            )


@pytest.mark.parametrize("provocation", list(PROVOCATIONS))
@pytest.mark.cni_rule("error.json.on-stdout")
def test_failure_prints_error_object(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, provocation):
    what, inv = _provoke(provocation, cni, netconf, container_ns, cni_ifname, cni_container_id, cni_version)
    if inv.exit_code == 0:
        return  # whether this may succeed is other rules' business
    assert not inv.problems and inv.error is not None, (
        f"the plugin failed (exit {inv.exit_code}) on {what}; the spec expects an error object (code, msg) on stdout:\n{inv.describe()}"
    )


@pytest.mark.parametrize("provocation", list(PROVOCATIONS))
@pytest.mark.cni_rule("error.json.code-msg")
def test_error_object_has_code_and_msg(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, provocation):
    what, inv = _provoke(provocation, cni, netconf, container_ns, cni_ifname, cni_container_id, cni_version)
    doc = inv.document
    if inv.exit_code == 0 or not isinstance(doc, dict):
        return  # no error object to judge (error.json.on-stdout reports a missing one)
    wrong = []
    if not isinstance(doc.get("code"), int) or isinstance(doc.get("code"), bool):
        wrong.append(f"code must be an integer, is {doc.get('code')!r}")
    if not isinstance(doc.get("msg"), str):
        wrong.append(f"msg must be a string, is {doc.get('msg')!r}")
    if "details" in doc and not isinstance(doc["details"], str):
        wrong.append(f"details, when present, must be a string, is {doc['details']!r}")
    assert not wrong, f"the error object for {what} is malformed: " + "; ".join(wrong) + f"\n{inv.describe()}"


@pytest.mark.parametrize("provocation", WITH_GOOD_CONFIG)
@pytest.mark.cni_rule("error.json.cniversion")
def test_error_object_cniversion(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, provocation, record_property):
    what, inv = _provoke(provocation, cni, netconf, container_ns, cni_ifname, cni_container_id, cni_version)
    doc = inv.document
    if inv.exit_code == 0 or not isinstance(doc, dict):
        return
    if "cniVersion" not in doc:
        record_property("cni_known_departure", "error object without cniVersion (Go pkg/types.Error has none)")
        return
    assert doc["cniVersion"] == cni_version, (
        f"the error object for {what} must carry the request's protocol version ({cni_version!r}) as cniVersion, not {doc['cniVersion']!r}:\n{inv.describe()}"
    )


@pytest.mark.parametrize("provocation", list(PROVOCATIONS))
@pytest.mark.cni_rule("error.code.reserved-range")
def test_error_code_reserved_range(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, provocation):
    what, inv = _provoke(provocation, cni, netconf, container_ns, cni_ifname, cni_container_id, cni_version)
    if inv.error is None or inv.error.code is None:
        return
    code = inv.error.code
    assert code >= 100 or code in WELL_KNOWN | GO_DEPARTURES, (
        f"codes 0-99 are reserved for the spec's well-known errors ({sorted(WELL_KNOWN)}); plugin-specific errors use 100+. "
        f"The plugin answered {what} with code {code}:\n{inv.describe()}"
    )


def _refused_with_object(inv, what, refusal_rule):
    """A code test reads the code of a refusal: a call that succeeded blocks it (by `refusal_rule`,
    the rule that judges whether it must fail; None: it may succeed, so not applicable), one
    without an error object by error.json.on-stdout."""
    if inv.exit_code in (0, None) and refusal_rule is None:
        pytest.skip(f"not applicable: {what} was accepted (allowed), so there is no code to read")
    if inv.exit_code in (0, None):
        raise BlockedBy(refusal_rule, f"{what} was not refused, so there is no code to read:\n{inv.describe()}")
    if not inv.failed_cleanly:
        raise BlockedBy("error.json.on-stdout", f"{what} was refused without an error object, so there is no code to read:\n{inv.describe()}")


@pytest.mark.parametrize("provocation", ["not-json", "truncated-json", "del-not-json"])
@pytest.mark.cni_rule("error.code.decode-failure")
def test_decode_failure_code_6(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, provocation):
    what, inv = _provoke(provocation, cni, netconf, container_ns, cni_ifname, cni_container_id, cni_version)
    _refused_with_object(inv, what, "error.exit.nonzero" if provocation in UNDECODABLE else None)
    assert inv.error.code == 6, f"{what} should be reported with code 6 (failed to decode content), got {inv.error.code}:\n{inv.describe()}"


@pytest.mark.parametrize("name", [None, ""], ids=["missing", "empty"])
@pytest.mark.cni_rule("error.code.invalid-config")
def test_invalid_config_code_7(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, name):
    conf = _no_name(netconf) if name is None else {**netconf, "name": name}
    inv = cni.invoke("ADD", conf, container_ns, cni_ifname, cni_container_id)
    if inv.exit_code == 0:
        p.cleanup(cni, netconf, inv, container_ns, cni_ifname, cni_container_id, cni_version)
    what = "without a network name" if name is None else "with an empty network name"
    # Whether such a config must be refused at all is config.name.required / config.name.invalid-rejected;
    # this rule only says which code a refusal carries.
    _refused_with_object(inv, f"a config {what}", "config.name.required" if name is None else "config.name.invalid-rejected")
    assert inv.error.code == 7, f"a config {what} should be refused with code 7 (invalid network config), got {inv.error.code}:\n{inv.describe()}"


UNSUPPORTED_KEY, UNSUPPORTED_VALUE = "cnitestUnsupportedField", "cnitest-value-4711"


@pytest.mark.cni_rule("error.code.unsupported-field-message")
def test_unsupported_field_message(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id):
    conf = {**netconf, UNSUPPORTED_KEY: UNSUPPORTED_VALUE}
    inv = cni.invoke("ADD", conf, container_ns, cni_ifname, cni_container_id)
    if inv.exit_code == 0:
        p.cleanup(cni, conf, inv, container_ns, cni_ifname, cni_container_id, cni_version)
        pytest.skip("not applicable: the plugin accepted the unknown field (allowed), so no code-2 error was given")
    if inv.error is None or inv.error.code != 2:
        code = None if inv.error is None else inv.error.code
        pytest.skip(f"not applicable: the rule binds code-2 errors only; the refusal has code {code} (an error object "
                    "and its code are judged by the error.json.* and error.code.* rules)")
    text = f"{inv.error.msg} {inv.error.details}"
    missing = [s for s in (UNSUPPORTED_KEY, UNSUPPORTED_VALUE) if s not in text]
    assert not missing, (
        f"an error with code 2 (unsupported field) must name the field's key and value "
        f"({UNSUPPORTED_KEY!r}: {UNSUPPORTED_VALUE!r}); msg/details lack {missing}: {text.strip()!r}\n{inv.describe()}"
    )
