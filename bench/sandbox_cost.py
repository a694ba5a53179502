"""What the sandbox (cnitest.sandbox: bubblewrap, PID and mount namespaces) costs.

- One call: Go host-local ADD+DEL through a sandboxed Runner against the same
  Runner with no sandbox (sandbox.Unsandboxed), interleaved, medians.
- A whole run: the suites against Go bridge at one spec version, in a pytest
  subprocess, with and without the sandbox (CNITEST_BENCH_UNSANDBOXED=1),
  alternating; target ratio <= 1.15.

Usage: python bench/sandbox_cost.py [--rounds 200] [--suite-rounds 2] [--version 1.0.0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cnitest import netns, sandbox
from cnitest.runner import Runner

GO = Path("/usr/lib/cni")


def call_cost(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, netns.new("bench-host") as host, netns.new("bench-cont") as cont:
        conf = {"cniVersion": "1.0.0", "name": "bench", "type": "host-local",
                "ipam": {"type": "host-local", "subnet": "10.251.0.0/24", "dataDir": f"{tmp}/data"}}
        boxed = Runner(GO / "host-local", host, sandbox=sandbox.Sandbox(f"{tmp}/state", writable=[tmp]), result_kind="ipam-result")
        plain = Runner(GO / "host-local", host, sandbox=sandbox.Unsandboxed(f"{tmp}/plain", writable=[tmp]), result_kind="ipam-result")

        def add_del(runner: Runner) -> float:
            start = time.perf_counter()
            add = runner.invoke("ADD", conf, cont, "eth0", "bench")
            runner.invoke("DEL", conf, cont, "eth0", "bench")
            assert add.succeeded, add.describe()
            return time.perf_counter() - start

        for _ in range(5):
            add_del(plain), add_del(boxed)
        base, cand = [], []
        for _ in range(rounds):
            base.append(add_del(plain))
            cand.append(add_del(boxed))
        b, c = statistics.median(base), statistics.median(cand)
        print(f"host-local ADD+DEL: plain {b * 1000:.2f} ms, sandboxed {c * 1000:.2f} ms, ratio {c / b:.2f}")


def suite_cost(rounds: int, version: str) -> None:
    def run(unsandboxed: bool) -> float:
        env = {**os.environ, "CNITEST_BENCH_UNSANDBOXED": "1" if unsandboxed else "0"}
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "pytest", f"--cni-plugin={GO / 'bridge'}", f"--cni-path={GO}",
                                   f"--cni-version={version}", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", f"--basetemp={tmp}/t"],
                                  cwd=tmp, env=env, capture_output=True, text=True)
            took = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise SystemExit(f"suite run failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        return took

    base, cand = [], []
    for _ in range(rounds):
        base.append(run(True))
        cand.append(run(False))
    b, c = statistics.median(base), statistics.median(cand)
    print(f"suites vs Go bridge at {version}: unsandboxed {b:.1f} s, sandboxed {c:.1f} s, ratio {c / b:.2f} (target <= 1.15)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--suite-rounds", type=int, default=2)
    parser.add_argument("--version", default="1.0.0")
    args = parser.parse_args()
    call_cost(args.rounds)
    if args.suite_rounds:
        suite_cost(args.suite_rounds, args.version)


if __name__ == "__main__":
    main()
