"""What the harness costs over the plugin itself, and what two workers gain.

Runs the bundled suites at one spec version against Debian's Go bridge, each
run a pytest subprocess, serial (one process) and with ``-n 2`` alternately, in
the same bench run. The bridge is called through a bash wrapper that times the
real binary (bash's EPOCHREALTIME, no extra process; bench/exec_timing.py adds
the times up inside pytest), so:

- serial wall time / plugin exec time: what a serial run costs per second of
  plugin work (target <= 1.3); the wrapper's own bash start-up counts as harness;
- ``-n 2`` speed-up: serial wall time / wall time of ``-n 2 --dist worksteal``
  (the README's CI invocation; target >= 1.8 on 2 cores).

Beside each figure the bench prints its floor, measured in the same run
(bench/floors.py): what a harness that only started each call in cnitest's
sandbox would take (one process spawn and one bubblewrap set-up a call, pytest's
start-up and collection, the data-plane checks' exchanges), and how far the
plugin alone speeds up with two calls at once. The timing wrapper's own
start-up (bash) is measured too and shown taken out, since a run without the
bench does not pay it.

The machine's load average is printed with the figures: on a shared machine
the speed-up is bounded by the cores the other processes leave. Each run
starts once the kernel has destroyed the namespaces the run before released
(measure.settle), so that no run pays for another; how long that took after a
serial run is printed too.

PYTHONDONTWRITEBYTECODE (set on some sandboxes) makes every pytest process
compile cnitest, the suites and, through pytest's assertion rewriting of plugin
packages, all of hypothesis, from source: 3-4 s a process, paid by each worker.
Unless --keep-env, the runs go without it, after one warm-up collection, as on
a machine with its caches.

Usage: python bench/suite_overhead.py [--rounds 1] [--version 1.0.0] [--plugin /usr/lib/cni/bridge] [--keep-env]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
from pathlib import Path

import floors
import measure
from measure import GO, load, run_suites

HERE = Path(__file__).resolve().parent
WRAPPER = """#!/bin/bash
# made by bench/suite_overhead.py: time {real}, say so on stderr
start=$EPOCHREALTIME
{real}
rc=$?
end=$EPOCHREALTIME
echo "cnitest-bench-exec $start $end" >&2
exit $rc
"""


def wrap(real: Path, folder: Path) -> Path:
    """A wrapper of `real` under the same file name (so the same profile applies)."""
    path = folder / real.name
    path.write_text(WRAPPER.format(real=real))
    path.chmod(0o755)
    return path


def one_run(wrapper: Path, version: str, workers: int, folder: Path) -> dict[str, float]:
    """One suite run: wall seconds, the plugin's exec seconds and calls, test count."""
    times = folder / f"exec-{workers}"
    times.mkdir()
    args = ["-p", "exec_timing", *(["-n", str(workers), "--dist", "worksteal"] if workers > 1 else ["-p", "no:xdist"])]
    env = {"CNITEST_BENCH_EXEC_DIR": str(times), "PYTHONPATH": str(HERE)}
    wall, done = run_suites(wrapper, version, *args, env=env)
    parts = [json.loads(p.read_text()) for p in times.glob("*.json")]
    for p in times.glob("*.json"):
        p.unlink()
    times.rmdir()
    counts = re.findall(r"(\d+) (passed|failed|skipped|xfailed|xpassed|error)", done.stdout.splitlines()[-1] if done.stdout else "")
    return {"wall": wall, "exec": sum(p["seconds"] for p in parts), "calls": sum(p["calls"] for p in parts),
            "in_call": sum(p.get("in_call", 0.0) for p in parts), "in_flight": sum(p.get("in_flight", 0.0) for p in parts),
            "in_exchange": sum(p.get("in_exchange", 0.0) for p in parts),
            "tests": sum(int(n) for n, _ in counts), "drain": measure.drains[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--plugin", type=Path, default=GO / "bridge")
    parser.add_argument("--keep-env", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if it is set")
    args = parser.parse_args()
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not args.keep_env:
        del os.environ["PYTHONDONTWRITEBYTECODE"]
        print("PYTHONDONTWRITEBYTECODE was set: the runs go without it (--keep-env keeps it)")
    print(f"start: {load()}")
    with tempfile.TemporaryDirectory(prefix="cnitest-bench-wrap-") as tmp:
        folder = Path(tmp)
        wrapper = wrap(args.plugin, folder)
        run_suites(wrapper, args.version, "--collect-only", "-p", "no:xdist")  # warm-up: caches, page cache
        startup = run_suites(wrapper, args.version, "--collect-only", "-p", "no:xdist")[0]  # what every run pays first
        runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
        for _ in range(args.rounds):
            for workers in (1, 2):
                runs[workers].append(one_run(wrapper, args.version, workers, folder))
    call = floors.per_call(WRAPPER)
    pairs = floors.two_at_a_time()
    med = {w: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for w, rs in runs.items()}
    serial, pair = med[1], med[2]
    print(f"end:   {load()}")
    print(f"suites vs {args.plugin} at {args.version}, {args.rounds} round(s), medians; "
          f"{serial['tests']:.0f} tests, {serial['calls']:.0f} plugin calls")
    print(f"  {'':8} {'wall':>9} {'plugin exec':>12} {'wall/exec':>10} {'harness per call':>17}")
    for name, m in (("serial", serial), ("-n 2", pair)):
        per_call = f"{(m['wall'] - m['exec']) / m['calls'] * 1000:15.1f}ms" if name == "serial" and m["calls"] else f"{'-':>17}"
        print(f"  {name:8} {m['wall']:8.1f}s {m['exec']:11.1f}s {m['wall'] / m['exec']:10.2f} {per_call}")
    if not serial["calls"]:
        return
    calls, exec_s = serial["calls"], serial["exec"]
    around = (serial["in_call"] - exec_s) / calls * 1000
    between = serial["wall"] - serial["in_flight"]
    print(f"serial harness time: {around:.1f} ms a call around the plugin's exec (sandbox, spawn, the wrapper's bash; "
          f"summed over calls, concurrent ones too), {between:.1f} s of the wall with no call under way "
          f"({between / serial['tests'] * 1000:.0f} ms a test: start-up, collection, fixtures, checks)")
    print(f"measured in this run: a process spawn {call['spawn'] * 1000:.1f} ms, the sandbox (bwrap) {call['sandbox'] * 1000:.1f} ms "
          f"and the timing wrapper {call['wrapper'] * 1000:.1f} ms on top of it, a call; start-up and collection {startup:.1f} s; "
          f"the data-plane checks waited {serial['in_exchange']:.1f} s in their exchanges")
    floor = exec_s + calls * (call["spawn"] + call["sandbox"]) + startup + serial["in_exchange"]
    without_wrapper = serial["wall"] - calls * call["wrapper"]
    print(f"serial wall / plugin exec: {serial['wall'] / exec_s:.2f}; without the timing wrapper's own cost "
          f"{without_wrapper / exec_s:.2f}; floor {floor / exec_s:.2f} (spawn + sandbox a call, start-up, data-plane exchanges); target <= 1.3")
    print(f"after a serial run the kernel went on destroying its {serial['tests']:.0f} tests' namespaces for {serial['drain']:.1f} s "
          "(in the background, not in the wall; the bench waits for it before the next run)")
    print(f"-n 2 speed-up over serial: {serial['wall'] / pair['wall']:.2f} (target >= 1.8); the plugin alone, "
          f"two calls at once against one: {pairs['plain']:.2f} plain, {pairs['sandboxed']:.2f} sandboxed")


if __name__ == "__main__":
    main()
