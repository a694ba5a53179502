"""`cnitest rules` and `cnitest explain RULE`: the rule catalog, readable from the shell.

The tests that check a rule are found by reading the installed suites' source with
`ast` (their `cni_rule(...)` markers): cheap, no collection, no plugin needed.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from . import rules, versions

__all__ = ["explain", "list_rules"]


def suites_dir() -> Path:
    spec = importlib.util.find_spec("cnitest.suites")
    assert spec is not None and spec.origin is not None, "cnitest.suites is not installed"
    return Path(spec.origin).parent


def tests_by_rule(directory: Path | None = None) -> dict[str, list[str]]:
    """rule id -> ['test_delete.py::test_x', ...] from the cni_rule markers in the suites."""
    out: dict[str, list[str]] = {}
    for path in sorted((directory or suites_dir()).glob("test_*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for dec in node.decorator_list:
                if isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr == "cni_rule":
                    for arg in dec.args:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                            out.setdefault(arg.value, []).append(f"{path.name}::{node.name}")
    return out


def levels(rule: rules.Rule) -> str:
    """The rule's level at each known version, e.g. '0.4.0: MUST, 1.0.0: MUST' or 'n/a'."""
    at = [v for v in versions.KNOWN if rules.applies(rule, v)]
    return ", ".join(f"{v}: {rule.level}" for v in at) or "n/a"


def list_rules(version: str | None, kind: str | None, level: str | None) -> list[str]:
    """One line per rule: id, level, versions, kinds, paraphrase."""
    lines = []
    for r in rules.RULES.values():
        if version and not rules.applies(r, version):
            continue
        if kind and kind not in r.kinds and "any" not in r.kinds:
            continue
        if level and r.level != level:
            continue
        span = f"{r.since}..{r.until or ''}"
        lines.append(f"{r.id:45} {r.level:6} {span:14} {','.join(sorted(r.kinds)):10} {r.text}")
    return lines


def explain(rule_id: str) -> str:
    """Everything about one rule; KeyError (with close ids) when unknown."""
    r = rules.get(rule_id)
    tests = tests_by_rule().get(r.id, [])
    parts = [
        f"{r.id}  ({r.level})",
        f"  section:  {r.section}",
        f"  expects:  {r.text}",
        f"  versions: {r.since} .. {r.until or 'current'}",
        f"  level per version: {levels(r)}",
        f"  plugin kinds: {', '.join(sorted(r.kinds))}",
        f"  notes (known departures, why this level): {r.notes or 'none'}",
    ]
    if not r.testable:
        parts.append(f"  not testable on a black box: {r.untestable_why}")
    parts.append("  checked by: " + (", ".join(tests) if tests else "no bundled test"))
    return "\n".join(parts)
