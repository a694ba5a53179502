"""`cnitest diff PLUGIN_A PLUGIN_B`: the command around cnitest.differential.

Chooses what to drive (the built-in profile of A's file name or --profile, or
--config), the spec version (the newest both plugins list, or --cni-version)
and the example budget, runs the differential machine and prints the first
difference with its reproducer. Exit status: 0 no difference, 1 a difference,
4 a usage error (raised as `Usage`, printed by cnitest.cli as one line).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from hypothesis import Verbosity
from hypothesis import strategies as st

from . import config, hypothesis_settings, versions
from .differential import SHRINK_SECONDS, DiffResult, DiffTarget, common_version, fixed_ipam, run_diff
from .profiles import PROFILES, for_plugin

__all__ = ["DiffOptions", "Usage", "prepare", "report", "run"]


class Usage(ValueError):
    """A bad command line, in one line."""


@dataclass
class DiffOptions:
    plugin_a: str
    plugin_b: str
    profile: str | None = None
    config: str | None = None
    cni_version: str | None = None
    cni_path: str = ""
    examples: int | None = None
    steps: int | None = None
    hypothesis_profile: str = "ci"
    timeout: float = 10.0
    reproducer: str | None = None
    spec_equivalent: bool = False
    shrink_seconds: float | None = None  # None: SHRINK_SECONDS


def _plugin(path: str, which: str) -> Path:
    p = Path(path).expanduser()
    if not p.is_file():
        raise Usage(f"{which} {path}: no such file")
    if not os.access(p, os.X_OK):
        raise Usage(f"{which} {path}: not executable")
    return p.absolute()


def _host_local_style(ipam: Any) -> bool:
    return isinstance(ipam, dict) and (ipam.get("type") == "host-local" or "ranges" in ipam or "subnet" in ipam)


def prepare(opts: DiffOptions) -> DiffTarget:
    """Check the options and build the target; raises Usage with a one-line reason."""
    a, b = _plugin(opts.plugin_a, "PLUGIN_A"), _plugin(opts.plugin_b, "PLUGIN_B")
    if opts.profile and opts.profile not in PROFILES:
        raise Usage(f"--profile {opts.profile}: no built-in profile (known: {', '.join(sorted(PROFILES))})")
    profile = for_plugin(opts.profile or a.name)
    fixed: dict[str, Any] | None = None
    if opts.config:
        try:
            template = config.from_file(opts.config, a.name).plugin
        except ValueError as exc:
            raise Usage(f"--config {opts.config}: {exc}") from None
        template = {k: v for k, v in template.items() if k not in ("cniVersion", "name")}
        kind = "ipam" if "type" not in template else (profile.kind if profile else "interface")
        fixed = fixed_ipam(template)
    elif profile is None:
        raise Usage(f"no built-in profile for a plugin named {a.name!r}; give --profile NAME or --config FILE")
    else:
        template, kind = profile.config_template(), profile.kind
    if kind not in ("ipam", "interface") or not _host_local_style(template.get("ipam")):
        raise Usage("drives only host-local style IPAM (ranges/subnet), directly or through an interface plugin; "
                    f"this config has {'no ipam section' if not isinstance(template.get('ipam'), dict) else 'ipam type ' + repr(template['ipam'].get('type'))}")
    if opts.hypothesis_profile not in hypothesis_settings.PROFILES:
        raise Usage(f"--hypothesis-profile {opts.hypothesis_profile}: not one of {', '.join(hypothesis_settings.PROFILES)}")
    for name in ("examples", "steps"):
        value = getattr(opts, name)
        if value is not None and value < 1:
            raise Usage(f"--{name} must be at least 1")
    if opts.timeout <= 0:
        raise Usage("--timeout must be positive")
    if opts.shrink_seconds is not None and opts.shrink_seconds <= 0:
        raise Usage("--shrink-seconds must be positive")
    version = opts.cni_version
    if version is not None and not versions.is_known(version):
        raise Usage(f"--cni-version {version}: unknown (known: {', '.join(versions.KNOWN)})")
    if version is None:
        version, lists = common_version(a, b)
        if version is None:
            said = "; ".join(f"{n} lists {', '.join(v) if v else 'nothing (VERSION failed)'}" for n, v in zip("AB", lists))
            raise Usage(f"the plugins list no spec version in common ({said}); give --cni-version V")
    cni_path = [str(Path(d).absolute()) for d in opts.cni_path.split(":") if d]
    return DiffTarget(a, b, version, kind=kind, template=template, cni_path=cni_path, timeout=opts.timeout,
                      spec_equivalent=opts.spec_equivalent, ipam_configs=st.just(fixed) if fixed else None)


def report(result: DiffResult, target: DiffTarget, out: TextIO) -> int:
    """Print the outcome; the exit status (0 no difference, 1 a difference)."""
    a, b = target.plugins
    where = f"{result.examples} sequence(s), {result.calls} plugin calls, cniVersion {target.cni_version}"
    if result.difference is None:
        print(f"no difference between {a} and {b} in {where}", file=out)
        return 0
    print(str(result.difference), file=out)
    if result.flaky:
        print("note: the difference did not show again when the sequence was replayed (a race, or state outside the sandbox?); "
              "the reproducer is the last sequence that showed it", file=out)
    print(f"({where})", file=out)
    return 1


def run(opts: DiffOptions, out: TextIO) -> int:
    """The whole command: prepare, run, print, write --reproducer."""
    target = prepare(opts)
    hypothesis_settings.private_home()  # no .hypothesis/ left in the working directory
    hypothesis_settings.use(opts.hypothesis_profile)
    overrides: dict[str, Any] = {"verbosity": Verbosity.quiet}
    if opts.examples is not None:
        overrides["max_examples"] = opts.examples
    if opts.steps is not None:
        overrides["stateful_step_count"] = opts.steps
    result = run_diff(target, hypothesis_settings.current(**overrides),
                      SHRINK_SECONDS if opts.shrink_seconds is None else opts.shrink_seconds)
    code = report(result, target, out)
    if opts.reproducer and result.difference is not None:
        path = Path(opts.reproducer)
        path.write_text(result.difference.reproducer)
        path.chmod(0o755)
        print(f"reproducer written to {path}", file=out)
    return code

