"""`cnitest report diff OLD.json NEW.json`: what a change did to a plugin's findings.

Findings (failed and warned tests) of the two reports are matched by identity
(cnitest.report.identity), so veth names, MACs, ids and timings do not count as
changes. A finding is *appeared* (only in NEW), *disappeared* (only in OLD) or
*changed level* (the same test, rules and version with another outcome, e.g. a
warning that became a failure under --cni-strict, or one whose message changed
so much it is a different finding is appeared + disappeared). Exit status: 1
when something appeared, 0 otherwise; usage errors (unreadable or invalid
reports) are the caller's (the CLI exits 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .identity import identity

__all__ = ["Diff", "diff", "main", "render"]

FINDINGS = ("fail", "warning")


@dataclass
class Diff:
    appeared: list[dict[str, Any]] = field(default_factory=list)
    disappeared: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)  # (old, new)

    @property
    def exit_code(self) -> int:
        return 1 if self.appeared else 0


def _findings(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {identity(t): t for run in doc["runs"] for t in run["tests"] if t["outcome"] in FINDINGS}


def diff(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    """Compare the findings of two reports."""
    before, after = _findings(old), _findings(new)
    out = Diff()
    for key in sorted(after.keys() | before.keys()):
        if key in after and key in before:
            if after[key]["outcome"] != before[key]["outcome"]:
                out.changed.append((before[key], after[key]))
        elif key in after:
            out.appeared.append(after[key])
        else:
            out.disappeared.append(before[key])
    return out


def _line(t: dict[str, Any]) -> str:
    what = ", ".join(t.get("rules") or []) or t.get("profile_check") or t["name"]
    version = f" @ {t['version']}" if t.get("version") else ""
    message = (t.get("message") or "").strip().splitlines()
    return f"{t['outcome']}: {what}{version} ({t['nodeid']}){': ' + message[0][:200] if message else ''}"


def render(d: Diff) -> str:
    """The diff as plain text, one finding a line, grouped."""
    out = [f"appeared: {len(d.appeared)}, disappeared: {len(d.disappeared)}, changed level: {len(d.changed)}"]
    for title, items in (("appeared", d.appeared), ("disappeared", d.disappeared)):
        if items:
            out.append(f"\n{title}:")
            out.extend(f"  + {_line(t)}" if title == "appeared" else f"  - {_line(t)}" for t in items)
    if d.changed:
        out.append("\nchanged level:")
        out.extend(f"  ~ {old['outcome']} -> {_line(new)}" for old, new in d.changed)
    return "\n".join(out) + "\n"


def main(old_path: str, new_path: str) -> int:
    """The command: print the diff; 0, 1 (something appeared) or 4 (a report is unreadable)."""
    import sys

    from . import ReportError, load

    try:
        old, new = load(old_path), load(new_path)
    except ReportError as exc:
        print(f"cnitest report diff: {exc}", file=sys.stderr)
        return 4
    d = diff(old, new)
    sys.stdout.write(render(d))
    return d.exit_code
