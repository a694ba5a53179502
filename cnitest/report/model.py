"""The report document (format "cnitest-report/1") and what is derived from it.

A report holds one or more *runs* (one run = one pytest session against one
plugin; `cnitest report merge` puts several runs in one file). A run keeps the
raw per-test records; verdicts and the rules x versions matrix are derived from
them here, so a merged report is always consistent with its tests.

report_schema.json beside this module documents every field.
"""

from __future__ import annotations

import datetime
import hashlib
import platform
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .. import versions

__all__ = [
    "ANY_VERSION", "FORMAT", "OUTCOMES", "SHOW", "VERDICT_TEXT", "blocked", "blocked_lines", "cause", "cause_groups",
    "clean_message", "columns", "counts_text", "derive", "document", "environment", "findings", "gate_words",
    "harness_version", "overall", "plugin_error", "row_of", "sha256_of", "verdict", "version_of", "what_of",
]

FORMAT = "cnitest-report/1"

OUTCOMES: tuple[str, ...] = ("pass", "fail", "warning", "error", "blocked", "skip", "not-applicable")
"""Every outcome of a test, in the order counts are shown. "blocked": a precondition the test
needs failed (the test's `blocked_by` names the rule that judges it); neither pass nor fail."""

SHOW = {"pass": "pass", "fail": "fail", "warning": "warning", "error": "error", "blocked": "blocked", "skip": "skip", "not-applicable": "n/a"}

_WORST = ("fail", "error", "warning", "pass", "blocked", "skip", "not-applicable")
"""Which outcome a matrix cell shows when its tests disagree: the first present here."""

VERDICTS = ("conforms", "does-not-conform", "inconclusive", "incomplete", "not-tested")
VERDICT_TEXT = {
    "conforms": "conforms",
    "incomplete": "incomplete (run interrupted)",
    "does-not-conform": "does not conform",
    "inconclusive": "inconclusive (harness errors)",
    "not-tested": "not tested",
}

ANY_VERSION = "any"
"""The column of tests that do not run per spec version."""


def harness_version() -> str:
    try:
        from importlib.metadata import version

        return version("cnitest")
    except Exception:  # noqa: BLE001 - not installed: running from a checkout
        return "unknown"


def now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def environment() -> dict[str, str]:
    return {"kernel": platform.release(), "machine": platform.machine(), "python": platform.python_version()}


def sha256_of(path: str) -> str | None:
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return None


def empty_counts() -> dict[str, int]:
    return {o: 0 for o in OUTCOMES}


def rule_info(rule_id: str) -> dict[str, Any]:
    """What the catalog says about a rule, as report data; unknown ids are kept, marked."""
    try:
        from .. import rules

        r = rules.get(rule_id)
    except Exception:  # noqa: BLE001 - an id the catalog does not (yet) hold
        return {"section": "", "level": "MUST", "since": None, "until": None, "text": "(not in the rules catalog)", "notes": ""}
    return {"section": r.section, "level": r.level, "since": r.since, "until": r.until, "text": r.text, "notes": r.notes}


def row_of(test: dict[str, Any]) -> list[tuple[str, str]]:
    """The matrix rows a test counts in: (group, key) with group rule / profile / other."""
    if test.get("profile_check"):
        return [("profile", test["profile_check"])]
    if test.get("rules"):
        return [("rule", r) for r in test["rules"]]
    return [("other", test.get("name") or test["nodeid"])]


def version_of(test: dict[str, Any]) -> str:
    return test.get("version") or ANY_VERSION


def _version_sort(v: str) -> tuple[int, ...]:
    try:
        return versions.key(v)
    except ValueError:
        return (10**6,)


def columns(run: dict[str, Any]) -> list[str]:
    """The version columns of a run: every tested version, then 'any' when some test has no version."""
    cols = set(run.get("versions") or [])
    # 'any' only when a version-independent test ran (not only n/a or skipped ones)
    cols.update(version_of(t) for t in run["tests"] if t.get("version") or t["outcome"] not in ("skip", "not-applicable", "blocked"))
    named = sorted((c for c in cols if c != ANY_VERSION), key=_version_sort)
    return named + ([ANY_VERSION] if ANY_VERSION in cols else [])


