"""What the pytest11 entry point costs a pytest run that does not test a CNI plugin.

cnitest's plugin is loaded in every pytest run on a machine where it is
installed. This bench runs one trivial test in an unrelated directory, with the
plugin and with `-p no:cnitest`, interleaved, and prints:

- the time `import cnitest.plugin` takes in a fresh interpreter that already
  imported what pytest itself loads (median of ROUNDS interpreters; target:
  under 20 ms), and which cnitest modules it loads. (`-X importtime` inside a
  pytest run misses the plugin module itself: pytest imports entry-point plugins
  through its assertion-rewriting hook, which that log does not see.)
- the median wall time of both runs and their difference (noisy on a loaded
  machine: the import figure is the one to trust).

Run: `.venv/bin/python bench/plugin_load.py [ROUNDS]`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from measure import interleaved, load, timed

TEST = "def test_unrelated():\n    assert True\n"
PROBE = """
import statistics, sys, time
import pytest, _pytest.config, _pytest._code, _pytest.assertion.rewrite, _pytest.fixtures, _pytest.python
before = set(sys.modules)
start = time.perf_counter()
import cnitest.plugin
print(time.perf_counter() - start, ",".join(sorted(m for m in set(sys.modules) - before)))
"""


def pytest_cmd(directory: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *extra, str(directory)]


def plugin_import(rounds: int) -> tuple[float, list[str]]:
    """Median seconds of `import cnitest.plugin` over `rounds` fresh interpreters, and the modules it loads."""
    times: list[float] = []
    modules: list[str] = []
    for _ in range(rounds):
        out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout.split()
        times.append(float(out[0]))
        modules = out[1].split(",")
    return statistics.median(times), modules


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    with tempfile.TemporaryDirectory(prefix="cnitest-bench-load-") as tmp:
        directory = Path(tmp)
        (directory / "test_unrelated.py").write_text(TEST)
        took, modules = plugin_import(rounds)
        print(f"pytest run of one unrelated test, {rounds} rounds ({load()})")
        print(f"  import cnitest.plugin after pytest's own modules: {took * 1e3:.1f} ms (target < 20 ms: "
              f"{'met' if took < 0.020 else 'NOT met'}); it loads {', '.join(m for m in modules if m.startswith('cnitest'))}")
        others = [m for m in modules if not m.startswith("cnitest")]
        print(f"  and {len(others)} other modules: {', '.join(others) or 'none'}")

        def run(*extra: str) -> float:
            return timed(lambda: subprocess.run(pytest_cmd(directory, *extra), capture_output=True, cwd=directory))

        with_plugin, without = interleaved(rounds, [run, lambda: run("-p", "no:cnitest")], warmup=1)
        print(f"  wall: with cnitest {with_plugin * 1e3:.0f} ms, with -p no:cnitest {without * 1e3:.0f} ms, "
              f"ratio {with_plugin / without:.3f} (difference {1e3 * (with_plugin - without):+.0f} ms)")


if __name__ == "__main__":
    main()
