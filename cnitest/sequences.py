"""Sequences of plugin calls: what the IPAM state machine and differential runs share.

Both drive a plugin through generated sequences of ADD, CHECK, DEL, GC and
concurrent ADDs, one example at a time, and both print a failing (shrunk)
sequence as shell commands a person can paste. This module holds the pieces
they share, so that each decision is made once:

- `example_config`: one example's network config (unique names, the example's
  own dataDir, the drawn ``ipam`` section in place of the template's);
- `Step` and `replay_script`: the calls made so far, and the script that
  replays them (built by cnitest.reproduce, the one home of replay scripts);
- `outcome`: one call's outcome as a reproducer comment;
- `all_at_once`: calls started together behind a barrier;
- `small_range`: the ipam section of the fixed sequences both machines run
  first (a range of a few addresses, filled in a few calls).
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import config
from .result import Result
from .runner import Invocation

__all__ = [
    "CONTAINER_PREFIX", "Step", "all_at_once", "example_config", "ip_of",
    "outcome", "replay_script", "small_range", "with_data_dir",
]

CONTAINER_PREFIX = "cnitest-c"  # container namespaces are cnitest-c1, cnitest-c2, ... in a reproducer


@dataclass
class Step:
    """One operation of a sequence: a label and the calls it made.

    `calls` holds (invocation, container namespace name in the reproducer, or
    None when the call had no namespace of its own); `parallel` calls were made
    at once; `note` is a comment shown in place of calls (e.g. a restart)."""

    label: str
    calls: list[tuple[Invocation, str | None]] = field(default_factory=list)
    parallel: bool = False
    note: str = ""


def example_config(template: dict[str, Any], ipam: dict[str, Any], ipam_type: str, cni_version: str, example_dir: str | Path) -> dict[str, Any]:
    """One example's network config: `template` with `ipam` as its ipam section
    (keeping `ipam_type` unless the drawn section names one), unique names, and
    the dataDir under `example_dir`, whatever the ipam type."""
    entry = dict(template)
    entry["ipam"] = {**ipam, "type": ipam.get("type") or ipam_type}
    suffix = config.unique_suffix()
    entry = config.make_unique(entry, Path(example_dir), suffix)
    entry["ipam"]["dataDir"] = str(Path(example_dir) / "ipam")
    return config.build(entry, cni_version, f"cnitest-{suffix}")


def with_data_dir(conf: dict[str, Any], data_dir: str | Path) -> dict[str, Any]:
    """A copy of `conf` whose ipam dataDir is `data_dir` (the same network for another plugin)."""
    out = dict(conf)
    out["ipam"] = {**conf["ipam"], "dataDir": str(data_dir)}
    return out


def replay_script(steps: list[Step], data_dir: str, title: str = "", tmp_dirs: Iterable[str] = ()) -> str:
    """The sequence as one replay script (cnitest.reproduce: a subshell that pastes safely,
    namespaces of its own, cleanup on exit, exit 1 when every call ends as it did).

    Each step's label carries the outcome of its calls; `data_dir` (the example's ipam
    dataDir) becomes the script's own temporary directory unless it lies under `tmp_dirs`."""
    from .reproduce import Step as ReplayStep
    from .reproduce import script

    replayed = []
    for step in steps:
        label = step.label + (f" ({step.note})" if step.note else "")
        calls = [inv for inv, _name in step.calls]
        if calls:
            label += " -> " + "; ".join(outcome(inv) for inv in calls)
        replayed.append(ReplayStep(label, calls, step.parallel))
    dirs = [d for d in tmp_dirs if d]
    inside = any(data_dir.startswith(d.rstrip("/") + "/") for d in dirs)
    return script(replayed, title=title, tmp_dirs=dirs, rename={data_dir: "${T}/ipam"} if data_dir and not inside else None)


def outcome(inv: Invocation) -> str:
    """How one call ended, for a reproducer comment: exit status, addresses or error."""
    if inv.exit_code == 0:
        ips = [str(ip.address) for ip in Result.read(inv.result).ips]
        return "exit 0" + (f", {', '.join(ips)}" if ips else "")
    err = f", {inv.error}" if inv.error else ""
    return f"exit {inv.exit_code}{err}"



def all_at_once(fn: Callable[[int], None], count: int) -> None:
    """Call fn(0) .. fn(count-1) on threads of their own, released together by a barrier."""
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        barrier.wait()
        fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()


def ip_of(text: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address, or None for anything that is not one."""
    try:
        return ipaddress.ip_address(text)
    except (TypeError, ValueError):
        return None


def small_range(ipam_type: str, subnet: str, capacity: int) -> dict[str, Any]:
    """An ipam section of one /24 whose range holds `capacity` addresses from .10 on
    (the default gateway, .1, is outside the range)."""
    start = ipaddress.ip_network(subnet).network_address + 10
    return {"type": ipam_type, "ranges": [[{"subnet": subnet, "rangeStart": str(start), "rangeEnd": str(start + capacity - 1)}]]}
