"""Wall-clock budgets for hypothesis runs that call a plugin.

Hypothesis bounds a run by counts (``max_examples``, ``stateful_step_count``)
and gives up shrinking only after five minutes. Against a plugin that is slow
(0.3 s a call) or faulty in a way every example finds (a DEL that releases
nothing), that is many minutes per test: in CI a time-out, not a verdict,
although the first failure was found within seconds. A `Budget` bounds one
test by time instead:

- *generation*: once one example has run in full, no plugin call starts after
  ``generate`` seconds; the test then ends as a pass on the examples it ran
  (`Budget.note` says how many), since a slow plugin breaks no rule;
- *shrinking*: no plugin call starts ``shrink`` seconds after the first failing
  example; the test then fails with the failing example of fewest plugin calls
  seen so far (hypothesis's own replay of its best example is skipped).

A `RunBudget` caps the sum over a session (all versions of a suite): a test
gets at most what is left of it (still one whole example, so every version has
a verdict).

How it stops hypothesis: `charge()`, called before every plugin call, raises
`Spent`, a BaseException like KeyboardInterrupt, which hypothesis does not take
for a failure of the example and lets through at once; `Budget.run` catches it.
No hypothesis internals are touched. The caller reports each failing example
with `failed()`, every exception of an example included (a harness error that
hypothesis is shrinking must not turn into a pass when the time runs out).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Budget", "RunBudget", "Spent"]


class Spent(BaseException):  # noqa: N818 - a control-flow signal, like KeyboardInterrupt
    """The budget ran out: stop the hypothesis run now (caught by Budget.run)."""


@dataclass
class RunBudget:
    """Seconds that all budgeted tests of a session may spend together."""

    seconds: float
    spent: float = 0.0

    def left(self) -> float:
        return max(0.0, self.seconds - self.spent)


@dataclass
class Budget:
    """One test's time: `generate` seconds of examples, `shrink` seconds after the first failure."""

    generate: float
    shrink: float
    session: RunBudget | None = None
    clock: Callable[[], float] = time.monotonic
    examples: int = 0  # examples begun
    calls: int = 0  # plugin calls charged
    note: str | None = None  # why the run stopped early, if it did
    best: BaseException | None = field(default=None, repr=False)
    _best_size: tuple[int, int] = (0, 0)
    _ran: bool = False
    _start: float = 0.0
    _first_failure: float | None = None
    _limit_generate: float = 0.0
    _limit_run: float = float("inf")

    def begin_example(self) -> None:
        """A new example starts (then `charge()` as for a call)."""
        self.examples += 1
        self._check()

    def charge(self) -> None:
        """A plugin call is about to start; raises Spent when the budget is out."""
        self.calls += 1
        self._check()

    def failed(self, error: BaseException, size: int) -> None:
        """An example failed with `error` after `size` plugin calls; keep the smallest."""
        if self._first_failure is None:
            self._first_failure = self.clock()
        key = (size, len(str(error)))
        if self.best is None or key < self._best_size:
            self.best, self._best_size = error, key

    def run(self, test: Callable[[], None]) -> None:
        """Run `test` (a hypothesis test, no arguments) within the budget.

        Returns when it passes or its generation time ran out; raises its
        failure, hypothesis's shrunk one or, when shrinking ran out of time,
        the smallest failing example seen so far."""
        if self._ran:
            raise RuntimeError("a Budget runs one test, once")
        self._ran = True
        self._start = self.clock()
        left = self.session.left() if self.session is not None else float("inf")
        self._limit_generate = min(self.generate, left)
        self._limit_run = left
        try:
            test()
        except Spent:
            took = self.clock() - self._start
            if self.best is None:
                self.note = (f"time budget: generation stopped after {took:.1f} s, "
                             f"{self.examples - 1} example(s) run in full, no failure found")
                return
            shrink = self.clock() - (self._first_failure or self._start)
            self.note = (f"time budget: shrinking stopped after {shrink:.1f} s; this is the failing example "
                         f"with the fewest plugin calls ({self._best_size[0]}) found by then")
            self.best.add_note(self.note)
            raise self.best from None
        finally:
            if self.session is not None:
                self.session.spent += self.clock() - self._start

    def _check(self) -> None:
        now = self.clock()
        if self._first_failure is not None:
            limit = min(self.shrink, max(0.0, self._limit_run - (self._first_failure - self._start)))
            if now - self._first_failure > limit:
                raise Spent
        elif self.examples > 1 and now - self._start > self._limit_generate:
            raise Spent
