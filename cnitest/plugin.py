"""The pytest plugin: options, markers, fixtures, version parametrization, levels.

Loaded through the `pytest11` entry point. With --cni-plugin and no test paths
on the command line, the bundled suites are collected from wherever the package
is installed, so `pytest --cni-plugin=./bridge` works from any directory.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import signal
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import options, versions
from .fixtures import (  # noqa: F401  (fixtures are registered by being here)
    TARGET_KEY,
    attach,
    attachment,
    cni,
    cni_container_id,
    cni_ifname,
    cni_sandbox,
    cni_target,
    container_ns,
    host_ns,
    netconf,
    netconf_factory,
    netns_factory,
)

if TYPE_CHECKING:
    from .rules import Rule

__all__ = [
    "attach", "attachment", "cni", "cni_container_id", "cni_ifname", "cni_target", "container_ns", "host_ns", "netconf",
    "netconf_factory", "netns_factory", "pytest_addoption", "pytest_collection_modifyitems", "pytest_configure",
    "pytest_generate_tests", "pytest_runtest_makereport", "pytest_runtest_teardown", "pytest_sessionstart",
    "pytest_terminal_summary",
]

SETTINGS_KEY = pytest.StashKey[options.Settings]()
MACHINE_KEY = pytest.StashKey[object]()  # cnitest.machine.Snapshot at session start
WATCHER_KEY = pytest.StashKey[object]()  # cnitest.machine.Watcher: snapshots after each test
BREACH_KEY = pytest.StashKey[list[str]]()  # what a test changed on the machine (item.stash)

MARKERS = (
    "cni_rule(*ids): the spec rule(s) a test checks, by id in cnitest.rules",
    "cni_versions(min=None, max=None): limit the spec versions a test runs at",
    "cni_kinds(*kinds): plugin kinds (interface, ipam, chained) the test applies to",
    "cni_profile_check(what): a check of the profile's promised kernel effect, not of a spec rule",
    "cni_many_attachments: the test needs several attachments live at once (not applicable to one-device profiles)",
    "cni_overview: a quick pass over rules other tests check in depth; deselected where a test without it checks the same rules at the same version",
)


def suites_dir() -> Path:
    spec = importlib.util.find_spec("cnitest.suites")
    assert spec is not None and spec.origin is not None, "cnitest.suites is not installed"
    return Path(spec.origin).parent


def pytest_addoption(parser: pytest.Parser) -> None:
    """The --cni-* options, in one group (checked by cnitest.options.parse)."""
    group = parser.getgroup("cni", "CNI plugin conformance (cnitest)")
    group.addoption("--cni-plugin", metavar="PATH", help="the CNI plugin executable under test")
    group.addoption(
        "--cni-path",
        metavar="DIRS",
        default="",
        help="extra plugin directories, colon-separated; CNI_PATH is the plugin's own directory, then these",
    )
    group.addoption("--cni-profile", metavar="NAME", help="use the built-in profile NAME (e.g. bridge) whatever the plugin's file name")
    group.addoption("--cni-config", metavar="FILE", help="a network config or conflist to use instead of the built-in profile")
    group.addoption(
        "--cni-version",
        metavar="V",
        action="append",
        default=[],
        help=f"spec version to test (repeatable); default: every version the plugin lists that cnitest knows ({', '.join(versions.KNOWN)}), or when VERSION gives no usable list the version(s) the configuration names",
    )
    # no argparse type= or choices=: argparse would print a usage block; options.parse gives one line
    group.addoption("--cni-timeout", metavar="SECONDS", default=str(options.DEFAULT_TIMEOUT), help="timeout per plugin call (default %(default)s)")
    group.addoption("--cni-strict", action="store_true", help="SHOULD-level findings fail instead of being reported as warnings")
    group.addoption("--cni-hypothesis-profile", metavar="ci|thorough", default=None, help="hypothesis profile of the IPAM property tests: ci (fast, derandomized; default) or thorough")
    group.addoption("--cni-rootless", action="store_true", help="run in a user namespace even as root (the default for other users): a plugin's root is then not the machine's")
    group.addoption("--cni-rule", metavar="ID", action="append", default=[], help="run only the tests of this rule id (repeatable; glob, e.g. 'del.*'; see cnitest rules)")
    group.addoption("--cni-report", metavar="FILE", action="append", default=[], help="write a spec-compliance report; format by extension: .html, .json, .md (repeatable)")
    group.addoption("--cni-reproducers", metavar="DIR", help="write one replay script (bash, as root) per failure into DIR; they exit 1 while the fault shows")
    group.addoption("--cni-baseline", metavar="REPORT.json", help="a JSON report of an earlier run: its findings are known and do not fail this run; new ones do")
    group.addoption("--cni-waivers", metavar="FILE", help="a TOML waiver file: findings of the rules it lists (ids or globs) do not fail, shown with their reason")
    group.addoption("--cni-diff-against", metavar="PLUGIN", help="another build of the plugin: a differential test drives both through the same operations and fails on the first difference")


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    try:
        settings = options.parse(lambda dest: config.getoption(dest, None))
    except options.OptionError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[SETTINGS_KEY] = settings
    config.stash[TARGET_KEY] = None
    controller = _xdist_controller(config)
    if (config.getoption("cni_hypothesis_profile", None) or settings.plugin is not None) and not controller:
        # imports hypothesis: only when a plugin is tested or a profile asked for, and never on the
        # xdist controller, which runs no test: its start-up is on the critical path of every worker
        from . import hypothesis_settings

        hypothesis_settings.configure(config)  # --cni-hypothesis-profile
    if settings.plugin is None and not any(config.getoption(o, None) for o in ("cni_report", "cni_reproducers", "cni_baseline", "cni_waivers")):
        return  # nothing to test or report: the plugin costs nothing more
    config.pluginmanager.import_plugin("cnitest.report.collect")  # --cni-report files and the verdict summary
    if config.getoption("cni_baseline") or config.getoption("cni_waivers"):
        from .report.gate import Gate

        config.pluginmanager.register(Gate(config.getoption("cni_baseline"), config.getoption("cni_waivers")), "cnitest-gate")
    if settings.plugin is None:
        return
    if settings.rootless and not hasattr(config, "workerinput"):
        from .sandbox import SandboxUnavailable, enter_user_namespace

        try:
            enter_user_namespace()
        except SandboxUnavailable as exc:
            raise pytest.UsageError(f"--cni-rootless: {exc}") from None
    from .target import Target, UnknownPlugin

    try:
        target = Target.from_settings(settings)
        target.check_delegates()  # a missing IPAM plugin: a usage error, not a verdict
        config.stash[TARGET_KEY] = target
    except (UnknownPlugin, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from None
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args = [str(suites_dir())]
    if not hasattr(config, "workerinput"):
        signal.signal(signal.SIGTERM, _terminate)  # SIGTERM ends the run as Ctrl-C does: reported, "incomplete"


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt("SIGTERM")


def _xdist_controller(config: pytest.Config) -> bool:
    """This process hands tests to xdist workers and runs none itself (-n N with N > 0)."""
    if hasattr(config, "workerinput"):
        return False
    return getattr(config.option, "dist", "no") != "no" and bool(getattr(config.option, "numprocesses", None) or getattr(config.option, "tx", None))


def _version_range(item: pytest.Function | pytest.Metafunc) -> tuple[str, str]:
    low, high = versions.KNOWN[0], versions.KNOWN[-1]
    definition = item.definition if isinstance(item, pytest.Metafunc) else item
    for mark in definition.iter_markers("cni_versions"):
        if mark.kwargs.get("min") and versions.key(mark.kwargs["min"]) > versions.key(low):
            low = mark.kwargs["min"]
        if mark.kwargs.get("max") and versions.key(mark.kwargs["max"]) < versions.key(high):
            high = mark.kwargs["max"]
    for rule in _rules_of(definition):
        if versions.key(rule.since) > versions.key(low):
            low = rule.since
        if rule.until and versions.key(rule.until) < versions.key(high):
            high = rule.until
    return low, high


def _rule_ids(node: pytest.Item) -> list[str]:
    return [rule_id for mark in node.iter_markers("cni_rule") for rule_id in mark.args]


def _rules_of(node: pytest.Item) -> list[Rule]:
    """The catalog rules a test cites; unknown ids are left out here and reported as a
    one-line usage error by pytest_collection_modifyitems (not a collection traceback)."""
    from . import rules

    return [rules.RULES[rule_id] for rule_id in _rule_ids(node) if rule_id in rules.RULES]


def _check_rule_ids(items: list[pytest.Item]) -> None:
    for item in items:
        for rule_id in _rule_ids(item):
            from . import rules  # only once a test cites a rule

            if rule_id not in rules.RULES:
                try:
                    rules.get(rule_id)
                except KeyError as exc:
                    raise pytest.UsageError(f"{item.nodeid}: cni_rule: {exc.args[0]}") from None


def _select_rules(config: pytest.Config, items: list[pytest.Item]) -> None:
    """--cni-rule GLOB: keep only the tests citing a matching rule id; deselect the rest."""
    globs = config.stash[SETTINGS_KEY].rule_globs
    if not globs:
        return
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        ids = _rule_ids(item)
        (keep if any(fnmatch.fnmatchcase(i, g) for i in ids for g in globs) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _drop_overview_duplicates(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect each `cni_overview` test whose rules another collected test checks at the same
    spec version: one plugin bug is one finding. Run alone, an overview module keeps all its tests."""

    def key(item: pytest.Item) -> tuple[frozenset[str], object]:
        callspec = getattr(item, "callspec", None)
        return frozenset(_rule_ids(item)), callspec.params.get("cni_version") if callspec else None

    covered = {key(i) for i in items if not i.get_closest_marker("cni_overview") and _rule_ids(i)}
    drop = [i for i in items if i.get_closest_marker("cni_overview") and _rule_ids(i) and key(i) in covered]
    if drop:
        config.hook.pytest_deselected(items=drop)
        dropped = set(drop)
        items[:] = [i for i in items if i not in dropped]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "cni_version" not in metafunc.fixturenames:
        return
    if any(m.name == "parametrize" and "cni_version" in str(m.args[0]) for m in metafunc.definition.iter_markers()):
        return
    target = metafunc.config.stash.get(TARGET_KEY, None)
    candidates = target.versions() if target else list(versions.KNOWN)
    low, high = _version_range(metafunc)
    if target and versions.key(target.profile.min_version) > versions.key(low):
        low = target.profile.min_version
    chosen = [v for v in candidates if versions.key(low) <= versions.key(v) <= versions.key(high)]
    if chosen:
        metafunc.parametrize("cni_version", chosen, ids=chosen)
    else:
        metafunc.parametrize(
            "cni_version",
            [pytest.param(None, marks=pytest.mark.skip(reason=f"not applicable: needs spec {low}..{high}, plugin tested at {', '.join(candidates)}"))],
            ids=["n/a"],
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _check_rule_ids(items)
    _select_rules(config, items)
    _drop_overview_duplicates(config, items)
    target = config.stash.get(TARGET_KEY, None)
    if target is None:
        return
    kind = target.profile.kind
    disabled = {verb for verb, off in (("check", target.template.disable_check), ("gc", target.template.disable_gc)) if off}
    for item in items:
        kinds = {k for m in item.iter_markers("cni_kinds") for k in m.args}
        if not kinds:
            kinds = {k for r in _rules_of(item) for k in r.kinds}
        verbs = {r.id.split(".", 1)[0] for r in _rules_of(item)}
        if verbs and verbs <= disabled:
            key = "disableCheck" if "check" in verbs else "disableGC"
            item.add_marker(pytest.mark.skip(reason=f"not applicable: the conflist sets {key}, so a runtime never calls {'CHECK' if key == 'disableCheck' else 'GC'} for it"))
        elif kinds and "any" not in kinds and kind not in kinds:
            item.add_marker(pytest.mark.skip(reason=f"not applicable: checks {'/'.join(sorted(kinds))} plugins, this is a {kind} plugin"))
        elif target.profile.one_attachment and item.get_closest_marker("cni_many_attachments"):
            item.add_marker(pytest.mark.skip(reason=f"not applicable: needs several live attachments; the {target.profile.name} profile serves one at a time"))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Say so when VERSION gave no usable list and the versions came from the configuration instead."""
    target = config.stash.get(TARGET_KEY, None)
    if target is None or hasattr(config, "workerinput"):
        return
    try:
        tested = target.versions()
    except Exception:  # noqa: BLE001 - the summary never turns into a harness error
        return
    if target.version_answer is not None and not target.settings.versions and target.versions_why.startswith("the plugin's VERSION"):
        terminalreporter.write_line(f"cnitest: tested at {', '.join(tested) or 'no version'}: {target.versions_why}", yellow=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed test whose rules are all below MUST at the test's cni_version is a warning unless --cni-strict."""
    report = yield
    if report.when != "call" or not report.failed or call.excinfo is None:
        return report
    if not call.excinfo.errisinstance((AssertionError, pytest.fail.Exception)):
        return report  # a harness error is never downgraded
    rules = _rules_of(item)
    settings = item.config.stash[SETTINGS_KEY]
    callspec = getattr(item, "callspec", None)
    version = callspec.params.get("cni_version") if callspec else None
    if rules and all(r.level_at(version) != "MUST" for r in rules) and not settings.strict:
        report.outcome = "skipped"
        report.wasxfail = "SHOULD-level finding (a warning; --cni-strict fails it): " + ", ".join(r.id for r in rules)
    return report


def pytest_sessionstart(session: pytest.Session) -> None:
    if session.config.stash.get(TARGET_KEY, None) is not None and not _xdist_controller(session.config):  # workers watch
        from . import machine

        watcher = machine.Watcher()  # on the main thread, which stays in the machine's namespace
        session.config.stash[WATCHER_KEY] = watcher
        session.config.stash[MACHINE_KEY] = watcher.snapshot()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    """After the test's fixtures are gone: did anything change the machine? Fail it under the sandbox rule."""
    result = yield
    before = item.config.stash.get(MACHINE_KEY, None)
    if before is None:
        return result
    from . import machine, rules

    watcher = item.config.stash[WATCHER_KEY]
    after = watcher.snapshot()  # type: ignore[attr-defined]
    changed = machine.changes(before, after)  # type: ignore[arg-type]
    if changed:
        left = machine.undo(before, after)  # type: ignore[arg-type]
        watcher.forget()  # type: ignore[attr-defined]
        item.stash[BREACH_KEY] = changed
        undone = "; not undone: " + ", ".join(left) if left else "; undone"
        raise AssertionError(f"[{rules.SANDBOX_RULE}] the test changed the machine outside its sandbox{undone}:\n" + "\n".join(f"  {c}" for c in changed))
    return result
