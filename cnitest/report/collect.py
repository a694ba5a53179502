"""The pytest side of reports: per-test data, verdicts at the end, --cni-report files.

Loaded by cnitest.plugin (pluginmanager.import_plugin). Works under pytest-xdist:
each worker puts what only it can know (rule ids, spec version, the failure
message, the reproducer built from the runners' history) into the test report's
`user_properties` as plain JSON-able data, which xdist carries to the
controller; the controller alone turns the reports into outcomes and writes the
files.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from ..fixtures import RUNNERS_KEY, TARGET_KEY
from ..reproduce import script
from ..runner import Invocation
from . import model, write
from .gate import Gate
from .identity import identity

__all__ = ["PROPERTY", "ReportCollector", "pytest_configure"]

PROPERTY = "cnitest"
"""The user_properties name under which a test report carries cnitest's data."""

FORMATS = (".html", ".json", ".md")


def pytest_configure(config: pytest.Config) -> None:
    paths = [Path(p) for p in (config.getoption("cni_report", None) or [])]
    for p in paths:
        if p.suffix.lower() not in FORMATS:
            raise pytest.UsageError(f"--cni-report: {p} has no known extension (want one of {', '.join(FORMATS)})")
    scripts = config.getoption("cni_reproducers", None)
    if scripts and Path(scripts).exists() and not Path(scripts).is_dir():
        raise pytest.UsageError(f"--cni-reproducers: {scripts} exists and is not a directory")
    config.pluginmanager.register(ReportCollector(config, paths, Path(scripts) if scripts else None), "cnitest-report-collector")


def _test_data(item: pytest.Item) -> dict[str, Any]:
    callspec = getattr(item, "callspec", None)
    version = callspec.params.get("cni_version") if callspec is not None else None
    check = item.get_closest_marker("cni_profile_check")
    from ..plugin import BREACH_KEY
    from ..rules import SANDBOX_RULE

    breach = item.stash.get(BREACH_KEY, None)
    return {
        "name": getattr(item, "originalname", None) or item.name,
        "rules": [SANDBOX_RULE] if breach else [str(r) for m in item.iter_markers("cni_rule") for r in m.args],
        "sandbox_breach": breach,
        "profile_check": str(check.args[0]) if check and check.args else ("yes" if check else None),
        "version": version if isinstance(version, str) else None,
    }


def _message(call: pytest.CallInfo[None]) -> str:
    assert call.excinfo is not None
    value = call.excinfo.value
    if isinstance(value, (AssertionError, pytest.fail.Exception)) and str(value):
        return model.clean_message(str(value))  # without pytest's `+ where ... = Invocation(...)` reprs
    return call.excinfo.exconly()


def _history(item: pytest.Item) -> list[Invocation]:
    """Every plugin call the test made, through any runner, in the order made."""
    return sorted((inv for runner in item.stash.get(RUNNERS_KEY, []) for inv in runner.history), key=lambda inv: inv.started)


def _reproducer(item: pytest.Item) -> str | None:
    history = _history(item)
    if not history:
        return None
    tmp = item.funcargs.get("tmp_path") if hasattr(item, "funcargs") else None
    target = item.config.stash.get(TARGET_KEY, None)
    parent = None
    if target is not None and target.profile.parent_link:
        from ..profiles import PARENT_LINK

        parent = PARENT_LINK
    return script(history, title=f"the plugin calls of {item.nodeid}", tmp_dirs=[str(tmp)] if tmp else [], parent_link=parent,
                  plugin=str(target.plugin) if target is not None else None)


def _skipped(rec: dict[str, Any], reason: str) -> None:
    """A skipped test's outcome: blocked (by a failed precondition, with the rule that
    judges it), not-applicable, or skip; the reason is the message."""
    from ..attachment import blocked_by

    blocked, rule = blocked_by(reason)
    if blocked:
        rec["outcome"], rec["blocked_by"] = "blocked", rule
    else:
        rec["outcome"] = "not-applicable" if reason.startswith("not applicable") else "skip"
    rec["message"] = reason


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, (tuple, list)) and len(longrepr) == 3:
        reason = str(longrepr[2])
    else:
        reason = str(longrepr or "")
    return reason.removeprefix("Skipped: ")


