"""A MUST test asserts exactly its rule's text: a plugin that keeps the rule and does something
else wrong, or something the rule does not mention, passes that test.

The faulty plugins here break only a SHOULD (the error object, error.json.on-stdout) or nothing
the spec forbids; their catches (when there are any) are declared in their fault.py.
"""

from __future__ import annotations

import pytest

from .conftest import FAULTY, SUITES, require_go, run_suite

FAULTS = FAULTY / "faulty"


def _passed(run, prefix: str) -> list[str]:
    names = [n for n in run.outcomes if n.startswith(prefix)]
    assert names, f"no {prefix}* ran:\n{run}"
    bad = {n: run.outcomes[n][0] for n in names if run.outcomes[n][0] != "passed"}
    assert not bad, f"expected every {prefix}* to pass: {bad}\n{run}"
    return names


@pytest.mark.parametrize("fault, plugin, suite, select, prefix", [
    ("unknown-command-bare-exit", "host-local", "test_environment.py", "test_unknown_command_fails", "test_unknown_command_fails["),
    ("ifname-refused-bare", "bridge", "test_environment.py", "test_ifname_ and refused", "test_ifname_"),
    ("add-missing-netns-bare", "bridge", "test_add.py", "test_add_fails_for_a_missing_netns", "test_add_fails_for_a_missing_netns["),
])
def test_a_missing_error_object_is_no_must_failure(fault, plugin, suite, select, prefix):
    """A refusal without an error object keeps the MUST (the call failed): those tests pass, and the
    SHOULD that asks for the object warns (the fault's CAUGHT_BY)."""
    require_go(plugin)
    run = run_suite(FAULTS / fault / plugin, str(SUITES / suite), "--cni-version=1.0.0", "-k", select)
    _passed(run, prefix)
    assert not run.failed(), run


def test_ifname_rules_judge_only_the_failure():
    """leaks-on-bad-ifname refuses with an error object after making eth0: no env.ifname.* finding."""
    require_go("bridge")
    run = run_suite(FAULTS / "leaks-on-bad-ifname" / "bridge", str(SUITES / "test_environment.py"), "--cni-version=1.0.0", "-k", "test_ifname_ and refused or test_bad_ifname_error_object")
    _passed(run, "test_ifname_")
    _passed(run, "test_bad_ifname_error_object[")
    assert not run.failed() and not run.warned(), run


def test_ifname_exists_rule_judges_only_the_failure():
    """add-clobbers-existing-ifname fails as it must, after stripping the squatter's addresses: it passes."""
    require_go("bridge")
    run = run_suite(FAULTS / "add-clobbers-existing-ifname" / "bridge", str(SUITES / "test_add.py"), "--cni-version=1.0.0",
                    "-k", "test_add_fails_when_ifname_exists")
    _passed(run, "test_add_fails_when_ifname_exists[")
