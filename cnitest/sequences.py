"""Sequences of plugin calls: what the IPAM state machine and differential runs share.

Both drive a plugin through generated sequences of ADD, CHECK, DEL, GC and
concurrent ADDs, one example at a time, and both print a failing (shrunk)
sequence as shell commands a person can paste. This module holds the pieces
they share, so that each decision is made once:

- `example_config`: one example's network config (unique names, the example's
  own dataDir, the drawn ``ipam`` section in place of the template's);
- `Step` and `replay_script`: the calls made so far and the shell script that
  replays them (fd-held namespace paths renamed to `ip netns` names, the
  dataDir to ``$DATADIR``, parallel calls as background jobs and ``wait``);
- `outcome`: one call's outcome as a reproducer comment;
- `no_dad`, `all_at_once`: container namespaces without IPv6 DAD, and calls
  started together behind a barrier.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import checks, config, netns
from .runner import Invocation

__all__ = [
    "CONTAINER_PREFIX", "HOST_NAME", "Step", "all_at_once", "container_names", "example_config", "ip_of", "no_dad",
    "outcome", "replay_script", "with_data_dir",
]

HOST_NAME = "cnitest-host"  # the host namespace's name in a reproducer
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


def _ns_number(name: str) -> int:
    tail = name[len(CONTAINER_PREFIX):]
    return int(tail) if tail.isdigit() else 0


def container_names(steps: Iterable[Step]) -> list[str]:
    """The container namespace names the steps use, in order."""
    return sorted({n for s in steps for _, n in s.calls if n}, key=_ns_number)


def replay_script(steps: list[Step], data_dir: str, direct: bool, cleanup: bool = False) -> str:
    """The sequence as shell commands a person can paste into a root shell.

    `data_dir` (the example's ipam dataDir) becomes ``$DATADIR``; `direct` means
    the plugin was called with CNI_NETNS=None (an IPAM plugin on its own), so no
    container namespaces are made; `cleanup` ends the script by deleting the
    namespaces it made (to run another sequence after it)."""
    lines = ["# as root; the plugin keeps its state in $DATADIR", "DATADIR=$(mktemp -d)"]
    names = [] if direct else container_names(steps)
    if direct:
        lines.append(f"ip netns add {HOST_NAME} 2>/dev/null || true")
    else:
        lines.append(f"ip netns add {HOST_NAME}")
        lines += [f"ip netns add {n}" for n in names]
    for step in steps:
        lines.append(f"# {step.label}")
        if step.note:
            lines.append(f"#   ({step.note})")
        for inv, name in step.calls:
            rename = {data_dir: "$DATADIR"} if data_dir else {}
            netns_path = inv.env.get("CNI_NETNS", "")
            if name and netns_path.startswith("/proc/"):
                rename[netns_path] = f"/var/run/netns/{name}"
            text = inv.reproducer(host=HOST_NAME, rename=rename)
            if step.parallel:
                first, _, rest = text.partition("\n")
                text = f"{first} &\n{rest}" if rest else f"{first} &"
            lines.append(text)
            lines.append(f"#   -> {outcome(inv)}")
        if step.parallel:
            lines.append("wait")
    if cleanup:
        lines += [f"ip netns delete {n}" for n in names]
        lines += [f"ip netns delete {HOST_NAME}", 'rm -rf "$DATADIR"']
    return "\n".join(lines)


def outcome(inv: Invocation) -> str:
    """How one call ended, for a reproducer comment: exit status, addresses or error."""
    if inv.exit_code == 0:
        ips = [ip.address for ip in checks.normalize(inv.result).ips] if isinstance(inv.result, dict) else []
        return "exit 0" + (f", {', '.join(ips)}" if ips else "")
    err = f", {inv.error}" if inv.error else ""
    return f"exit {inv.exit_code}{err}"


def no_dad(ns: netns.Namespace) -> None:
    """Turn IPv6 duplicate address detection off, so interface plugins need not wait for it."""

    def write() -> None:
        for scope in ("default", "all"):
            try:
                with open(f"/proc/sys/net/ipv6/conf/{scope}/accept_dad", "w") as f:
                    f.write("0")
            except OSError:
                pass

    ns.run(write)


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
