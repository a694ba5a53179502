"""What the machine looks like outside the sandbox, and what a test changed of it.

The sandbox (cnitest.sandbox) should leave a plugin no way to change the
machine; this is the check that it did not. A snapshot holds the machine's own
network namespace (links, addresses, routes, read with pyroute2 from the
harness's main thread, which never leaves it), its packet filter rules (the
nftables ruleset, which with Debian's iptables-nft includes iptables rules), and
its mounts. `changes()` names each difference; `undo()` removes the links and
mounts a test added, which is what can be undone safely.

Named namespaces (/run/netns) are left out: other cnitest runs on the machine
(`cnitest exec --host-netns`) make them legitimately, and a plugin cannot reach
/run/netns of the machine from its private /run.

Reading all of it after every test costs 30-60 ms (four netlink dumps and an
`nft` process), more than many tests' plugin calls. A `Watcher` reads it only
when something may have changed: the kernel announces every change of links,
addresses and routes (rtnetlink) and of the nftables ruleset (nfnetlink, which
iptables-nft goes through too) on multicast groups of this network namespace,
and a Watcher listens to them. Its `snapshot()` re-reads a part when an
announcement arrived, when one may have been lost (a full socket buffer), or when
it could not listen (no socket: e.g. nfnetlink without CAP_NET_ADMIN); the mounts,
which netlink does not announce, are read every time (1 ms).
"""

from __future__ import annotations

import errno
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Snapshot", "Watcher", "changes", "snapshot", "undo"]

_COUNTER = re.compile(r"counter packets \d+ bytes \d+")  # traffic, not configuration


@dataclass(frozen=True)
class Snapshot:
    links: frozenset[str] = field(default_factory=frozenset)  # "name (kind)"
    addresses: frozenset[str] = field(default_factory=frozenset)  # "cidr on name"
    routes: frozenset[str] = field(default_factory=frozenset)  # "dst via gw table t"
    rules: frozenset[str] = field(default_factory=frozenset)  # nftables ruleset lines
    mounts: frozenset[str] = field(default_factory=frozenset)  # "mountpoint (fstype)"


def snapshot() -> Snapshot:
    """The machine's state now, as far as this process can read it."""
    links, addresses, routes = _network()
    return Snapshot(links, addresses, routes, frozenset(_ruleset()), frozenset(_mounts()))


# rtnetlink groups (linux/rtnetlink.h RTMGRP_*): links, IPv4/IPv6 addresses and routes
_RTMGRP = 0x1 | 0x10 | 0x40 | 0x100 | 0x400
_NETLINK_NETFILTER = 12
_NFNLGRP_NFTABLES = 7


class Watcher:
    """Snapshots of the machine that re-read only what the kernel says may have changed.

    Make it on the thread that stays in the machine's network namespace (the
    main thread): its netlink sockets hear that namespace only."""

    def __init__(self) -> None:
        self._route = _listen(socket.NETLINK_ROUTE, _RTMGRP)
        self._nft = _listen(_NETLINK_NETFILTER, 1 << (_NFNLGRP_NFTABLES - 1))
        self._last: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        """The machine's state now; equal to `snapshot()` but cheaper when nothing changed."""
        last = self._last
        # Drain before reading: a change made while reading is announced and read next time.
        if last is None or _announced(self._route):
            links, addresses, routes = _network()
        else:
            links, addresses, routes = last.links, last.addresses, last.routes
        if last is None or _announced(self._nft):
            rules = frozenset(_ruleset())
        else:
            rules = last.rules
        now = Snapshot(links, addresses, routes, rules, frozenset(_mounts()))
        self._last = now
        return now

    def forget(self) -> None:
        """Read everything again next time (e.g. after undoing changes)."""
        self._last = None

    def close(self) -> None:
        for sock in (self._route, self._nft):
            if sock is not None:
                sock.close()
        self._route = self._nft = None


def _listen(protocol: int, groups: int) -> socket.socket | None:
    """A non-blocking netlink socket in `groups` of `protocol`, or None if that is not allowed here."""
    try:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, protocol)
    except OSError:
        return None
    try:
        sock.bind((0, groups))
        sock.setblocking(False)
    except OSError:
        sock.close()
        return None
    return sock


def _announced(sock: socket.socket | None) -> bool:
    """Whether anything arrived on `sock` since the last call (True when it cannot tell)."""
    if sock is None:
        return True
    heard = False
    while True:
        try:
            if not sock.recv(65536):
                return heard
            heard = True
        except BlockingIOError:
            return heard
        except OSError as exc:
            if exc.errno != errno.ENOBUFS:
                return True
            heard = True  # the buffer overflowed: announcements were lost


def _network() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Links, addresses and routes of this thread's network namespace."""
    from .rtnl import Dumper

    with Dumper() as dumper:
        names = {}
        links = set()
        for msg in dumper.links():
            names[msg["index"]] = msg.get("ifname")
            links.add(f"{msg.get('ifname')} ({msg.get_nested('IFLA_LINKINFO', 'IFLA_INFO_KIND') or 'device'})")
        addresses = {f"{m.get('address')}/{m['prefixlen']} on {names.get(m['index'], m['index'])}" for m in dumper.addresses()}
        routes = set()
        for family in (socket.AF_INET, socket.AF_INET6):
            for m in dumper.routes(family):
                table = m.get("table") or m["table"]
                if table == 255:
                    continue
                via = f" via {m.get('gateway')}" if m.get("gateway") else ""
                routes.add(f"{m.get('dst') or 'default'}/{m['dst_len']}{via} dev {names.get(m.get('oif'), m.get('oif'))} table {table}")
    return frozenset(links), frozenset(addresses), frozenset(routes)


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """Each difference, in words: '+ link veth0 (veth)', '- route ...'."""
    out = []
    for what in ("links", "addresses", "routes", "rules", "mounts"):
        old, new = getattr(before, what), getattr(after, what)
        noun = what[:-1] if what != "addresses" else "address"
        out += [f"+ {noun} {x}" for x in sorted(new - old)]
        out += [f"- {noun} {x}" for x in sorted(old - new)]
    return out


def undo(before: Snapshot, after: Snapshot) -> list[str]:
    """Remove the links and mounts that appeared; returns what could not be undone."""
    from pyroute2 import IPRoute

    left = []
    with IPRoute() as ipr:
        for link in sorted(after.links - before.links):
            name = link.rsplit(" (", 1)[0]
            try:
                ipr.link("del", index=ipr.link_lookup(ifname=name)[0])
            except Exception as exc:  # noqa: BLE001 - reported, never raised
                left.append(f"link {name}: {exc}")
    for mount in sorted(after.mounts - before.mounts, reverse=True):
        point = mount.rsplit(" (", 1)[0]
        if subprocess.run(["umount", "-l", point], capture_output=True).returncode != 0:
            left.append(f"mount {point}")
    if after.rules != before.rules:
        left.append("packet filter rules (not undone: restore them by hand)")
    return left


def _ruleset() -> list[str]:
    nft = shutil.which("nft")
    if nft is None:
        return []
    out = subprocess.run([nft, "list", "ruleset"], capture_output=True, text=True, timeout=10)
    lines = (_COUNTER.sub("counter", line.strip()) for line in out.stdout.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _mounts() -> list[str]:
    out = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        point = left.split()[4]
        if point.startswith(("/run/netns", "/var/run/netns")):
            continue
        out.append(f"{point} ({right.split()[0]})")
    return out
