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
import tempfile
import time

from measure import GO, interleaved, run_suites

from cnitest import netns, sandbox
from cnitest.runner import Runner


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

        b, c = interleaved(rounds, [lambda: add_del(plain), lambda: add_del(boxed)], warmup=5)
        print(f"host-local ADD+DEL: plain {b * 1000:.2f} ms, sandboxed {c * 1000:.2f} ms, ratio {c / b:.2f}")


def suite_cost(rounds: int, version: str) -> None:
    def run(unsandboxed: bool) -> float:
        env = {"CNITEST_BENCH_UNSANDBOXED": "1" if unsandboxed else "0"}
        return run_suites(GO / "bridge", version, "-p", "no:xdist", env=env)[0]

    b, c = interleaved(rounds, [lambda: run(True), lambda: run(False)])
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
