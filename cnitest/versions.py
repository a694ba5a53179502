"""The CNI spec versions the harness knows, and what each one changes.

This is the only module that compares version strings: every other part asks it
whether a verb or a result field exists at a given spec version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runner import Invocation, Runner

__all__ = [
    "KNOWN", "LATEST", "ask", "at_least", "has_check", "has_gc_status", "has_prev_result", "is_known", "key", "listed",
    "result_shape", "select", "verbs",
]

KNOWN: tuple[str, ...] = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")
"""Every spec version, oldest first."""

LATEST = KNOWN[-1]


def key(version: str) -> tuple[int, ...]:
    """A sortable key for a dotted version; raises ValueError on garbage."""
    parts = version.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a semantic version: {version!r}")
    return tuple(int(p) for p in parts)


def at_least(version: str, minimum: str) -> bool:
    """True when `version` is `minimum` or newer."""
    return key(version) >= key(minimum)


def is_known(version: str) -> bool:
    return version in KNOWN


def result_shape(version: str) -> str:
    """Which result layout a version uses: 'legacy' (ip4/ip6), 'ips-versioned'
    (ips[].version, 0.3.0-0.4.0) or 'current' (1.0.0 on)."""
    if not at_least(version, "0.3.0"):
        return "legacy"
    if not at_least(version, "1.0.0"):
        return "ips-versioned"
    return "current"


def has_check(version: str) -> bool:
    """CHECK exists from 0.4.0 on."""
    return at_least(version, "0.4.0")


def has_gc_status(version: str) -> bool:
    """GC and STATUS exist from 1.1.0 on."""
    return at_least(version, "1.1.0")


def has_prev_result(version: str) -> bool:
    """prevResult (and chaining via conflists) exists from 0.3.0 on."""
    return at_least(version, "0.3.0")


def verbs(version: str) -> tuple[str, ...]:
    """The CNI_COMMAND values defined at `version`."""
    out = ["ADD", "DEL", "VERSION"]
    if has_check(version):
        out.insert(1, "CHECK")
    if has_gc_status(version):
        out += ["GC", "STATUS"]
    return tuple(out)


def select(candidates: list[str] | tuple[str, ...]) -> list[str]:
    """The known versions among `candidates`, oldest first, deduplicated."""
    return [v for v in KNOWN if v in set(candidates)]


def ask(runner: Runner, cni_version: str = LATEST) -> Invocation:
    """The VERSION call every part of cnitest makes: no container, asked at `cni_version`
    (LATEST unless a test asks at its own version)."""
    return runner.invoke("VERSION", {"cniVersion": cni_version}, None, None, None)


def listed(answer: Invocation | Any) -> list[str] | None:
    """The strings in a successful VERSION answer's supportedVersions; None when the
    call failed or the answer has no such list (the one reading of a VERSION answer)."""
    if answer is None or not answer.succeeded or not isinstance(answer.result, dict):
        return None
    found = answer.result.get("supportedVersions")
    return [v for v in found if isinstance(v, str)] if isinstance(found, list) else None
