"""The pytest plugin's command line: usage errors exit 4 with a one-line reason."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FAULTY, SUITES, require_go, run_suite


def pytest_run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "make_args, reason",
    [
        (lambda tmp: [f"--cni-plugin={tmp / 'missing'}"], "is not a file"),
        (lambda tmp: [f"--cni-plugin={SUITES / '__init__.py'}"], "is not executable"),
        (lambda tmp: [f"--cni-plugin={FAULTY / 'echo-env'}"], "no built-in profile for a plugin named 'echo-env'"),
        (lambda tmp: ["--cni-plugin=/usr/lib/cni/bridge", "--cni-version=9.9.9"], "unknown spec version 9.9.9"),
        (lambda tmp: ["--cni-plugin=/usr/lib/cni/bridge", f"--cni-config={tmp / 'nope.json'}"], "is not a file"),
        (lambda tmp: ["--cni-plugin=/usr/lib/cni/bridge", "--cni-timeout=0"], "not a positive number"),
        (lambda tmp: ["--cni-plugin=/usr/lib/cni/bridge", f"--cni-config={_conflist(tmp, disableCheck='yes')}"],
         "disableCheck must be true or false"),
        (lambda tmp: ["--cni-plugin=/usr/lib/cni/bridge", f"--cni-config={_conflist(tmp, name='two words')}"],
         "is not a valid 1.0.0 conflist: name"),
        (lambda tmp: ["--cni-plugin=/usr/lib/cni/bridge", f"--cni-config={_conflist(tmp, plugins=[])}"], "must be a non-empty list of plugin objects"),
        (lambda tmp: ["--cni-plugin=/usr/lib/cni/bridge", f"--cni-config={_conflist(tmp, cniVersion='abc')}"],
         "no known cniVersion in cniVersion 'abc'"),
    ],
)
def test_usage_errors_exit_4(tmp_path, make_args, reason):
    done = pytest_run(tmp_path, *make_args(tmp_path))
    assert done.returncode == 4, done.stdout + done.stderr
    assert reason in done.stderr, done.stderr


def _conflist(tmp: Path, **top: object) -> Path:
    """A bridge conflist at 1.0.0 with top-level keys changed (`top`)."""
    doc = {"cniVersion": "1.0.0", "name": "cl", "plugins": [
        {"type": "bridge", "bridge": "br9", "ipam": {"type": "host-local", "subnet": "10.9.0.0/24"}}], **top}
    path = tmp / f"conflist-{len(list(tmp.glob('conflist-*')))}.json"
    path.write_text(json.dumps(doc))
    return path


def test_disable_check_makes_the_check_tests_not_applicable(tmp_path):
    """disableCheck: a runtime must not call CHECK for the list, so its CHECK rules do not apply."""
    bridge = require_go("bridge")
    run = run_suite(bridge, str(SUITES / "test_check.py"), "--cni-version=1.0.0",
                    f"--cni-config={_conflist(tmp_path, disableCheck=True)}")
    assert run.returncode == 0 and not run.failed(), run
    skipped = {name: msg for name, (outcome, msg) in run.outcomes.items() if outcome == "skipped"}
    assert run.outcomes and len(skipped) == len(run.outcomes), run.outcomes
    others = {name: msg for name, msg in skipped.items() if "the conflist sets disableCheck" not in msg and "[n/a]" not in name}
    assert not others, others


def test_cni_versions_of_a_conflist_bound_the_versions_tested(tmp_path):
    """cniVersions (1.1.0): only the versions the list names, and the plugin lists, are tested."""
    bridge = require_go("bridge")  # Debian's Go bridge lists 0.1.0 .. 1.0.0
    conflist = _conflist(tmp_path, cniVersion="1.1.0", cniVersions=["0.4.0", "1.1.0"])
    run = run_suite(bridge, str(SUITES / "test_smoke.py"), f"--cni-config={conflist}")
    assert run.returncode == 0, run
    assert run.outcomes and all(name.endswith("[0.4.0]") for name in run.outcomes), sorted(run.outcomes)


def test_unknown_plugin_works_with_a_config_file(tmp_path):
    bridge = require_go("bridge")
    link = tmp_path / "mybridge"
    link.symlink_to(bridge)
    conf = tmp_path / "conf.json"
    conf.write_text('{"cniVersion": "1.0.0", "name": "x", "type": "mybridge", "bridge": "br9", '
                    '"ipam": {"type": "host-local", "subnet": "10.9.0.0/24"}}')
    done = pytest_run(tmp_path, str(SUITES / "test_smoke.py"), f"--cni-plugin={link}", "--cni-path=/usr/lib/cni",
                      f"--cni-config={conf}", "--cni-version=1.0.0", "-q")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "passed" in done.stdout


def test_explicit_test_paths_get_the_fixtures(tmp_path):
    require_go("bridge")
    (tmp_path / "test_mine.py").write_text(
        "def test_mine(cni, netconf, container_ns, cni_version):\n"
        "    add = cni.invoke('ADD', netconf, container_ns, 'eth0', 'mine')\n"
        "    assert add.succeeded and add.valid, add.describe()\n"
        "    assert container_ns.snapshot().link('eth0') is not None\n")
    done = pytest_run(tmp_path, "test_mine.py", "--cni-plugin=/usr/lib/cni/bridge", "-q")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "6 passed" in done.stdout  # one per version Go bridge lists: only this file ran


RULE_SUITE = '''
import pytest

@pytest.mark.cni_rule("del.idempotent")
def test_del():
    pass

@pytest.mark.cni_rule("add.creates-ifname")
def test_add():
    pass
'''


@pytest.mark.parametrize("globs, selected", [(["del.*"], "1 passed, 1 deselected"), (["del.idempotent", "add.*"], "2 passed")])
def test_cni_rule_selects_tests_by_rule_id(tmp_path, globs, selected):
    (tmp_path / "test_rules.py").write_text(RULE_SUITE)
    done = pytest_run(tmp_path, "-p", "no:xdist", "test_rules.py", *(f"--cni-rule={g}" for g in globs))
    assert done.returncode == 0 and selected in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("suite, option, reason", [
    (RULE_SUITE, "--cni-rule=nope.*", "--cni-rule: unknown rule id 'nope.*'"),
    (RULE_SUITE.replace("add.creates-ifname", "add.bogus"), None, "test_add: cni_rule: unknown rule id 'add.bogus'"),
])
def test_unknown_rule_ids_are_one_line_usage_errors(tmp_path, suite, option, reason):
    (tmp_path / "test_rules.py").write_text(suite)
    done = pytest_run(tmp_path, "-p", "no:xdist", "test_rules.py", *([option] if option else []))
    assert done.returncode == 4, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and reason in lines[0], done.stderr


def test_cni_profile_picks_a_built_in_profile_for_any_name(tmp_path):
    link = tmp_path / "mybridge"
    link.symlink_to(require_go("bridge"))
    (tmp_path / "test_p.py").write_text("def test_p(cni_target):\n    assert cni_target.profile.name == 'bridge'\n"
                                         "    assert cni_target.profile.kind == 'interface'\n")
    done = pytest_run(tmp_path, "-p", "no:xdist", f"--cni-plugin={link}", "--cni-profile=bridge", f"--cni-path={link.resolve().parent}", "test_p.py")
    assert done.returncode == 0, done.stdout + done.stderr
    done = pytest_run(tmp_path, "-p", "no:xdist", f"--cni-plugin={link}", "--cni-profile=nope", "test_p.py")
    assert done.returncode == 4 and "--cni-profile: no built-in profile 'nope'" in done.stderr, done.stderr


def test_tap_and_dummy_have_profiles():
    from cnitest import profiles

    assert profiles.for_plugin("tap") is not None and profiles.for_plugin("tap").kernel == ("tap",)
    assert profiles.for_plugin("dummy") is not None


CHAIN_ORDER_TEST = '''
from pathlib import Path

import cnitest.runner

CALLS = []
_invoke = cnitest.runner.Runner.invoke


def _spy(self, verb, *args, **kwargs):
    CALLS.append((verb, Path(self.plugin).name))
    return _invoke(self, verb, *args, **kwargs)


cnitest.runner.Runner.invoke = _spy


def test_add_of_the_last_entry(attach, netconf):
    with attach(netconf) as att:
        assert att.add().succeeded


def test_the_calls_came_in_libcni_order():
    verbs = [c for c in CALLS if c[0] in ("ADD", "DEL")]
    assert verbs == [("ADD", "ptp"), ("ADD", "tuning"), ("ADD", "portmap"),
                     ("DEL", "portmap"), ("DEL", "tuning"), ("DEL", "ptp")], verbs
'''


def test_a_chained_conflist_is_added_in_order_and_deleted_in_reverse(tmp_path):
    """libcni's order for the base plugins of a `--cni-config` conflist: ADD in list order,
    the plugin under test last; at teardown DEL of the plugin under test first, then the
    base plugins in reverse order."""
    for name in ("ptp", "tuning", "portmap"):
        require_go(name)
    conflist = tmp_path / "chain.conflist"
    conflist.write_text(json.dumps({"cniVersion": "1.0.0", "name": "chain", "plugins": [
        {"type": "ptp", "ipam": {"type": "host-local", "subnet": "10.98.0.0/24"}},
        {"type": "tuning", "sysctl": {}},
        {"type": "portmap", "capabilities": {"portMappings": True}},
    ]}))
    (tmp_path / "test_order.py").write_text(CHAIN_ORDER_TEST)
    done = pytest_run(tmp_path, "test_order.py", "--cni-plugin=/usr/lib/cni/portmap", "--cni-path=/usr/lib/cni",
                      f"--cni-config={conflist}", "--cni-version=1.0.0", "-p", "no:randomly", "-q")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "2 passed" in done.stdout, done.stdout[-3000:]


def test_overview_tests_give_way_to_the_suites_that_check_the_same_rule(tmp_path):
    """The smoke module (cni_overview) run with the other suites: its tests of rules the
    others check too are deselected, so a wrong MAC is one finding; run alone, it keeps all."""
    require_go("bridge")
    both = pytest_run(tmp_path, str(SUITES / "test_smoke.py"), str(SUITES / "test_results.py"), "--cni-plugin=/usr/lib/cni/bridge",
                      "--cni-version=1.0.0", "--co", "-q")
    assert "test_smoke.py::test_add_reports_the_real_mac" not in both.stdout, both.stdout
    assert "test_results.py::test_reported_macs_are_real[1.0.0]" in both.stdout, both.stdout
    assert "test_smoke.py::test_version_answers[1.0.0]" in both.stdout, both.stdout  # test_results checks no VERSION rule
    alone = pytest_run(tmp_path, str(SUITES / "test_smoke.py"), "--cni-plugin=/usr/lib/cni/bridge", "--cni-version=1.0.0", "--co", "-q")
    assert "test_smoke.py::test_add_reports_the_real_mac[1.0.0]" in alone.stdout and "deselected" not in alone.stdout, alone.stdout