def worst(counts: dict[str, int]) -> str | None:
    return next((o for o in _WORST if counts.get(o)), None)


def verdict(counts: dict[str, int], interrupted: bool = False) -> str:
    """What the counts say; an interrupted run found what it found, but never conforms."""
    if counts.get("fail"):
        return "does-not-conform"
    if interrupted:
        return "incomplete"
    if counts.get("error"):
        return "inconclusive"
    if counts.get("pass") or counts.get("warning"):
        return "conforms"
    return "not-tested"


def derive(run: dict[str, Any]) -> dict[str, Any]:
    """Fill in a run's verdicts, matrix and rules from its tests (in place; returns the run)."""
    cols = columns(run)
    per_version = {c: empty_counts() for c in [*cols, ANY_VERSION]}
    profile_counts = empty_counts()
    own_counts = empty_counts()
    cells: dict[tuple[str, str], dict[str, dict[str, int]]] = {}
    for t in run["tests"]:
        rows = row_of(t)
        if rows[0][0] == "rule":
            per_version[version_of(t)][t["outcome"]] += 1
        elif rows[0][0] == "profile":
            profile_counts[t["outcome"]] += 1
        else:
            own_counts[t["outcome"]] += 1
        for row in rows:
            cells.setdefault(row, {}).setdefault(version_of(t), empty_counts())[t["outcome"]] += 1
    cut = bool(run.get("interrupted"))
    run["verdicts"] = [
        {"version": c, "verdict": verdict(per_version[c], cut), "counts": per_version[c]}
        for c in cols
        if c != ANY_VERSION or any(per_version[c][o] for o in ("pass", "fail", "warning", "error"))
    ]
    run["profile_checks"] = {"verdict": verdict(profile_counts, cut), "counts": profile_counts}
    run["own_tests"] = {"verdict": verdict(own_counts, cut), "counts": own_counts}
    order = {"rule": 0, "profile": 1, "other": 2}
    catalog_order = _catalog_order()
    run["matrix"] = [
        {
            "group": group,
            "key": key,
            "cells": {v: {"outcome": worst(c), "counts": c} for v, c in sorted(by_version.items(), key=lambda kv: cols.index(kv[0]) if kv[0] in cols else len(cols))},
        }
        for (group, key), by_version in sorted(cells.items(), key=lambda kv: (order[kv[0][0]], catalog_order.get(kv[0][1], 10**6), kv[0][1]))
    ]
    known = dict(run.get("rules") or {})
    for t in run["tests"]:
        for r in t.get("rules") or []:
            if r not in known:
                known[r] = rule_info(r)
    run["rules"] = known
    return run


def _catalog_order() -> dict[str, int]:
    try:
        from .. import rules

        return {rid: i for i, rid in enumerate(rules.RULES)}
    except Exception:  # noqa: BLE001
        return {}


def overall(run: dict[str, Any]) -> str:
    """One verdict for a whole run: the worst of its versions."""
    found = {v["verdict"] for v in run.get("verdicts", [])}
    for v in ("does-not-conform", "inconclusive", "incomplete", "conforms"):
        if v in found:
            return v
    return "not-tested"


def blocked(run: dict[str, Any]) -> dict[str, int]:
    """Blocked tests per blocking rule ("" when a verb timed out earlier), most first."""
    out: dict[str, int] = {}
    for t in run["tests"]:
        if t["outcome"] == "blocked":
            key = t.get("blocked_by") or ""
            out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def blocked_lines(run: dict[str, Any]) -> list[str]:
    """One line per blocking rule: 'N tests blocked by RULE' (for the terminal summary)."""
    return [f"{n} test{'s' if n != 1 else ''} blocked by {rule or 'a verb that timed out earlier'}" for rule, n in blocked(run).items()]


def findings(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The tests a reader must look at: failures and harness errors first, then warnings."""
    rank = {"fail": 0, "error": 1, "warning": 2}
    hits = [t for t in run["tests"] if t["outcome"] in rank]
    return sorted(hits, key=lambda t: (rank[t["outcome"]], bool(t.get("profile_check")), t["nodeid"]))


def document(runs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A whole report: the format tag, when and by what it was written, its runs."""
    return {
        "format": FORMAT,
        "generated": {"by": "cnitest", "harness_version": harness_version(), "date": now()},
        "runs": [derive(r) for r in runs],
    }


def counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts.get(o, 0)} {SHOW[o]}" for o in OUTCOMES if counts.get(o) or o in ("pass", "fail"))


