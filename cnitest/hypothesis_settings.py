"""Hypothesis settings profiles for cnitest's property tests.

- ``cnitest-ci`` (the default): derandomized, few examples, short runs, no
  database; a test stops generating after 30 s and shrinking 20 s after its
  first failure, and the IPAM property tests of a session spend 150 s together;
- ``cnitest-thorough``: many more and longer examples, random seeds, no database
  either (nothing is left in the working directory); 10 minutes a test, 5 of
  shrinking, an hour a session.

``--cni-hypothesis-profile=ci|thorough`` picks one for the IPAM state machine
and the property suites (``current()`` for the hypothesis settings, `limits()`
and `budget()` for what a test may spend). cnitest never loads a profile
globally, so other hypothesis tests in the same session keep their own.

No profile has a hypothesis ``deadline``: it fails an example that took too long,
and a slow plugin breaks no spec rule. The time budget (cnitest.budget) ends the
run instead, as a pass on the examples run, or as the failure found with the
shortest reproducer so far. ``report_multiple_bugs`` is off: every IPAM invariant
fails from one place, so hypothesis would not tell two bugs apart anyway, and
looking for a second one doubles the run after the first. The ``explain`` phase
is left out: it replays plugin calls to annotate lines of Python.

Hypothesis keeps caches (the unicode charmap) under ``./.hypothesis`` even with no
database. A run against a plugin leaves nothing in the working directory, so
`configure` points hypothesis's home at a temporary directory, removed at exit,
unless the working directory already holds a ``.hypothesis`` of the user's.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir

from .budget import Budget, RunBudget

__all__ = ["DEFAULT", "LIMITS", "PROFILES", "Limits", "budget", "configure", "current", "limits", "use"]

PROFILES = {"ci": "cnitest-ci", "thorough": "cnitest-thorough"}
DEFAULT = "ci"

settings.register_profile(
    "cnitest-ci",
    max_examples=12,
    stateful_step_count=12,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=False,
    report_multiple_bugs=False,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),  # no "explain": it replays plugin calls
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile(
    "cnitest-thorough",
    max_examples=300,
    stateful_step_count=40,
    deadline=None,
    database=None,  # no .hypothesis/ left in the working directory
    print_blob=True,
    report_multiple_bugs=False,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class Limits:
    """What a profile lets the IPAM property tests spend, besides hypothesis's counts."""

    generate_seconds: float  # one test's examples (after its first whole one)
    shrink_seconds: float  # one test's shrinking, from its first failure
    run_seconds: float  # all budgeted tests of a session together
    fill_limit: int  # most ADDs one "fill the range until exhausted" step makes
    concurrent: tuple[int, int]  # (ADDs at once, addresses in the range): attempts > capacity proves the rule


LIMITS: dict[str, Limits] = {
    # ci: a plugin of 0.3 s a call still gets ~90 calls (7 examples) before the time runs out, and
    # the real host-local needs 3-5 s a test. Exhaustion is the same rule on 4 free addresses as
    # on 24, and 8 ADDs racing for 5 addresses already make an unlocked store hand one out twice.
    "cnitest-ci": Limits(generate_seconds=30, shrink_seconds=20, run_seconds=150, fill_limit=4, concurrent=(8, 5)),
    "cnitest-thorough": Limits(generate_seconds=600, shrink_seconds=300, run_seconds=3600, fill_limit=24, concurrent=(32, 20)),
}

_chosen = PROFILES[DEFAULT]
_run = RunBudget(LIMITS[_chosen].run_seconds)


def configure(config: Any) -> None:
    """pytest_configure hook: remember --cni-hypothesis-profile."""
    use(config.getoption("cni_hypothesis_profile", None) or DEFAULT)
    if config.getoption("cni_plugin", None):
        private_home()


def private_home() -> None:
    """Point hypothesis's home at a temporary directory removed at exit, unless the
    working directory already holds a ``.hypothesis`` of the user's. The directory
    carries the pid; those of SIGKILLed runs are swept first."""
    if (Path.cwd() / ".hypothesis").exists():
        return
    from .sandbox import sweep_stale

    sweep_stale(Path(tempfile.gettempdir()), "cnitest-hypothesis-")
    home = tempfile.mkdtemp(prefix=f"cnitest-hypothesis-{os.getpid()}-")
    atexit.register(shutil.rmtree, home, True)
    _share_constants_cache(Path(home))
    set_hypothesis_home_dir(home)


def constants_cache() -> Path:
    """Where hypothesis's cache of the constants in local source files is kept across runs."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cnitest" / "hypothesis-constants"


def _share_constants_cache(home: Path) -> None:
    """Make `home/constants` the per-user cache of constants (best effort).

    Before its first example hypothesis parses every local module in
    sys.modules (cnitest and the suites, from a source checkout) for constants
    to draw from: ~1 s of CPU, most of the IPAM property test's own time. It
    keeps them in its home keyed by a hash of each file's source, and writes
    them atomically (safe for xdist workers); a private home removed at exit
    threw them away every run. Only that cache is shared: the example database
    stays private."""
    cache = constants_cache()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        (home / "constants").symlink_to(cache, target_is_directory=True)
    except OSError:
        pass  # hypothesis computes them again, as before


def current(**overrides: object) -> settings:
    """The settings of the chosen profile (ci unless told), with `overrides`."""
    return settings(settings.get_profile(_chosen), **overrides)  # type: ignore[arg-type]


def limits() -> Limits:
    """The chosen profile's time budgets and sizes."""
    return LIMITS[_chosen]


def budget() -> Budget:
    """A time budget for one new test, drawing on the session's run budget."""
    lim = limits()
    return Budget(generate=lim.generate_seconds, shrink=lim.shrink_seconds, session=_run)


def use(name: str) -> None:
    """Choose a profile by short name ("ci", "thorough"); the run budget starts afresh."""
    global _chosen, _run
    _chosen = PROFILES[name]
    _run = RunBudget(LIMITS[_chosen].run_seconds)
