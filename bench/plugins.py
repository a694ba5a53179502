"""Cold-process latency of the Python reference plugins against Debian's Go ones.

First host-local's start-up, exec'd directly, with the interpreter's floor
(bench/host_local_start.py: Python ADD / Go ADD, Python DEL / Go DEL,
``python -I -S -c pass`` / Go VERSION, target <= 4x, issue 14).

A CNI plugin is a new process on every call, so start-up is the budget. For
host-local alone and for bridge with host-local, each round calls ADD then DEL
through cnitest's Runner (as a runtime would: one process per call) for Go and
Python alternately, and prints median and p90 per verb and the Python/Go ratio.
Targets (issue 5): host-local <= 4x Go, bridge with host-local <= 2.5x Go.

Then host-local's cost per allocation as the range fills: N allocations in a
/16 (default 10,000), the last thousand against the first thousand (target <= 1.5x).

Usage: python bench/plugins.py [--rounds 40] [--allocations 10000] [--go-dir /usr/lib/cni]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import host_local_start
from cnitest.reference_plugins import plugins_dir

from cnitest import netns
from cnitest.runner import Runner


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def conf(kind: str, data_dir: str, subnet: str) -> dict:
    ipam = {"type": "host-local", "ranges": [[{"subnet": subnet}]], "dataDir": data_dir}
    if kind == "host-local":
        return {"cniVersion": "1.0.0", "name": "bench", "ipam": ipam}
    return {"cniVersion": "1.0.0", "name": "bench", "type": "bridge", "bridge": "benchbr0", "isGateway": True, "ipam": ipam}


def latency(kind: str, dirs: dict[str, Path], rounds: int) -> None:
    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, netns.new("bench-host") as host:
        runners = {impl: Runner(d / kind, host) for impl, d in dirs.items()}
        for i in range(rounds + 3):
            for impl, runner in runners.items():
                config = conf(kind, f"{tmp}/{impl}", "10.201.0.0/16" if impl == "go" else "10.202.0.0/16")
                config["bridge"] = f"benchbr-{impl}"
                with netns.new("bench-cont") as cont:
                    for verb in ("ADD", "DEL"):
                        inv = runner.invoke(verb, config, cont, "eth0", f"bench{i}")
                        if inv.exit_code != 0:
                            raise SystemExit(f"{impl} {kind} {verb} failed:\n{inv.describe()}")
                        if i >= 3:  # warm-up rounds are not counted
                            times.setdefault((impl, verb), []).append(inv.duration * 1000)
    for verb in ("ADD", "DEL"):
        go, py = times[("go", verb)], times[("python", verb)]
        print(
            f"{kind:18} {verb}: go median {statistics.median(go):6.1f} ms p90 {pct(go, .9):6.1f} | "
            f"python median {statistics.median(py):6.1f} ms p90 {pct(py, .9):6.1f} | "
            f"ratio median {statistics.median(py) / statistics.median(go):.2f} p90 {pct(py, .9) / pct(go, .9):.2f}"
        )


def fill(plugin: Path, allocations: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, netns.new("bench-host") as host:
        runner = Runner(plugin, host)
        config = conf("host-local", tmp, "10.203.0.0/16")
        costs = []
        for i in range(allocations):
            inv = runner.invoke("ADD", config, "None", "eth0", f"fill{i}")
            if inv.exit_code != 0:
                raise SystemExit(inv.describe())
            costs.append(inv.duration)
            runner.history.clear()
        first, last = statistics.median(costs[:1000]), statistics.median(costs[-1000:])
        print(f"host-local fill {plugin.parent.name:>6}: first 1000 median {first * 1000:.2f} ms, "
              f"last 1000 {last * 1000:.2f} ms, ratio {last / first:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--allocations", type=int, default=10000)
    parser.add_argument("--go-dir", type=Path, default=Path("/usr/lib/cni"))
    args = parser.parse_args()
    dirs = {"go": args.go_dir, "python": plugins_dir()}
    host_local_start.run(max(args.rounds, 100), args.go_dir, with_variants=False)
    latency("host-local", dirs, args.rounds)
    latency("bridge", dirs, args.rounds)
    if args.allocations >= 2000:
        fill(dirs["python"] / "host-local", args.allocations)


if __name__ == "__main__":
    main()