_INTROSPECTION = re.compile(r"^assert ", re.MULTILINE)


def clean_message(text: str) -> str:
    """A failure message without pytest's assertion introspection.

    pytest appends `assert <expr>` and ` +  where False = Invocation(...).succeeded`
    lines (reprs of whole objects) to a message; they say nothing a reader needs.
    A bare `assert` without a message keeps its first line."""
    m = _INTROSPECTION.search(text)
    if m is None:
        return text
    head = text[: m.start()].rstrip()
    if head:
        return head
    first = text[m.start() :].split("\n", 1)[0]
    return first if len(first) <= 300 else first[:300] + "..."


def cause(test: dict[str, Any]) -> tuple[str, int | None, str] | None:
    """The plugin's own error behind a finding: (verb, code, msg) of a failed call.

    The first failed call whose error the message quotes (describe() shows `code N: msg`);
    None when the message quotes none (a call the test expected to fail is no cause)."""
    failed = [c for c in test.get("calls") or [] if isinstance(c.get("error"), dict)]
    message = test.get("message") or ""
    if not failed:
        return _described_error(message)
    quoted = [c for c in failed if c["error"].get("msg") and c["error"]["msg"] in message]
    if not quoted:
        return None  # the finding is not about a call's error (an expected refusal, a sandbox breach)
    call = quoted[0]
    return str(call["verb"]), call["error"].get("code"), str(call["error"].get("msg") or "")


_DESCRIBED = re.compile(r"^(ADD|CHECK|DEL|VERSION|GC|STATUS) \(cniVersion [^\n]*\) -> [^\n]*\n  error: code (-?\d+|None): (.*)$", re.MULTILINE)


def _described_error(message: str) -> tuple[str, int | None, str] | None:
    """A failed call as Invocation.describe() words it in a message (calls made by a runner
    the report does not see, like the IPAM state machine's): (verb, code, msg)."""
    m = _DESCRIBED.search(message)
    if m is None:
        return None
    return m.group(1), None if m.group(2) == "None" else int(m.group(2)), m.group(3).strip()


def plugin_error(test: dict[str, Any], limit: int = 200) -> str:
    """One line saying what went wrong: the plugin's error when a call failed, else the message's first line."""
    found = cause(test)
    if found is not None:
        verb, code, msg = found
        text = f"{verb}: error code {code}: {' '.join(msg.split())}"
    else:
        lines = [line.strip() for line in clean_message(test.get("message") or "").splitlines() if line.strip()]
        text = lines[0] if lines else "(no message)"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def cause_groups(tests: Iterable[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Findings grouped by cause (same version, verb, error code and message), in the order given.

    The first test of a group is the one a reader looks at; the others are "same
    cause". A finding whose calls all succeeded (a fault in the content) is its own group."""
    groups: list[list[dict[str, Any]]] = []
    index: dict[tuple[Any, ...], int] = {}
    for t in tests:
        found = cause(t)
        key = (t.get("version"), t["outcome"], *found) if found is not None else None
        if key is not None and key in index:
            groups[index[key]].append(t)
            continue
        if key is not None:
            index[key] = len(groups)
        groups.append([t])
    return groups


def what_of(test: dict[str, Any]) -> str:
    """What a finding is about: its rule ids, its profile check, or the test's name."""
    if test.get("rules"):
        return ", ".join(test["rules"])
    if test.get("profile_check"):
        return f"profile check: {test['profile_check']}"
    return str(test.get("name") or test["nodeid"])


def gate_words(t: Mapping[str, Any]) -> tuple[str, str] | None:
    """A finding's baseline or waiver status as (label, text), worded once for every
    report format (shown, never hidden); None when no gate applies."""
    gate = t.get("gate")
    if not gate:
        return None
    if gate["status"] == "waived":
        w = gate["waiver"]
        until = f" (until {w['expires']})" if w.get("expires") else ""
        return f"waived ({w['rule']}){until}", w["reason"]
    if gate["status"] == "known":
        return "known (baseline)", "does not fail the run"
    return "new", "not in the baseline"

