"""What any harness with cnitest's sandbox must pay, measured on this machine (for suite_overhead.py).

bench/suite_overhead.py compares a suite run's wall time with the plugin's own
exec time. Part of the difference is not the harness's to cut, and this module
measures that part in the same run, so that the bench can print the floor
beside the target:

- `per_call`: starting one process (`subprocess.run` of `/bin/true`), the same
  under the sandbox's bubblewrap command line (cnitest.sandbox.Sandbox.command),
  and under the bench's own timing wrapper; medians, interleaved.
- `two_at_a_time`: the plugin alone, ADD+DEL of a Go bridge with host-local,
  one process against two processes side by side, each in namespaces of its
  own, with and without the sandbox. How far two calls at once speed up on
  this machine (the kernel's rtnl and mount locks, two cores shared with the
  harness) bounds what ``-n 2`` can reach.
"""

from __future__ import annotations

import multiprocessing
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from measure import GO, interleaved

from cnitest import netns, sandbox
from cnitest.runner import Runner

__all__ = ["per_call", "two_at_a_time"]


def per_call(wrapper_text: str, rounds: int = 200) -> dict[str, float]:
    """Seconds a call costs before any plugin work: spawn, sandbox (bwrap) and timing wrapper, each on top of the spawn."""
    true = shutil.which("true") or "/bin/true"
    with tempfile.TemporaryDirectory(prefix="cnitest-bench-floor-") as tmp:
        wrapped = Path(tmp, "true")
        wrapped.write_text(wrapper_text.format(real=true))
        wrapped.chmod(0o755)
        boxed = sandbox.Sandbox(Path(tmp, "state")).command([true], [])

        def run(argv: list[str]) -> float:
            start = time.perf_counter()
            subprocess.run(argv, stderr=subprocess.DEVNULL, check=True)
            return time.perf_counter() - start

        spawn, box, wrap = interleaved(rounds, [lambda: run([true]), lambda: run(boxed), lambda: run([str(wrapped)])], warmup=5)
    return {"spawn": spawn, "sandbox": box - spawn, "wrapper": wrap - spawn}


def _pairs(job: tuple[int, int, bool]) -> None:
    """`count` ADD+DEL pairs of the Go bridge in a host namespace and a bridge of this job's own."""
    count, index, boxed = job
    with tempfile.TemporaryDirectory(prefix="cnitest-bench-pairs-") as tmp, netns.new("bench-host") as host:
        containers = [netns.new("bench-cont") for _ in range(count)]
        conf = {"cniVersion": "1.0.0", "name": f"bench{index}", "type": "bridge", "bridge": f"bench{index}", "isGateway": True,
                "ipam": {"type": "host-local", "subnet": f"10.{240 + index}.0.0/24", "dataDir": f"{tmp}/data"}}
        kind = sandbox.Sandbox if boxed else sandbox.Unsandboxed
        runner = Runner(GO / "bridge", host, cni_path=[str(GO)], sandbox=kind(f"{tmp}/state", writable=[tmp]))
        for i, container in enumerate(containers):
            add = runner.invoke("ADD", conf, container, "eth0", f"bench-{i}")
            assert add.succeeded, add.describe()
            runner.invoke("DEL", conf, container, "eth0", f"bench-{i}")
            container.close()


def two_at_a_time(pairs: int = 60, rounds: int = 3) -> dict[str, float]:
    """The plugin's own speed-up from running two calls at once: {"plain": x, "sandboxed": y} (medians of `rounds`)."""
    context = multiprocessing.get_context("fork")  # the workers are forked before any namespace thread runs
    out: dict[str, float] = {}
    with context.Pool(2) as pool:
        pool.map(_pairs, [(2, 1, False), (2, 2, False)])  # warm-up: page cache, first bridge
        for label, boxed in (("plain", False), ("sandboxed", True)):
            def one(boxed: bool = boxed) -> float:
                start = time.perf_counter()
                pool.map(_pairs, [(pairs, 1, boxed)])
                return time.perf_counter() - start

            def two(boxed: bool = boxed) -> float:
                start = time.perf_counter()
                pool.map(_pairs, [(pairs // 2, 1, boxed), (pairs // 2, 2, boxed)], chunksize=1)
                return time.perf_counter() - start

            serial, parallel = interleaved(rounds, [one, two])
            out[label] = serial / parallel
    return out
