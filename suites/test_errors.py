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
from cnitest.attachment import Attachment, BlockedBy
from cnitest.runner import Invocation

from . import _protocol as p

# Codes any spec version gives a meaning (0.1.0: 1; 0.2.0: 2; 0.4.0: 3, 11; 1.0.0: 4-7;
# 1.1.0: 50, 51 for STATUS) plus Go's 8 (ErrInvalidNetNS), a departure the catalog records.
# A code a later spec version defines is used with the spec's meaning, so it is accepted at
# every version.
WELL_KNOWN = {1, 2, 3, 4, 5, 6, 7, 11, 50, 51}
GO_DEPARTURES = {8}


def _no_name(netconf: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in netconf.items() if k != "name"}


# name -> (what it is, the call on the test's attachment). An ADD that succeeds after all is
# DELeted by the attachment at the end of the test (its own config, with that result).
PROVOCATIONS: dict[str, tuple[str, Callable[[Attachment], Invocation]]] = {
    "not-json": ("stdin that is not JSON", lambda att: att.add(p.BAD_JSON)),
    "truncated-json": ("stdin cut off inside the JSON", lambda att: att.add(p.TRUNCATED_JSON)),
    "empty-stdin": ("an empty stdin", lambda att: att.add(b"")),
    "del-not-json": ("DEL with stdin that is not JSON", lambda att: att.invoke("DEL", p.BAD_JSON)),
    "no-name": ("a config without name", lambda att: att.add(_no_name(att.config))),
    "bad-version": ("cniVersion 9.9.9", lambda att: att.add({**att.config, "cniVersion": "9.9.9"})),
    "no-containerid": ("no CNI_CONTAINERID", lambda att: att.add(env={"CNI_CONTAINERID": None})),
    "unknown-command": ("CNI_COMMAND=BOGUS", lambda att: att.invoke("BOGUS", att.config)),
}
# ADDs that cannot succeed whatever the plugin: there is no configuration to act on.
# (DEL of garbage is left out here: a lenient DEL that treats it as nothing to do is
# arguably idempotent, so only the SHOULD-level code test looks at it.)
UNDECODABLE = ["not-json", "truncated-json", "empty-stdin"]
# These carry a configuration at a version the plugin supports (for the error's cniVersion).
WITH_GOOD_CONFIG = ["no-name", "no-containerid", "unknown-command"]


def _provoke(name: str, attachment: Attachment) -> tuple[str, Invocation]:
    what, call = PROVOCATIONS[name]
    return what, call(attachment)


@pytest.mark.parametrize("provocation", UNDECODABLE)
@pytest.mark.cni_rule("error.exit.nonzero")
def test_failure_exits_nonzero(attachment, provocation):
    what, inv = _provoke(provocation, attachment)
    assert inv.exit_code not in (0, None), f"with {what} the operation cannot succeed, so the plugin must exit non-zero; it exited {inv.exit_code}:\n{inv.describe()}"


@pytest.mark.parametrize("provocation", ["success", *PROVOCATIONS])
@pytest.mark.cni_rule("error.exit.zero-without-error")
def test_exit_zero_never_with_error_object(cni, attachment, cni_version, provocation):
    if provocation == "success":
        calls = [versions.ask(cni, cni_version), *attachment.lifecycle()]
    else:
        calls = [_provoke(provocation, attachment)[1]]
    for inv in calls:
        if inv.exit_code == 0:
            assert not p.is_error_document(inv.document), (
                f"exit code 0 means success, yet {inv.verb} printed an error object (code/msg):\n{inv.describe()}"
            )


@pytest.mark.parametrize("provocation", list(PROVOCATIONS))
@pytest.mark.cni_rule("error.json.on-stdout")
def test_failure_prints_error_object(attachment, provocation):
    what, inv = _provoke(provocation, attachment)
    if inv.exit_code == 0:
        return  # whether this may succeed is other rules' business
    assert not inv.problems and inv.error is not None, (
        f"the plugin failed (exit {inv.exit_code}) on {what}; the spec expects an error object (code, msg) on stdout:\n{inv.describe()}"
    )


@pytest.mark.parametrize("provocation", list(PROVOCATIONS))
@pytest.mark.cni_rule("error.json.code-msg")
def test_error_object_has_code_and_msg(attachment, provocation):
    what, inv = _provoke(provocation, attachment)
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
def test_error_object_cniversion(attachment, cni_version, provocation, record_property):
    what, inv = _provoke(provocation, attachment)
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
def test_error_code_reserved_range(attachment, provocation):
    what, inv = _provoke(provocation, attachment)
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
def test_decode_failure_code_6(attachment, provocation):
    what, inv = _provoke(provocation, attachment)
    _refused_with_object(inv, what, "error.exit.nonzero" if provocation in UNDECODABLE else None)
    assert inv.error.code == 6, f"{what} should be reported with code 6 (failed to decode content), got {inv.error.code}:\n{inv.describe()}"


@pytest.mark.parametrize("name", [None, ""], ids=["missing", "empty"])
@pytest.mark.cni_rule("error.code.invalid-config")
def test_invalid_config_code_7(attachment, netconf, name):
    inv = attachment.add(_no_name(netconf) if name is None else {**netconf, "name": name})
    what = "without a network name" if name is None else "with an empty network name"
    # Whether such a config must be refused at all is config.name.required / config.name.invalid-rejected;
    # this rule only says which code a refusal carries.
    _refused_with_object(inv, f"a config {what}", "config.name.required" if name is None else "config.name.invalid-rejected")
    assert inv.error.code == 7, f"a config {what} should be refused with code 7 (invalid network config), got {inv.error.code}:\n{inv.describe()}"


UNSUPPORTED_KEY, UNSUPPORTED_VALUE = "cnitestUnsupportedField", "cnitest-value-4711"


@pytest.mark.cni_rule("error.code.unsupported-field-message")
def test_unsupported_field_message(attach, netconf):
    inv = attach({**netconf, UNSUPPORTED_KEY: UNSUPPORTED_VALUE}).add()  # DELeted with that config at the end
    if inv.exit_code == 0:
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
