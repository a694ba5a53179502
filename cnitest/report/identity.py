"""A finding's identity: what stays the same when the same fault is found again.

A baseline (`--cni-baseline`) and `cnitest report diff` match the findings of
two runs. The test's node id and its raw message are not stable: every run has
new veth names, MACs, container ids, temporary paths and timings. The identity
is rule ids + spec version + the test (file name and node id, without the
cni_version parameter) + the message with that noise replaced by placeholders.
IP addresses are kept: the harness gives every test the same subnets, and an
address is often what the finding is about. report_schema.json documents this
(the test's `identity` field).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["identity", "normalize", "test_key"]

_NOISE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"/proc/\d+/fd/\d+"), "/proc/<pid>/fd/<fd>"),
    (re.compile(r"(?:/var)?/tmp/\S*"), "<tmp>"),
    (re.compile(r"\b(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}\b"), "<mac>"),
    (re.compile(r"\bveth[0-9a-zA-Z]{4,}\b"), "<veth>"),
    (re.compile(r"\bcnitest-\d{8}\b"), "<cnitest-name>"),
    (re.compile(r"\bcbr\d{8}\b"), "<bridge>"),
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "<hex>"),
    (re.compile(r"\b[0-9a-fA-F]{12,}\b"), "<hex>"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|s|sec|seconds)\b"), "<time>"),
    (re.compile(r"\b(?:pid|PID) \d+\b"), "pid <pid>"),
)


_ASSERT_TAIL = re.compile(r"^assert ", re.MULTILINE)
"""Where pytest's assertion introspection starts (reprs of whole objects: dropped)."""


def normalize(message: str | None) -> str:
    """`message` up to pytest's `assert ...` introspection, noise replaced by placeholders, whitespace collapsed."""
    text = _ASSERT_TAIL.split(message or "", maxsplit=1)[0]
    for pattern, placeholder in _NOISE:
        text = pattern.sub(placeholder, text)
    return " ".join(text.split())


def test_key(nodeid: str, version: str | None) -> str:
    """The test without where it was collected from or its cni_version parameter.

    "…/suites/test_add.py::test_x[1.0.0]" -> "test_add.py::test_x".
    """
    path, _, rest = nodeid.partition("::")
    name = f"{path.rsplit('/', 1)[-1]}::{rest}" if rest else path.rsplit("/", 1)[-1]
    head, bracket, params = name.partition("[")
    if not bracket:
        return name
    kept = [p for p in params.removesuffix("]").split("-") if p != version]
    return f"{head}[{'-'.join(kept)}]" if kept else head


def identity(test: Mapping[str, Any]) -> str:
    """The identity of a report's test record (nodeid, version, rules, message)."""
    rules = ",".join(sorted(test.get("rules") or [])) or (f"profile:{test['profile_check']}" if test.get("profile_check") else "-")
    version = test.get("version") or "any"
    return f"{rules} @ {version} | {test_key(str(test['nodeid']), test.get('version'))} | {normalize(test.get('message'))}"
