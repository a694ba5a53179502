"""What the runner and the namespace fixture cost, as ratios to a bare baseline.

- Runner.invoke of `host-local VERSION` against a bare subprocess.run of the same
  binary with the same stdin (target: ratio <= 1.10).
- netns.new() + close() against `ip netns add` + `ip netns del` (target: cheaper).

Both sides run interleaved in this process; medians over many rounds.
Usage: python bench/runner_overhead.py [--plugin /usr/lib/cni/host-local] [--rounds 300]
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections.abc import Callable

from measure import interleaved, timed

from cnitest import netns
from cnitest.runner import Runner


def compare(name: str, baseline: Callable[[], object], candidate: Callable[[], object], rounds: int) -> None:
    b, c = interleaved(rounds, [lambda: timed(baseline), lambda: timed(candidate)], warmup=5)
    print(f"{name}: baseline {b * 1000:.2f} ms, cnitest {c * 1000:.2f} ms, ratio {c / b:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plugin", default="/usr/lib/cni/host-local")
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()

    config = {"cniVersion": "1.0.0"}
    stdin = json.dumps(config, indent=2).encode()
    env = {"CNI_COMMAND": "VERSION", "CNI_PATH": "/usr/lib/cni", "PATH": "/usr/bin:/bin"}
    with netns.new("bench-host") as host:
        runner = Runner(args.plugin, host)
        # The bare baseline runs in the same sandbox namespace, from a thread there,
        # so the ratio measures the runner and not the namespace.
        compare(
            "runner VERSION",
            lambda: host.run(lambda: subprocess.run([args.plugin], input=stdin, env=env, capture_output=True)),
            lambda: runner.invoke("VERSION", config, None, None, None),
            args.rounds,
        )

    def ip_netns() -> None:
        subprocess.run(["ip", "netns", "add", "cnitest-bench"], check=True)
        subprocess.run(["ip", "netns", "del", "cnitest-bench"], check=True)

    compare("namespace add+del", ip_netns, lambda: netns.new("bench").close(), max(50, args.rounds // 3))


if __name__ == "__main__":
    main()
