"""What the benches share: timing, interleaved medians, a suite run in a pytest subprocess.

Every bench compares a candidate with a baseline measured in the same run, the
two alternating, so that the load of a shared machine weighs on both alike.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["GO", "interleaved", "load", "run_suites", "settle", "timed"]

GO = Path("/usr/lib/cni")


def timed(fn: Callable[[], object]) -> float:
    """Seconds `fn()` took."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(rounds: int, measures: Sequence[Callable[[], float]], warmup: int = 0) -> list[float]:
    """The median of each measure over `rounds`, calling them in turn (each returns its seconds)."""
    for _ in range(warmup):
        for measure in measures:
            measure()
    samples: list[list[float]] = [[] for _ in measures]
    for _ in range(rounds):
        for i, measure in enumerate(measures):
            samples[i].append(measure())
    return [statistics.median(s) for s in samples]


def run_suites(plugin: Path, version: str, *args: str, env: dict[str, str] | None = None,
               cni_path: Path = GO) -> tuple[float, subprocess.CompletedProcess[str]]:
    """The bundled suites against `plugin` at `version` in a pytest subprocess: (wall seconds, process).

    A run that neither passed nor failed (exit 2+: interrupted, usage, internal error) ends the bench."""
    with tempfile.TemporaryDirectory(prefix="cnitest-bench-") as tmp:
        cmd = [sys.executable, "-m", "pytest", f"--cni-plugin={plugin}", f"--cni-path={cni_path}", f"--cni-version={version}",
               "-q", "-p", "no:cacheprovider", f"--basetemp={tmp}/t", *args]
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=tmp, env={**os.environ, **(env or {})}, capture_output=True, text=True)
        took = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"suite run failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    drains.append(settle())
    return took, done


drains: list[float] = []
"""Seconds the kernel went on destroying each run_suites run's namespaces after the run (see settle)."""


def settle(window: float = 1.0, limit: float = 30.0) -> float:
    """Wait until the kernel has destroyed the namespaces a finished run released; the seconds it took.

    A run releases its namespaces (cnitest.netns) and the kernel destroys them
    after it, for a few seconds, holding the locks the next run's plugin calls
    need: back to back, a run would pay for the one before it. Done when the
    kernel's slab memory (~220 KB a namespace) has shrunk by less than 1 MB
    over `window` seconds."""
    start = time.perf_counter()
    last = _slab_kb()
    while time.perf_counter() - start < limit:
        time.sleep(window)
        now = _slab_kb()
        if last - now < 1024:
            return time.perf_counter() - start - window
        last = now
    return limit


def _slab_kb() -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Slab:"):
                return int(line.split()[1])
    return 0


def load() -> str:
    """The machine's load average and cores, to print beside figures taken on a shared machine."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"
