"""cnitest: a conformance and test harness for CNI plugins.

A library first, with a thin pytest plugin on top (cnitest.plugin). The path of
one check: a profile or --cni-config gives a template (profiles, config); the
runner executes the plugin inside a sandbox namespace (runner, netns); the
answer is validated against the schema of the requested spec version (schemas,
versions) and cross-checked against the kernel (checks); each test names the
spec rule it checks (rules), and the report collects outcomes per rule and
version (report).

Public API (imported on first use, so `import cnitest` costs next to nothing):
`Runner`, `Invocation`, `CniError` (runner); `Attachment`, `with_prev_result`
(attachment); `Result` (a typed view of a result of any version: `Result.read(doc)`); `Namespace`, `Snapshot` and the `netns` module (`netns.new()`);
`rules` (the catalog: `rules.get`, `rules.RULES`, `Rule`); `versions`;
`strategies` (hypothesis strategies for IPAM configs); `conflist` (runs a conflist as
libcni does, over any runner).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Attachment", "CniError", "Invocation", "Namespace", "Result", "Rule", "Runner", "Snapshot",
    "conflist", "netns", "rules", "strategies", "versions", "with_prev_result",
]

_HOMES = {
    "Runner": "runner", "Invocation": "runner", "CniError": "runner",
    "Attachment": "attachment", "with_prev_result": "attachment",
    "Namespace": "netns", "Snapshot": "netns", "Rule": "rules", "Result": "result",
}
_MODULES = {"conflist", "netns", "rules", "strategies", "versions"}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _HOMES:
        return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module 'cnitest' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
