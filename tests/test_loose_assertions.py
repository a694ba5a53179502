"""Assertions that used to pass on a broken plugin, each proven on a faulty one.

A tightened test either catches the fault (fails or warns) or, when the fault leaves
its rule nothing to judge, ends blocked or not applicable: never passed.
The catches that fit the suites' fault tables are there (test_suites_lifecycle:
check-crashes-below-040; test_suites_protocol: ignores-missing-containerid at 0.4.0).
"""

from __future__ import annotations

from .conftest import FAULTY, SUITES, require_go, run_suite


def test_check_refusal_needs_a_working_add():
    """Below 0.4.0 a CHECK refused because ADD failed too proves nothing: blocked, not passed."""
    require_go("bridge")
    run = run_suite(FAULTY / "faulty" / "add-fails-below-040" / "bridge", str(SUITES / "test_check.py"),
                    "--cni-version=0.3.1", "-k", "test_check_refused_below_0_4_0")
    outcome, msg = run.outcomes["test_check_refused_below_0_4_0[0.3.1]"]
    assert outcome == "skipped" and msg.startswith("blocked by add.result.stdout"), run


def test_code_4_checks_try_empty_variables():
    require_go("bridge")
    run = run_suite(FAULTY / "faulty" / "env-empty-wrong-code" / "bridge", str(SUITES / "test_environment.py"),
                    "--cni-version=1.0.0", "-k", "test_required_variable_missing_code_4")
    warned = set(run.warned())
    assert "test_required_variable_missing_code_4[1.0.0-ADD-CNI_IFNAME-empty]" in warned, run
    assert not any(name.endswith("-unset]") for name in warned), run  # unset variables still get code 4
    assert not run.failed(), run


def test_unsupported_field_refused_with_another_code_is_not_a_pass():
    require_go("bridge")
    run = run_suite(FAULTY / "faulty" / "unsupported-field-code7" / "bridge", str(SUITES / "test_errors.py"),
                    "--cni-version=1.0.0", "-k", "test_unsupported_field_message")
    outcome, msg = run.outcomes["test_unsupported_field_message[1.0.0]"]
    assert outcome == "skipped" and msg.startswith("not applicable") and "code 7" in msg, run
