"""Every faulty plugin in tests/plugins/faulty/ is caught by the suite tests its CAUGHT_BY names.

The format is documented in tests/plugins/faulty/faults.py. Each fault.py declares, with
`faults.caught(plugin, suite, version, test, text)`, which suite tests must catch it; no
level is written there. The level comes from the catching test's own `cni_rule` markers
at that spec version, exactly as cnitest's pytest_runtest_makereport decides it: a test
whose rules are all below MUST at the version reports its failure as a warning (a
failure under --cni-strict); any other test (a MUST rule, or no rule at all: the profile
checks, the data plane) fails.

One run per (fault, plugin, version), by node id, of only the tests named; a second run
with --cni-strict where a named test is below MUST. The faults wrapping the Python
reference plugins (REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS) run with that directory
as --cni-path, so their delegates speak 1.1.0 too.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from cnitest import rules, versions

from .conftest import FAULTY, SUITES, run_suite

FAULTS_DIR = FAULTY / "faulty"
WRAPPER = FAULTS_DIR / "wrapper.py"


def _faults_module() -> ModuleType:
    """tests/plugins/faulty/faults.py, imported as `faults` (the name fault.py files import)."""
    if "faults" not in sys.modules:
        spec = importlib.util.spec_from_file_location("faults", FAULTS_DIR / "faults.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["faults"] = module
        spec.loader.exec_module(module)
    return sys.modules["faults"]


faults = _faults_module()


def fault_dirs() -> list[Path]:
    return sorted(p for p in FAULTS_DIR.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def load_fault(fault_dir: Path) -> ModuleType:
    """The fault's fault.py as a module (its hooks are not run here)."""
    spec = importlib.util.spec_from_file_location(f"fault_{fault_dir.name.replace('-', '_')}", fault_dir / "fault.py")
    assert spec and spec.loader, f"{fault_dir}: no fault.py"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _declared() -> dict[str, Any]:
    """fault name -> its CAUGHT_BY, or the exception that stopped reading it (reported by the first test)."""
    out: dict[str, Any] = {}
    for d in fault_dirs():
        try:
            module = load_fault(d)
            out[d.name] = module.PROVEN_BY if hasattr(module, "PROVEN_BY") and not hasattr(module, "CAUGHT_BY") else module.CAUGHT_BY
        except Exception as exc:  # noqa: BLE001 - a broken fault.py is a finding of test_fault_declares_what_catches_it
            out[d.name] = exc
    return out


DECLARED = _declared()


def _function_name(test: str) -> str:
    return test.split("[", 1)[0]


def _suite_module(suite: str) -> ModuleType:
    return importlib.import_module(f"cnitest.suites.{Path(suite).stem}")


def rule_ids(suite: str, test: str) -> list[str]:
    """The cni_rule ids the suite test cites (its own markers and the module's pytestmark)."""
    module = _suite_module(suite)
    marks = list(getattr(getattr(module, _function_name(test)), "pytestmark", []))
    module_marks = getattr(module, "pytestmark", [])
    marks += module_marks if isinstance(module_marks, list) else [module_marks]
    return [rule_id for mark in marks if mark.name == "cni_rule" for rule_id in mark.args]


def expected_outcome(case: Any) -> tuple[str, str]:
    """("failed" or "warning", why) for a caught() case, as the plugin's makereport hook decides it."""
    ids = rule_ids(case.suite, case.test)
    levels = {rule_id: rules.get(rule_id).level_at(case.version) for rule_id in ids}
    why = ", ".join(f"{rule_id} {level}" for rule_id, level in levels.items()) or "no cni_rule"
    if levels and all(level != "MUST" for level in levels.values()):
        return "warning", why
    return "failed", why


# --- every fault directory declares what catches it ------------------------------------------


@pytest.mark.parametrize("fault", sorted(DECLARED))
def test_fault_declares_what_catches_it(fault: str):
    """CAUGHT_BY is there, every entry names a plugin symlink of this directory, a suite test that
    exists and a known version, and every plugin symlink is proven by some entry."""
    declared = DECLARED[fault]
    assert not isinstance(declared, Exception), f"{fault}/fault.py cannot be read: {declared!r}"
    if isinstance(declared, str):  # PROVEN_BY: a test of tests/ that proves an outcome other than a catch
        module, _, function = declared.partition("::")
        path = Path(__file__).resolve().parent.parent / module
        assert path.is_file() and re.search(rf"^def {re.escape(function)}\(", path.read_text(), re.M), (
            f"{fault}: PROVEN_BY names {declared}, which does not exist")
        assert fault in path.read_text(), f"{fault}: {module} never runs it"
        return
    assert isinstance(declared, list) and declared, f"{fault}/fault.py declares no CAUGHT_BY: nothing proves the fault is caught"
    links = {p.name for p in (FAULTS_DIR / fault).iterdir() if p.is_symlink()}
    for case in declared:
        assert isinstance(case, faults.Caught), f"{fault}: {case!r} is not a faults.caught(...)"
        assert case.plugin in links, f"{fault}: no symlink {case.plugin} -> ../wrapper.py (has {sorted(links)})"
        assert (FAULTS_DIR / fault / case.plugin).resolve() == WRAPPER.resolve(), f"{fault}/{case.plugin} is not a link to wrapper.py"
        assert (SUITES / case.suite).is_file(), f"{fault}: no suite file {case.suite}"
        assert hasattr(_suite_module(case.suite), _function_name(case.test)), f"{fault}: {case.suite} has no {_function_name(case.test)}"
        assert case.version is None or versions.is_known(case.version), f"{fault}: unknown spec version {case.version}"
        for rule_id in rule_ids(case.suite, case.test):
            rules.get(rule_id)  # an unknown id raises KeyError, naming it
    assert len(set(declared)) == len(declared), f"{fault}: an entry is declared twice"
    assert links <= {c.plugin for c in declared}, f"{fault}: symlinks {sorted(links - {c.plugin for c in declared})} are never run"