class ReportCollector:
    def __init__(self, config: pytest.Config, paths: list[Path], reproducers: Path | None = None) -> None:
        self.config = config
        self.paths = paths
        self.reproducers = reproducers  # --cni-reproducers DIR
        self.records: dict[str, dict[str, Any]] = {}
        self.started = time.time()
        self.run: dict[str, Any] | None = None
        self.written: list[Path] = []
        self.interrupted = False

    # --- on the worker (or the only process) --------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if item.config.stash.get(TARGET_KEY, None) is None and not self.paths:
            return report  # no plugin under test: nothing to report on
        data = _test_data(item)
        if call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception):
            data["message"] = _message(call)
            if report.when == "call":
                try:
                    own = getattr(call.excinfo.value, "reproducer", None)  # e.g. the IPAM machine's shrunk sequence
                    data["reproducer"] = own if isinstance(own, str) and own else _reproducer(item)
                except Exception as exc:  # noqa: BLE001 - a report must never break a run
                    data["reproducer"] = f"# no reproducer: {exc!r}"
            data["calls"] = [{"verb": i.verb, "cni_version": i.cni_version, "exit_code": i.exit_code,
                              "error": {"code": i.error.code, "msg": i.error.msg} if i.error else None} for i in _history(item)]
        # a fresh list: the one pytest passes is the item's own, shared by all three phases
        report.user_properties = [*report.user_properties, (PROPERTY, data)]
        return report

    # --- on the controller --------------------------------------------------

    @pytest.hookimpl(tryfirst=True)  # before junitxml, which writes each property as str(value)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._record(report)
        if not self._is_worker():  # a worker sends the data on to the controller as it is
            # JUnit XML shows properties as str(value): give it JSON, not Python reprs
            report.user_properties = [(n, v if isinstance(v, str) else json.dumps(v, default=str)) for n, v in report.user_properties]

    def _record(self, report: pytest.TestReport) -> None:
        data: dict[str, Any] = {}
        files: list[str] = []
        for name, value in report.user_properties:
            if name == PROPERTY and isinstance(value, dict):
                data = value
            elif name == "cni_sandbox_files" and isinstance(value, list):
                files = [str(f) for f in value]
        rec = self.records.get(report.nodeid)
        if rec is None:
            rec = self.records[report.nodeid] = {
                "nodeid": report.nodeid,
                "name": data.get("name") or report.nodeid.rsplit("::", 1)[-1],
                "rules": list(data.get("rules") or []),
                "profile_check": data.get("profile_check"),
                "version": data.get("version"),
                "outcome": "pass",
                "blocked_by": None,
                "message": None,
                "reproducer": None,
                "calls": [],
                "duration": 0.0,
                "worker": getattr(report, "worker_id", None) or getattr(getattr(getattr(report, "node", None), "gateway", None), "id", None),
            }
        rec["duration"] = round(rec["duration"] + (report.duration or 0.0), 4)
        if files:
            rec["sandbox_files"] = files
        if data.get("calls"):
            rec["calls"] = data["calls"]
        if report.when == "setup":
            if report.skipped:
                _skipped(rec, _skip_reason(report))
            elif report.failed:
                rec["outcome"] = "error"
                rec["message"] = "setup failed: " + (data.get("message") or report.longreprtext)
        elif report.when == "call":
            wasxfail = getattr(report, "wasxfail", None)
            if report.passed:
                rec["outcome"] = "pass"
            elif report.failed:
                rec["outcome"] = "fail" if data.get("message") is not None else "error"
                rec["message"] = data.get("message") or report.longreprtext
            elif wasxfail is not None and str(wasxfail).startswith("SHOULD-level"):
                rec["outcome"] = "warning"
                rec["message"] = data.get("message") or report.longreprtext
            elif wasxfail is not None:
                rec["outcome"] = "skip"
                rec["message"] = f"expected failure (xfail): {wasxfail}"
            else:
                _skipped(rec, _skip_reason(report))
            Gate.apply(rec, report, data)  # a known or waived finding keeps its real outcome
            if rec["outcome"] in ("fail", "warning", "error"):
                rec["reproducer"] = data.get("reproducer")
        elif report.when == "teardown" and report.failed and data.get("sandbox_breach"):
            rec.update(outcome="fail", rules=data["rules"], message=data.get("message") or report.longreprtext, profile_check=None)
        elif report.when == "teardown" and report.failed and rec["outcome"] in ("pass", "skip", "not-applicable", "blocked"):
            rec["outcome"] = "error"
            rec["message"] = "teardown failed: " + (data.get("message") or report.longreprtext)

    def _is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    def build(self) -> dict[str, Any] | None:
        """The run as report data (None when no plugin is under test)."""
        if self.run is not None:
            return self.run
        target = self.config.stash.get(TARGET_KEY, None)
        if target is None:
            return None
        tests = [self.records[k] for k in self.records]
        for t in tests:
            if t["outcome"] in ("fail", "warning"):
                t["identity"] = identity(t)  # what --cni-baseline and `cnitest report diff` match on
        try:
            tested = target.versions()
        except Exception:  # noqa: BLE001
            tested = []
        answer = target.version_answer
        if answer is None:
            answer = _ask_version(target)
        settings = target.settings
        workers = getattr(self.config.option, "numprocesses", None)
        self.run = model.derive(
            {
                "plugin": {
                    "path": str(target.plugin),
                    "name": target.plugin.name,
                    "sha256": model.sha256_of(str(target.plugin)),
                    "profile": target.profile.name,
                    "kind": target.profile.kind,
                    "config": target.template.source,
                    "cni_path": list(target.cni_path),
                    "version_answer": _answer(answer),
                },
                "harness_version": model.harness_version(),
                "environment": model.environment(),
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
                "duration": round(time.time() - self.started, 3),
                "options": {"versions": list(settings.versions), "strict": settings.strict, "workers": workers if isinstance(workers, int) else 0},
                "versions": list(tested),
                "tests": tests,
                "interrupted": self.interrupted,
            }
        )
        gate = self.config.pluginmanager.get_plugin("cnitest-gate")
        if gate is not None:
            gate.annotate(self.run)
        return self.run

    def pytest_keyboard_interrupt(self) -> None:
        self.interrupted = True

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.interrupted = self.interrupted or session.exitstatus == pytest.ExitCode.INTERRUPTED
        if self._is_worker() or not (self.paths or self.reproducers):
            return
        run = self.build()
        if run is None:
            return
        if self.reproducers is not None:
            from .summary import write_reproducers

            write_reproducers(run, self.reproducers)
        doc = model.document([run])
        for path in self.paths:
            write(doc, path)
            self.written.append(path)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self._is_worker():
            return
        run = self.build()
        if run is None:
            return
        from .summary import write_summary

        write_summary(terminalreporter, run, self.written, self.reproducers)


def _answer(inv: Any) -> dict[str, Any] | None:
    if inv is None:
        return None
    from .. import versions

    return {
        "exit_code": inv.exit_code,
        "stdout": inv.stdout.decode("utf-8", "replace")[:4000],
        "cni_version": (inv.result or {}).get("cniVersion") if isinstance(inv.result, dict) else None,
        "supported_versions": versions.listed(inv),
    }


def _ask_version(target: Any) -> Any:
    """Ask the plugin VERSION once, in a sandbox namespace (the controller of an xdist run never collected)."""
    from .. import netns, versions

    try:
        with netns.new("report-version") as host:
            return versions.ask(target.runner(host))
    except Exception:  # noqa: BLE001
        return None
