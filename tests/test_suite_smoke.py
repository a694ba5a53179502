"""The smoke suite passes on a correct plugin (example-wrong-mac, proven by test_faulty_plugins.py, fails it)."""

from .conftest import SUITES, require_go, run_suite


def test_smoke_passes_on_go_bridge():
    run = run_suite(require_go("bridge"), str(SUITES / "test_smoke.py"))
    assert run.returncode == 0 and not run.failed(), run
    assert "test_add_check_del[1.0.0]" in run.passed()


def test_parallel_and_serial_runs_agree():
    plugin = require_go("bridge")
    suite = [str(SUITES / "test_smoke.py"), str(SUITES / "test_errors.py")]
    serial = run_suite(plugin, *suite)
    parallel = run_suite(plugin, *suite, "-n", "2")
    assert serial.outcomes and serial.returncode == parallel.returncode
    assert {k: v[0] for k, v in serial.outcomes.items()} == {k: v[0] for k, v in parallel.outcomes.items()}
