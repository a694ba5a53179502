"""The --cni-* command-line options, in one group, and their parsed form."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from . import versions
from .runner import DEFAULT_TIMEOUT


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("cni", "CNI plugin conformance (cnitest)")
    group.addoption("--cni-plugin", metavar="PATH", help="the CNI plugin executable under test")
    group.addoption(
        "--cni-path",
        metavar="DIRS",
        default="",
        help="extra plugin directories, colon-separated; CNI_PATH is the plugin's own directory, then these",
    )
    group.addoption("--cni-profile", metavar="NAME", help="use the built-in profile NAME (e.g. bridge) whatever the plugin's file name")
    group.addoption("--cni-config", metavar="FILE", help="a network config or conflist to use instead of the built-in profile")
    group.addoption(
        "--cni-version",
        metavar="V",
        action="append",
        default=[],
        help=f"spec version to test (repeatable); default: every version the plugin lists that cnitest knows ({', '.join(versions.KNOWN)})",
    )
    # no argparse type= or choices=: argparse would print a usage block; read() gives one line
    group.addoption("--cni-timeout", metavar="SECONDS", default=str(DEFAULT_TIMEOUT), help="timeout per plugin call (default %(default)s)")
    group.addoption("--cni-strict", action="store_true", help="SHOULD-level findings fail instead of being reported as warnings")
    group.addoption("--cni-hypothesis-profile", metavar="ci|thorough", default=None, help="hypothesis profile of the IPAM property tests: ci (fast, derandomized; default) or thorough")
    group.addoption("--cni-rootless", action="store_true", help="run in a user namespace even as root (the default for other users): a plugin's root is then not the machine's")
    group.addoption("--cni-rule", metavar="ID", action="append", default=[], help="run only the tests of this rule id (repeatable; glob, e.g. 'del.*'; see cnitest rules)")
    group.addoption("--cni-report", metavar="FILE", action="append", default=[], help="write a spec-compliance report; format by extension: .html, .json, .md (repeatable)")
    group.addoption("--cni-reproducers", metavar="DIR", help="write one replay script (bash, as root) per failure into DIR; they exit 1 while the fault shows")
    group.addoption("--cni-baseline", metavar="REPORT.json", help="a JSON report of an earlier run: its findings are known and do not fail this run; new ones do")
    group.addoption("--cni-waivers", metavar="FILE", help="a TOML waiver file: findings of the rules it lists (ids or globs) do not fail, shown with their reason")


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


def read(config: pytest.Config) -> Settings:
    """Parse and check the options; raises pytest.UsageError with a one-line reason."""
    plugin = config.getoption("cni_plugin")
    path: Path | None = None
    if plugin:
        path = Path(plugin).expanduser().absolute()
        if not path.is_file():
            raise pytest.UsageError(f"--cni-plugin: {plugin} is not a file")
        if not os.access(path, os.X_OK):
            raise pytest.UsageError(f"--cni-plugin: {plugin} is not executable")
    cfg = config.getoption("cni_config")
    cfg_path = Path(cfg).expanduser().absolute() if cfg else None
    if cfg_path is not None and not cfg_path.is_file():
        raise pytest.UsageError(f"--cni-config: {cfg} is not a file")
    wanted = config.getoption("cni_version") or []
    unknown = [v for v in wanted if not versions.is_known(v)]
    if unknown:
        raise pytest.UsageError(f"--cni-version: unknown spec version {', '.join(unknown)} (known: {', '.join(versions.KNOWN)})")
    timeout = _positive_float(config.getoption("cni_timeout"))
    if timeout is None:
        raise pytest.UsageError(f"--cni-timeout: {config.getoption('cni_timeout')!r} is not a positive number of seconds")
    profile = config.getoption("cni_hypothesis_profile")
    if profile not in (None, "ci", "thorough"):
        raise pytest.UsageError(f"--cni-hypothesis-profile: {profile!r} is not one of ci, thorough")
    globs = config.getoption("cni_rule") or []
    from . import rules

    for pattern in globs:
        if not fnmatch.filter(rules.RULES, pattern):
            try:
                rules.get(pattern)
            except KeyError as exc:
                raise pytest.UsageError(f"--cni-rule: {exc.args[0]}") from None
    profile_name = config.getoption("cni_profile")
    from .profiles import PROFILES

    if profile_name and profile_name not in PROFILES:
        raise pytest.UsageError(f"--cni-profile: no built-in profile {profile_name!r} (known: {', '.join(sorted(PROFILES))})")
    dirs = [str(Path(d).expanduser().absolute()) for d in config.getoption("cni_path").split(":") if d]
    return Settings(
        plugin=path,
        cni_path=dirs,
        config=cfg_path,
        versions=versions.select(wanted),
        timeout=timeout,
        strict=bool(config.getoption("cni_strict")),
        rootless=bool(config.getoption("cni_rootless")) or os.geteuid() != 0,
        rule_globs=list(globs),
        profile=profile_name,
    )


def _positive_float(text: str | float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value > 0 and value != float("inf") else None
