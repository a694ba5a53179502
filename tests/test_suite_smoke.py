"""The smoke suite passes on a correct plugin, and a lying MAC fails the MAC's rule only
(example-wrong-mac; that it is caught at all is also proven by test_faulty_plugins.py)."""

from .conftest import FAULTY, SUITES, require_go, run_suite


def test_smoke_passes_on_go_bridge():
    run = run_suite(require_go("bridge"), str(SUITES / "test_smoke.py"))
    assert run.returncode == 0 and not run.failed(), run
    assert {"test_add_prints_a_result[1.0.0]", "test_add_reports_the_real_mac[1.0.0]", "test_del_removes_the_interface[1.0.0]"} <= set(run.passed())


def test_a_lying_mac_fails_its_own_rule_and_no_other():
    require_go("bridge")
    run = run_suite(FAULTY / "faulty" / "example-wrong-mac" / "bridge", str(SUITES / "test_smoke.py"), "--cni-version=1.0.0")
    assert run.returncode == 1, run
    # the MAC's own rule; and CHECK, which Go bridge fails against the lying prevResult; nothing else
    assert "test_add_reports_the_real_mac[1.0.0]" in run.failed(), run
    assert set(run.failed()) <= {"test_add_reports_the_real_mac[1.0.0]", "test_check_after_add[1.0.0]"}, run


def test_parallel_and_serial_runs_agree():
    plugin = require_go("bridge")
    suite = [str(SUITES / "test_smoke.py"), str(SUITES / "test_errors.py")]
    serial = run_suite(plugin, *suite)
    parallel = run_suite(plugin, *suite, "-n", "2")
    assert serial.outcomes and serial.returncode == parallel.returncode
    assert {k: v[0] for k, v in serial.outcomes.items()} == {k: v[0] for k, v in parallel.outcomes.items()}
