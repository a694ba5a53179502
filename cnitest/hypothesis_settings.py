"""Hypothesis settings profiles for cnitest's property tests.

- ``cnitest-ci`` (the default): derandomized, few examples, short runs, no
  deadline (a plugin call takes milliseconds to seconds), no database;
- ``cnitest-thorough``: many more and longer examples, random seeds.

``--cni-hypothesis-profile=ci|thorough`` picks one for the IPAM state machine
and the property suites (``current()``). cnitest never loads a profile
globally, so other hypothesis tests in the same session keep their own.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, settings

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
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_chosen = PROFILES[DEFAULT]


def configure(config: Any) -> None:
    """pytest_configure hook: remember --cni-hypothesis-profile."""
    global _chosen
    _chosen = PROFILES[config.getoption("cni_hypothesis_profile", None) or DEFAULT]


def current(**overrides: object) -> settings:
    """The settings of the chosen profile (ci unless told), with `overrides`."""
    return settings(settings.get_profile(_chosen), **overrides)  # type: ignore[arg-type]


def use(name: str) -> None:
    """Choose a profile by short name ("ci", "thorough") outside pytest."""
    global _chosen
    _chosen = PROFILES[name]
