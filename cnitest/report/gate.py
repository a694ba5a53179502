"""CI gating: --cni-baseline (known findings do not fail) and --cni-waivers (reasoned exceptions).

A plugin with a known departure from the spec can still use the suites as a CI
gate. A finding (a failed or warned test) is matched by its identity
(cnitest.report.identity) against the findings of a baseline report; a known
one is turned into a non-failing outcome ("known (baseline)", shown like an
xfail), a new one fails as usual, and a baseline finding whose test ran but no
longer finds it is announced as fixed. A waiver file lists rule ids or globs,
each with a reason and an optional expiry date; a waived finding does not fail
but is shown, with its reason, in every report and the terminal summary. An
expired waiver fails the run. The report keeps the real outcome ("fail") and
adds `gate` to the test and `gate` to the run, so nothing is hidden.

Waiver file (TOML):

    [[waiver]]
    rule = "gc.*"                 # a rule id or an fnmatch glob over rule ids
    reason = "GC lands in 1.2; tracked in #42"
    expires = 2027-06-30          # optional; the waiver holds through this day
"""

from __future__ import annotations

import datetime
import fnmatch
import tomllib
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from . import ReportError, load
from .identity import identity, test_key

__all__ = ["PROPERTY", "Gate", "Waiver", "read_waivers"]

PROPERTY = "cnitest-gate"
"""The user_properties name under which a test report carries its gate status."""

FINDINGS = ("fail", "warning")


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str
    expires: datetime.date | None = None

    def expired(self, today: datetime.date) -> bool:
        return self.expires is not None and today > self.expires

    def matches(self, rules: list[str]) -> bool:
        return any(fnmatch.fnmatchcase(r, self.rule) for r in rules)

    def as_data(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason, "expires": self.expires.isoformat() if self.expires else None}


def read_waivers(path: str | Path) -> list[Waiver]:
    """The waivers of a TOML file; ValueError with a one-line reason when it is not one."""
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not TOML: {exc}") from None
    entries = doc.get("waiver", [])
    if not isinstance(entries, list) or set(doc) - {"waiver"}:
        raise ValueError(f"{path}: want only [[waiver]] tables (found {', '.join(sorted(doc)) or 'nothing'})")
    out = []
    for i, e in enumerate(entries, 1):
        if not isinstance(e, dict) or not isinstance(e.get("rule"), str) or not isinstance(e.get("reason"), str) or not e["reason"].strip():
            raise ValueError(f"{path}: waiver {i} needs rule = \"ID or glob\" and a non-empty reason = \"...\"")
        expires = e.get("expires")
        if isinstance(expires, str):
            try:
                expires = datetime.date.fromisoformat(expires)
            except ValueError:
                raise ValueError(f"{path}: waiver {i} ({e['rule']}): expires {expires!r} is not a date (YYYY-MM-DD)") from None
        if isinstance(expires, datetime.datetime):
            expires = expires.date()
        if expires is not None and not isinstance(expires, datetime.date):
            raise ValueError(f"{path}: waiver {i} ({e['rule']}): expires must be a date (YYYY-MM-DD)")
        unknown = set(e) - {"rule", "reason", "expires"}
        if unknown:
            raise ValueError(f"{path}: waiver {i} ({e['rule']}): unknown key(s) {', '.join(sorted(unknown))}")
        out.append(Waiver(e["rule"], e["reason"].strip(), expires))
    return out


def _finding_data(item: pytest.Item, call: pytest.CallInfo[None]) -> dict[str, Any]:
    from .collect import _message, _test_data

    return {"nodeid": item.nodeid, **_test_data(item), "message": _message(call)}


