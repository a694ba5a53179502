"""Hypothesis settings profiles for cnitest's property tests.

- ``cnitest-ci`` (the default): derandomized, few examples, short runs, no
  deadline (a plugin call takes milliseconds to seconds), no database;
- ``cnitest-thorough``: many more and longer examples, random seeds, no database
  either (nothing is left in the working directory).

``--cni-hypothesis-profile=ci|thorough`` picks one for the IPAM state machine
and the property suites (``current()``). cnitest never loads a profile
globally, so other hypothesis tests in the same session keep their own.

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
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir

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
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_chosen = PROFILES[DEFAULT]


def configure(config: Any) -> None:
    """pytest_configure hook: remember --cni-hypothesis-profile."""
    global _chosen
    _chosen = PROFILES[config.getoption("cni_hypothesis_profile", None) or DEFAULT]
    if config.getoption("cni_plugin", None) and not (Path.cwd() / ".hypothesis").exists():
        from .sandbox import sweep_stale

        sweep_stale(Path(tempfile.gettempdir()), "cnitest-hypothesis-")  # those of SIGKILLed runs
        home = tempfile.mkdtemp(prefix=f"cnitest-hypothesis-{os.getpid()}-")
        atexit.register(shutil.rmtree, home, True)
        set_hypothesis_home_dir(home)


def current(**overrides: object) -> settings:
    """The settings of the chosen profile (ci unless told), with `overrides`."""
    return settings(settings.get_profile(_chosen), **overrides)  # type: ignore[arg-type]


def use(name: str) -> None:
    """Choose a profile by short name ("ci", "thorough") outside pytest."""
    global _chosen
    _chosen = PROFILES[name]
