"""The --cni-* settings: their checked form (Settings) and the checks (parse).

No pytest here, so a Settings (and a Target) is made without it; the options are
registered, and a bad value turned into pytest's usage error, by cnitest.plugin."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import versions

__all__ = ["DEFAULT_TIMEOUT", "OptionError", "Settings", "parse"]

DEFAULT_TIMEOUT = 10.0  # seconds a plugin call may take (--cni-timeout); the runner's default too


class OptionError(ValueError):
    """A --cni-* value that cannot be used; the message is the one line to print (exit 4)."""


@dataclass(frozen=True)
class Settings:
    """The --cni-* options, checked."""

    plugin: Path | None
    cni_path: list[str] = field(default_factory=list)
    config: Path | None = None
    versions: list[str] = field(default_factory=list)
    timeout: float = DEFAULT_TIMEOUT
    strict: bool = False
    rootless: bool = False
    rule_globs: list[str] = field(default_factory=list)
    profile: str | None = None  # --cni-profile: a built-in profile name, checked
    diff_against: Path | None = None  # --cni-diff-against: the other build for the differential test


def parse(getoption: Callable[[str], Any]) -> Settings:
    """Check the options `getoption(dest)` gives (None for one not given: pytest's
    config.getoption with a default); raises OptionError with a one-line reason."""
    plugin = getoption("cni_plugin")
    path: Path | None = None
    if plugin:
        path = Path(plugin).expanduser().absolute()
        if not path.is_file():
            raise OptionError(f"--cni-plugin: {plugin} is not a file")
        if not os.access(path, os.X_OK):
            raise OptionError(f"--cni-plugin: {plugin} is not executable")
    cfg = getoption("cni_config")
    cfg_path = Path(cfg).expanduser().absolute() if cfg else None
    if cfg_path is not None and not cfg_path.is_file():
        raise OptionError(f"--cni-config: {cfg} is not a file")
    wanted = getoption("cni_version") or []
    unknown = [v for v in wanted if not versions.is_known(v)]
    if unknown:
        raise OptionError(f"--cni-version: unknown spec version {', '.join(unknown)} (known: {', '.join(versions.KNOWN)})")
    given = getoption("cni_timeout")
    timeout = _positive_float(DEFAULT_TIMEOUT if given is None else given)
    if timeout is None:
        raise OptionError(f"--cni-timeout: {given!r} is not a positive number of seconds")
    profile = getoption("cni_hypothesis_profile")
    if profile not in (None, "ci", "thorough"):
        raise OptionError(f"--cni-hypothesis-profile: {profile!r} is not one of ci, thorough")
    globs = getoption("cni_rule") or []
    for pattern in globs:
        from . import rules  # the catalog only when --cni-rule is given

        if not fnmatch.filter(rules.RULES, pattern):
            try:
                rules.get(pattern)
            except KeyError as exc:
                raise OptionError(f"--cni-rule: {exc.args[0]}") from None
    profile_name = getoption("cni_profile")
    if profile_name:
        from .profiles import PROFILES

        if profile_name not in PROFILES:
            raise OptionError(f"--cni-profile: no built-in profile {profile_name!r} (known: {', '.join(sorted(PROFILES))})")
    other = getoption("cni_diff_against")
    other_path = Path(other).expanduser().absolute() if other else None
    if other_path is not None and not (other_path.is_file() and os.access(other_path, os.X_OK)):
        raise OptionError(f"--cni-diff-against: {other} is not an executable file")
    dirs = [str(Path(d).expanduser().absolute()) for d in (getoption("cni_path") or "").split(":") if d]
    return Settings(
        plugin=path,
        cni_path=dirs,
        config=cfg_path,
        versions=versions.select(wanted),
        timeout=timeout,
        strict=bool(getoption("cni_strict")),
        rootless=bool(getoption("cni_rootless")) or os.geteuid() != 0,
        rule_globs=list(globs),
        profile=profile_name,
        diff_against=other_path,
    )


def _positive_float(text: str | float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value > 0 and value != float("inf") else None
