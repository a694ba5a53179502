"""cnitest.budget bounds a hypothesis run by time, and never turns a failure into a pass.

A fake clock stands for the plugin's slowness: each example "takes" one second.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnitest import hypothesis_settings
from cnitest.budget import Budget, RunBudget

SETTINGS = settings(max_examples=200, derandomize=True, database=None, deadline=None, report_multiple_bugs=False)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def budgeted(budget: Budget, clock: Clock, fails: object = None):
    """A hypothesis test of one second an example; `fails(x)` returns the exception to raise, if any."""

    @SETTINGS
    @given(x=st.integers(0, 1000))
    def test(x: int) -> None:
        clock.now += 1
        budget.begin_example()
        error = fails(x) if callable(fails) else None
        if error is not None:
            budget.failed(error, x)
            raise error

    return test


def test_generation_stops_when_the_time_is_out_and_the_test_passes():
    clock = Clock()
    budget = Budget(generate=5, shrink=5, clock=clock)
    budget.run(budgeted(budget, clock))
    assert budget.examples <= 7, budget.examples  # not the 200 hypothesis would run
    assert budget.note and "generation stopped" in budget.note and "no failure found" in budget.note


def test_a_passing_test_within_its_time_has_no_note():
    clock = Clock()
    budget = Budget(generate=10_000, shrink=5, clock=clock)
    budget.run(budgeted(budget, clock))
    assert budget.examples >= 200 and budget.note is None


def test_shrinking_stops_with_the_smallest_failure_seen():
    clock = Clock()
    budget = Budget(generate=1000, shrink=3, clock=clock)
    seen: list[int] = []

    def fails(x: int) -> AssertionError | None:
        if x < 10:
            return None
        seen.append(x)
        return AssertionError(f"x={x}")

    with pytest.raises(AssertionError) as caught:
        budget.run(budgeted(budget, clock, fails))
    assert str(caught.value) == f"x={min(seen)}", seen
    assert len(seen) <= 6, seen  # shrinking got about 3 s, one example a second
    assert any("shrinking stopped" in n for n in caught.value.__notes__)


def test_a_harness_error_being_shrunk_is_not_turned_into_a_pass():
    """Only the time after the first failure counts: an error is raised, never swallowed."""
    clock = Clock()
    budget = Budget(generate=3, shrink=1000, clock=clock)

    def fails(x: int) -> ValueError | None:
        if x < 1:
            return None
        clock.now += 10  # the failing examples are slow: the generation time is long gone
        return ValueError("harness bug")

    with pytest.raises(ValueError, match="harness bug"):
        budget.run(budgeted(budget, clock, fails))


def test_the_first_example_always_runs_in_full():
    clock = Clock()
    session = RunBudget(10, spent=10)  # nothing left
    budget = Budget(generate=5, shrink=5, session=session, clock=clock)
    budget.run(budgeted(budget, clock))
    assert budget.examples == 2 and "1 example(s) run in full" in (budget.note or "")


def test_the_session_budget_is_shared():
    clock = Clock()
    session = RunBudget(8)
    first = Budget(generate=100, shrink=5, session=session, clock=clock)
    first.run(budgeted(first, clock))
    assert 7 <= session.spent <= 10, session.spent
    second = Budget(generate=100, shrink=5, session=session, clock=clock)
    second.run(budgeted(second, clock))
    assert second.examples == 2, "the run budget was spent: one whole example, then stop"


def test_profiles_have_budgets_and_no_deadline():
    for name in hypothesis_settings.PROFILES:
        hypothesis_settings.use(name)
        try:
            assert hypothesis_settings.current().deadline is None
            assert not hypothesis_settings.current().report_multiple_bugs
            lim = hypothesis_settings.limits()
            assert 0 < lim.generate_seconds <= lim.run_seconds and lim.shrink_seconds > 0
            attempts, capacity = lim.concurrent
            assert attempts > capacity >= 2
            assert hypothesis_settings.budget().session.left() == lim.run_seconds
        finally:
            hypothesis_settings.use(hypothesis_settings.DEFAULT)


def test_a_budget_runs_once():
    clock = Clock()
    budget = Budget(generate=5, shrink=5, clock=clock)
    budget.run(budgeted(budget, clock))
    with pytest.raises(RuntimeError):
        budget.run(budgeted(budget, clock))
