"""The end of a run in the terminal, and reproducer files: what a plugin author acts on.

Under each spec version's verdict the failed rules, one line each with the
plugin's own error and where the reproducer is; findings of one cause (same
verb, error code and message: a missing delegated plugin fails dozens of rules)
once, under the first rule that observed it, the others named "same cause".
The author's own tests (no cni_rule marker) are counted apart ("your tests").
`--cni-reproducers DIR` writes one script per finding (write_reproducers).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import model

__all__ = ["reproducer_name", "write_reproducers", "write_summary"]

MARKUP = {
    "conforms": {"green": True},
    "does-not-conform": {"red": True, "bold": True},
    "inconclusive": {"yellow": True},
    "incomplete": {"yellow": True, "bold": True},
}

LISTED = ("fail", "error")
"""The outcomes listed one by one under a verdict (warnings are named in one line)."""


def reproducer_name(test: dict[str, Any]) -> str:
    """A file name for a test's reproducer: its node id without the directory, made safe."""
    nodeid = str(test["nodeid"])
    path, _, rest = nodeid.partition("::")
    name = f"{path.rsplit('/', 1)[-1].removesuffix('.py')}--{rest}" if rest else path.rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:180] + ".sh"


def write_reproducers(run: dict[str, Any], directory: Path) -> list[Path]:
    """One executable script per finding that has a reproducer; notes its path in the test record."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for t in run["tests"]:
        if t["outcome"] in ("fail", "warning", "error") and t.get("reproducer"):
            path = directory / reproducer_name(t)
            path.write_text(t["reproducer"], encoding="utf-8", errors="backslashreplace")
            path.chmod(0o755)
            t["reproducer_file"] = str(path)
            written.append(path)
    return written


def _where(test: dict[str, Any], reports: list[Path]) -> str | None:
    if test.get("reproducer_file"):
        return f"reproducer: {test['reproducer_file']}"
    if test.get("reproducer") and reports:
        return f"reproducer: in {reports[0]}"
    return None


def _findings(tr: Any, tests: list[dict[str, Any]], reports: list[Path], indent: str = "    ") -> None:
    """The failed tests one line each (grouped by cause), then the warned rules in one line."""
    listed = [t for t in tests if t["outcome"] in LISTED]
    for group in model.cause_groups(listed):
        first = group[0]
        tag = "FAIL" if first["outcome"] == "fail" else "ERROR"
        tr.write(f"{indent}{tag} ", red=first["outcome"] == "fail", bold=True)
        tr.write_line(f"{model.what_of(first)}: {model.plugin_error(first)}")
        where = _where(first, reports)
        if where:
            tr.write_line(f"{indent}     {where}")
        if len(group) > 1:
            same = ", ".join(model.what_of(t) for t in group[1:])
            tr.write_line(f"{indent}     same cause: {same}")
    warned = sorted({model.what_of(t) for t in tests if t["outcome"] == "warning"})
    if warned:
        tr.write_line(f"{indent}warnings (SHOULD): {', '.join(warned)}", yellow=True)


def write_summary(tr: Any, run: dict[str, Any], reports: list[Path], reproducers: Path | None = None) -> None:
    """The cnitest section of pytest's terminal summary for one run."""
    tr.section("cnitest: spec conformance", sep="=")
    plugin = run["plugin"]
    tr.write_line(f"{plugin['name']} ({plugin['path']}), profile {plugin['profile']} ({plugin['kind']})")
    by_group: dict[str, list[dict[str, Any]]] = {"rule": [], "profile": [], "other": []}
    for t in run["tests"]:
        by_group[model.row_of(t)[0][0]].append(t)
    for v in run["verdicts"]:
        label = "version-independent" if v["version"] == model.ANY_VERSION else f"spec {v['version']}"
        tr.write(f"  {label:<22}")
        tr.write(f"{model.VERDICT_TEXT[v['verdict']]:<30}", **MARKUP.get(v["verdict"], {}))
        tr.write_line(model.counts_text(v["counts"]))
        _findings(tr, [t for t in by_group["rule"] if model.version_of(t) == v["version"]], reports)
    for line in model.blocked_lines(run):
        tr.write_line(f"  {line}", yellow=True)
    pc = run["profile_checks"]
    if any(pc["counts"].values()):
        tr.write_line(f"  {'profile checks':<22}{pc['verdict'].replace('-', ' '):<30}{model.counts_text(pc['counts'])}")
        _findings(tr, by_group["profile"], reports)
    own = run.get("own_tests") or {}
    counts = own.get("counts") or {}
    if any(counts.get(k, 0) for k in ("pass", "fail", "error")):  # skipped ones alone (the differential test without its option) say nothing
        failed = counts.get("fail", 0) + counts.get("error", 0)
        text = f"your tests: {counts.get('pass', 0)} pass, {failed} fail"
        tr.write(f"  {text:<52}", red=bool(failed), bold=bool(failed), green=not failed)
        tr.write_line("(tests without a cni_rule marker: not part of the verdict; a failure fails the run)")
        _findings(tr, by_group["other"], reports)
    if reproducers is None and any(t["outcome"] in LISTED and t.get("reproducer") for t in run["tests"]):
        tr.write_line("  reproducers: --cni-reproducers DIR writes one replay script per failure")
    elif reproducers is not None:
        tr.write_line(f"  reproducers written to {reproducers}")
    for path in reports:
        tr.write_line(f"  report written: {path}")