# --- every fault is caught -------------------------------------------------------------------


def _groups() -> dict[tuple[str, str, str | None], list[Any]]:
    """(fault, plugin, version) -> its cases: one suite run each."""
    groups: dict[tuple[str, str, str | None], list[Any]] = defaultdict(list)
    for fault, declared in DECLARED.items():
        if isinstance(declared, list):
            for case in declared:
                if isinstance(case, faults.Caught):
                    groups[(fault, case.plugin, case.version)].append(case)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")))


def _params() -> list[Any]:
    params = []
    for (fault, plugin, version), cases in _groups().items():
        ident = f"{fault}-{plugin}-{version or 'unversioned'}"
        params.append(pytest.param(fault, plugin, version, cases, False, id=ident))
        try:
            below_must = any(expected_outcome(c)[0] == "warning" for c in cases)
        except Exception:  # noqa: BLE001 - a bad entry is reported by test_fault_declares_what_catches_it
            below_must = False
        if below_must:
            params.append(pytest.param(fault, plugin, version, cases, True, id=ident + "-strict"))
    return params


def _real_plugin_dir(fault: str, plugin: str) -> Path:
    """The real plugins' directory of this fault (also the suites' --cni-path); skip when the plugin is absent."""
    real_dir = Path(getattr(load_fault(FAULTS_DIR / fault), "REAL_PLUGIN_DIR", faults.GO_PLUGINS))
    if real_dir.resolve() == Path(faults.REFERENCE_PLUGINS).resolve():
        from .test_suites_extended import reference

        reference(plugin)  # writes the reference plugins' launchers (or skips)
    if not (real_dir / plugin).exists():
        pytest.skip(f"{fault} wraps {real_dir / plugin}, which is not installed")
    return real_dir


def _instances(run, case: Any) -> dict[str, tuple[str, str]]:
    """The run's outcomes of the case's test: that one case by full name, or every case of the function."""
    if "[" in case.test:
        return {name: got for name, got in run.outcomes.items() if name == case.test}
    return {name: got for name, got in run.outcomes.items() if name == case.test or name.startswith(case.test + "[")}


@pytest.mark.parametrize("fault, plugin, version, cases, strict", _params())
def test_fault_is_caught(fault: str, plugin: str, version: str | None, cases: list[Any], strict: bool):
    real_dir = _real_plugin_dir(fault, plugin)
    node_ids = sorted({f"{SUITES / c.suite}::{c.test}" for c in cases})
    args = [*node_ids, *([f"--cni-version={version}"] if version else []), *(["--cni-strict"] if strict else [])]
    run = run_suite(FAULTS_DIR / fault / plugin, *args, cni_path=str(real_dir))
    assert run.returncode in (0, 1) and run.outcomes, run
    for case in cases:
        outcome, why = expected_outcome(case)
        if strict:
            outcome = "failed"
        got = _instances(run, case)
        where = f"{fault} ({plugin}) by {case.suite}::{case.test} at {version} [{why}]{' --cni-strict' if strict else ''}"
        assert got, f"{where}: the test did not run; outcomes: {run.outcomes}\n{run!r}"
        hits = {name: msg for name, (o, msg) in got.items() if o == outcome}
        assert hits, f"{where}: expected {outcome}, got {({n: o for n, (o, _) in got.items()})}\n{run!r}"
        if outcome == "warning":
            failed = [name for name, (o, _) in got.items() if o == "failed"]
            assert not failed, f"{where}: below MUST, so a warning; these failed: {failed}\n{run!r}"
        elif case.text:  # a warning's message is only its xfail reason: the text is read under --cni-strict
            assert any(case.text in msg for msg in hits.values()), (
                f"{where}: failed, but no message contains {case.text!r}:\n" + "\n---\n".join(m[:3000] for m in hits.values()))