class Gate:
    """The pytest plugin (registered by cnitest.plugin when either option is given)."""

    def __init__(self, baseline: str | None, waivers: str | None, today: datetime.date | None = None) -> None:
        self.today = today or datetime.date.today()
        self.baseline_path = baseline
        self.baseline: list[dict[str, Any]] = []
        if baseline:
            try:
                doc = load(baseline)
            except ReportError as exc:
                raise pytest.UsageError(f"--cni-baseline: {exc}") from None
            self.baseline = [t for run in doc["runs"] for t in run["tests"] if t["outcome"] in FINDINGS]
        self.known = {identity(t) for t in self.baseline}
        try:
            self.waivers = read_waivers(waivers) if waivers else []
        except ValueError as exc:
            raise pytest.UsageError(f"--cni-waivers: {exc}") from None
        self.expired = [w for w in self.waivers if w.expired(self.today)]

    def status(self, data: dict[str, Any]) -> dict[str, Any] | None:
        """known / waived / new for a finding; None when neither option concerns it."""
        for w in self.waivers:
            if w.matches(data.get("rules") or []) and not w.expired(self.today):
                return {"status": "waived", "waiver": w.as_data()}
        if self.baseline_path is None:
            return None
        return {"status": "known" if identity(data) in self.known else "new"}

    # --- on the worker (or the only process) --------------------------------

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.when != "call" or call.excinfo is None or not call.excinfo.errisinstance((AssertionError, pytest.fail.Exception)):
            return report
        wasxfail = str(getattr(report, "wasxfail", ""))
        if not report.failed and not wasxfail.startswith("SHOULD-level"):
            return report
        gate = self.status(_finding_data(item, call))
        if gate is None:
            return report
        gate["outcome"] = "fail" if report.failed else "warning"
        if report.failed and gate["status"] == "known":
            report.outcome, report.wasxfail = "skipped", "known (baseline)"  # type: ignore[attr-defined]
        elif report.failed and gate["status"] == "waived":
            report.outcome, report.wasxfail = "skipped", f"waived: {gate['waiver']['reason']}"  # type: ignore[attr-defined]
        report.user_properties = [*report.user_properties, (PROPERTY, gate)]
        return report

    # --- on the controller --------------------------------------------------

    @staticmethod
    def apply(rec: dict[str, Any], report: pytest.TestReport, data: dict[str, Any]) -> None:
        """Give a report record its real outcome, message and gate status (called by the collector)."""
        for name, value in report.user_properties:
            if name == PROPERTY and isinstance(value, dict):
                rec["outcome"] = value["outcome"]
                rec["message"] = data.get("message") or rec["message"]
                rec["gate"] = {k: v for k, v in value.items() if k != "outcome"}

    def annotate(self, run: dict[str, Any]) -> dict[str, Any]:
        """The run's gate summary: counts, fixed findings, waivers (stored as run["gate"])."""
        tests = run["tests"]
        now = {identity(t) for t in tests if t["outcome"] in FINDINGS}
        ran = {(test_key(t["nodeid"], t.get("version")), t.get("version")) for t in tests if t["outcome"] not in ("skip", "not-applicable", "blocked")}
        fixed = [identity(t) for t in self.baseline
                 if identity(t) not in now and (test_key(t["nodeid"], t.get("version")), t.get("version")) in ran]
        status = [t.get("gate", {}).get("status") for t in tests]
        gate: dict[str, Any] = {
            "baseline": self.baseline_path,
            "known": status.count("known"),
            "new": status.count("new"),
            "waived": status.count("waived"),
            "fixed": sorted(set(fixed)),
            "waivers": [{**w.as_data(), "expired": w.expired(self.today),
                         "matched": sum(1 for t in tests if t.get("gate", {}).get("waiver", {}).get("rule") == w.rule)} for w in self.waivers],
        }
        run["gate"] = gate
        return gate

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.expired and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(terminalreporter.config, "workerinput"):
            return
        collector = terminalreporter.config.pluginmanager.get_plugin("cnitest-report-collector")
        run = collector.build() if collector is not None else None
        tr = terminalreporter
        tr.section("cnitest: baseline and waivers", sep="-")
        for w in self.expired:
            tr.write_line(f"waiver {w.rule!r} expired on {w.expires}: {w.reason} (renew it or fix the finding)", red=True, bold=True)
        if run is None:
            return
        gate = run.get("gate") or self.annotate(run)
        if self.baseline_path:
            tr.write_line(f"baseline {self.baseline_path}: {gate['known']} known, {gate['new']} new, {len(gate['fixed'])} fixed")
        for t in run["tests"]:
            g = t.get("gate") or {}
            if g.get("status") == "known":
                tr.write_line(f"  known (baseline): {t['nodeid']}")
            elif g.get("status") == "new":
                tr.write_line(f"  new: {t['nodeid']}", red=True)
            elif g.get("status") == "waived":
                tr.write_line(f"  waived ({g['waiver']['rule']}): {t['nodeid']}: {g['waiver']['reason']}", yellow=True)
        for f in gate["fixed"]:
            tr.write_line(f"  fixed: {f}", green=True)
