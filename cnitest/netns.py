"""Network namespaces held by file descriptors, and what is inside them.

A namespace made here has no name and no bind mount: this process holds it open
by one file descriptor, and `/proc/<pid>/fd/<n>` is its CNI_NETNS path. When the
descriptor is closed, or the process dies even by SIGKILL, the kernel destroys
the namespace and every link in it, so a killed run leaves nothing behind. A test's
namespaces are released at its end (`Namespace.release`): closed for the
harness at once, and destroyed by the kernel later, many together.

setns(2) changes only the calling thread, so every piece of work "inside" a
namespace runs on a short-lived thread of its own; the main thread never moves.
A child process started from such a thread, and a socket opened there, belong
to that namespace for good.
"""

from __future__ import annotations

import ctypes
import fcntl
import ipaddress
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = [
    "Address", "Link", "Namespace", "NamespaceError", "Route", "Snapshot", "close_alias", "new", "open_path",
    "stale_netns_path",
]

T = TypeVar("T")

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


class NamespaceError(OSError):
    """A namespace could not be made, entered or read."""


def _check(rc: int, what: str) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise NamespaceError(err, f"{what}: {os.strerror(err)}")


def _on_thread(fn: Callable[[], T]) -> T:
    """Run `fn` on a fresh thread and return its value or raise its exception."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the caller below
            box["error"] = exc

    thread = threading.Thread(target=target, name="cnitest-netns", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


class Namespace:
    """A network namespace this process holds open; closing it destroys it."""

    def __init__(self, fd: int, label: str) -> None:
        self.fd = fd
        self.label = label
        self.sandbox: Any = None  # a host namespace's cnitest.sandbox.Sandbox: the files its plugins see

    @property
    def path(self) -> str:
        """The CNI_NETNS path for this namespace, valid while it is open."""
        if self.fd < 0:
            raise NamespaceError(0, f"namespace {self.label} is closed")
        return f"/proc/{os.getpid()}/fd/{self.fd}"

    @property
    def inode(self) -> int:
        return os.fstat(self.fd).st_ino

    @property
    def closed(self) -> bool:
        return self.fd < 0

    def run(self, fn: Callable[[], T]) -> T:
        """Call `fn` inside this namespace (on a thread of its own) and return its value."""
        fd = self.fd

        def inside() -> T:
            _check(_libc.setns(fd, CLONE_NEWNET), f"setns into {self.label}")
            return fn()

        return _on_thread(inside)

    def socket(self, family: int = socket.AF_INET, kind: int = socket.SOCK_DGRAM) -> socket.socket:
        """A socket that lives in this namespace (for data-plane checks)."""
        return self.run(lambda: socket.socket(family, kind))

    def iproute(self, fn: Callable[[Any], T]) -> T:
        """Call `fn(ipr)` with a pyroute2 IPRoute opened inside this namespace."""
        from pyroute2 import IPRoute

        def with_ipr() -> T:
            with IPRoute() as ipr:
                return fn(ipr)

        return self.run(with_ipr)

    def no_dad(self) -> None:
        """Turn IPv6 duplicate address detection off for the interfaces made here from now on.

        An IPv6 address stays tentative (unusable) for ~2 s while the kernel
        probes for a duplicate. The harness turns that off where it only costs
        waiting: in the sandbox host namespace (a bridge's gateway address, the
        host end of a veth), and in the IPAM and differential machines' container
        namespaces. The suites' container namespaces keep the kernel's defaults,
        so what a plugin does about DAD there is tested as it is."""

        def write() -> None:
            for scope in ("default", "all"):
                try:
                    with open(f"/proc/sys/net/ipv6/conf/{scope}/accept_dad", "w") as f:
                        f.write("0")
                except OSError:
                    pass  # no IPv6 in this kernel: nothing to wait for either

        self.run(write)

    def snapshot(self) -> Snapshot:
        """Links, addresses and routes in this namespace, read over netlink (cnitest.rtnl: no IPRoute)."""
        from .rtnl import Dumper

        def read() -> Snapshot:
            with Dumper() as dumper:
                return _read_snapshot(dumper)

        return self.run(read)

    def close(self) -> None:
        """Close the descriptor now: the kernel destroys the namespace (asynchronously, on its work queue)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def release(self) -> None:
        """Done with this namespace: closed for the harness now, destroyed later with others (see _Released).

        For the end of a test, where nothing looks at the namespace again;
        a test that needs it gone (a DEL after the namespace vanished) calls close()."""
        if self.fd >= 0:
            _released.add(self.fd)
            self.fd = -1

    def __enter__(self) -> Namespace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else self.path
        return f"<Namespace {self.label} {state}>"


def new(label: str = "netns", lo_up: bool = True) -> Namespace:
    """Make a new, empty network namespace (with `lo` up unless told otherwise).

    One with `lo` up comes from `_ahead` when it has one ready: made on a
    background thread while the harness waited for a plugin, never used."""
    fd = _ahead.take() if lo_up else None
    return Namespace(fd if fd is not None else _on_thread(lambda: _make(lo_up)), label)


def _make(lo_up: bool) -> int:
    """On a thread of its own: a new namespace, held by the fd returned."""
    _check(_libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
    fd = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    if lo_up:
        _lo_up()
    return fd


class _Ahead:
    """A few fresh namespaces (lo up), made ahead of need on a background thread.

    A test makes two namespaces or more before its first plugin call, at
    ~1 ms each on an idle machine and 3 ms under load (the kernel's own work,
    serialised on its network locks); here that work runs while the harness
    waits for a plugin, so that `new()` mostly just takes one. The thread
    returns to the namespace it started in after making each one, so nothing
    but the fd held here keeps a namespace alive; a forked child starts with
    none (it must not hand out the namespaces its parent hands out)."""

    SIZE = 2

    def __init__(self) -> None:
        self._forget()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        for fd in getattr(self, "_ready", []):
            os.close(fd)
        self._ready: list[int] = []
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._failed = False

    def take(self) -> int | None:
        """A ready namespace's fd, or None (none made yet, or making them failed here); wakes the maker."""
        with self._wake:
            fd = self._ready.pop(0) if self._ready else None
            if self._thread is None and not self._failed:
                self._thread = threading.Thread(target=self._fill, name="cnitest-netns-ahead", daemon=True)
                self._thread.start()
            self._wake.notify()
        return fd

    def _fill(self) -> None:
        try:
            home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self._failed = True
            return
        while True:
            with self._wake:
                while len(self._ready) >= self.SIZE:
                    self._wake.wait()
            try:
                fd = _make(True)
                _check(_libc.setns(home, CLONE_NEWNET), "setns back")
            except OSError:
                self._failed = True  # new() makes its own, and says why it cannot
                return
            with self._wake:
                self._ready.append(fd)


_ahead = _Ahead()


class _Released:
    """Namespaces the harness is done with, held until the end of the process (or a flush).

    Destroying a network namespace is the kernel's work queue's job
    (cleanup_net): every device unregistered under the rtnl lock, then RCU
    barriers, ~30 ms of mostly waiting for a namespace holding a bridge. Done
    at the end of each test it overlaps the next test's plugin calls, whose
    own netlink requests and RCU barriers queue behind it. The suites against
    the Go bridge, with each namespace destroyed at its test's end and
    released this way: 16 s and 11.5 s serially at 1.0.0 (the 661
    namespaces are destroyed after the run); 35.7 s and 30.3 s with -n 2 at
    its six versions (each worker destroys its namespaces once mid-run).

    A held namespace costs ~220 KB of kernel memory and a descriptor, so a
    process holds at most MAX // workers (xdist workers share the machine) and
    a quarter of its descriptor limit, and destroys all it holds at once when
    it reaches that. It is only a descriptor: a process killed by SIGKILL
    still leaves nothing, and a forked child closes its copies."""

    MAX = 1024  # ~225 MB of kernel memory for a whole run, split among its processes

    def __init__(self) -> None:
        self._fds: list[int] = []
        self._lock = threading.Lock()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        """In a forked child: close the copies, without the lock another thread may have held."""
        fds, self._fds, self._lock = self._fds, [], threading.Lock()
        for fd in fds:
            os.close(fd)

    def limit(self) -> int:
        """How many this process may hold: MAX, shared with the other xdist workers of the run,
        and at most a quarter of its descriptors (a soft limit of 1024 is common)."""
        import resource

        workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")
        share = max(1, self.MAX // int(workers)) if workers.isdigit() and int(workers) > 0 else self.MAX
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        return share if soft == resource.RLIM_INFINITY else max(1, min(share, soft // 4))

    def add(self, fd: int) -> None:
        with self._lock:
            self._fds.append(fd)
            full = len(self._fds) >= self.limit()
        if full:
            self.flush()

    def flush(self) -> None:
        """Close every held descriptor: the kernel destroys those namespaces together."""
        with self._lock:
            fds, self._fds = self._fds, []
        for fd in fds:
            os.close(fd)

    def __len__(self) -> int:
        return len(self._fds)


_released = _Released()


_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1


def _lo_up() -> None:
    """Set `lo` of this thread's namespace up: two ioctls, where a pyroute2 socket costs ~5 ms to set up."""
    import fcntl
    import struct

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        flags = struct.unpack_from("16sH", fcntl.ioctl(sock, _SIOCGIFFLAGS, struct.pack("16sH22x", b"lo", 0)))[1]
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | _IFF_UP))


def open_path(path: str, label: str | None = None) -> Namespace:
    """Hold an existing namespace by its path (e.g. /var/run/netns/x, /proc/N/ns/net)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    return Namespace(fd, label or path)


# --- snapshots -----------------------------------------------------------


@dataclass(frozen=True)
class Link:
    index: int
    name: str
    kind: str | None
    mac: str | None
    up: bool
    mtu: int | None
    master: int | None
    flags: int


@dataclass(frozen=True)
class Address:
    index: int
    address: str
    prefixlen: int
    family: int

    @property
    def cidr(self) -> str:
        return f"{self.address}/{self.prefixlen}"

    @property
    def interface(self) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
        return ipaddress.ip_interface(self.cidr)


@dataclass(frozen=True)
class Route:
    family: int
    dst: str  # a CIDR; "0.0.0.0/0" or "::/0" for a default route
    gateway: str | None
    oif: int | None
    table: int
    # What a 1.1.0 result's route entry can state (route.result.extended-fields-kernel):
    priority: int | None = None  # RTA_PRIORITY, the metric (None: the kernel sent none)
    mtu: int | None = None  # RTAX_MTU of RTA_METRICS (None: not set)
    advmss: int | None = None  # RTAX_ADVMSS of RTA_METRICS (None: not set)
    scope: int = 0  # rtm_scope: 0 universe/global, 253 link, 254 host


@dataclass
class Snapshot:
    """What a namespace held at one moment, for cross-checks against a result."""

    links: list[Link] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)

    def link(self, name: str) -> Link | None:
        return next((l for l in self.links if l.name == name), None)

    def addresses_of(self, name: str) -> list[Address]:
        link = self.link(name)
        if link is None:
            return []
        return [a for a in self.addresses if a.index == link.index]

    def has_address(self, name: str, cidr: str) -> bool:
        want = ipaddress.ip_interface(cidr)
        return any(a.interface == want for a in self.addresses_of(name))

    def has_route(self, dst: str, gateway: str | None = None) -> bool:
        want = ipaddress.ip_network(dst, strict=False)
        for r in self.routes:
            if ipaddress.ip_network(r.dst, strict=False) != want:
                continue
            if gateway is None or (r.gateway and ipaddress.ip_address(r.gateway) == ipaddress.ip_address(gateway)):
                return True
        return False

    def describe(self) -> str:
        """A compact, readable listing for failure messages."""
        lines = []
        for l in self.links:
            addrs = ", ".join(a.cidr for a in self.addresses if a.index == l.index)
            state = "UP" if l.up else "DOWN"
            lines.append(f"  {l.index}: {l.name} ({l.kind or 'device'}) {l.mac} {state} mtu {l.mtu} [{addrs}]")
        for r in self.routes:
            via = f" via {r.gateway}" if r.gateway else ""
            lines.append(f"  route {r.dst}{via} dev#{r.oif} table {r.table}")
        return "\n".join(lines) or "  (empty)"


def _route_metric(msg: Any, name: str) -> int | None:
    """One RTA_METRICS entry of a route message (RTAX_MTU, RTAX_ADVMSS), None when unset."""
    metrics = msg.get("metrics")
    if metrics is None:
        return None
    value = metrics.get(name)
    return int(value) if value is not None else None


def _read_snapshot(dumper: Any) -> Snapshot:
    snap = Snapshot()
    for msg in dumper.links():
        snap.links.append(
            Link(
                index=msg["index"],
                name=msg.get("ifname"),
                kind=msg.get_nested("IFLA_LINKINFO", "IFLA_INFO_KIND"),
                mac=msg.get("address"),
                up=bool(msg["flags"] & 1),
                mtu=msg.get("mtu"),
                master=msg.get("master"),
                flags=msg["flags"],
            )
        )
    for msg in dumper.addresses():
        snap.addresses.append(
            Address(index=msg["index"], address=msg.get("address"), prefixlen=msg["prefixlen"], family=msg["family"])
        )
    for family in (socket.AF_INET, socket.AF_INET6):
        for msg in dumper.routes(family):
            table = msg.get("table") or msg["table"]
            if table == 255:  # the kernel's local table: not configuration
                continue
            dst = msg.get("dst")
            default = "0.0.0.0" if family == socket.AF_INET else "::"
            snap.routes.append(
                Route(
                    family=family,
                    dst=f"{dst or default}/{msg['dst_len']}",
                    gateway=msg.get("gateway"),
                    oif=msg.get("oif"),
                    table=table,
                    priority=msg.get("priority"),
                    mtu=_route_metric(msg, "RTAX_MTU"),
                    advmss=_route_metric(msg, "RTAX_ADVMSS"),
                    scope=msg["scope"],
                )
            )
    return snap


def stale_netns_path(ns: Namespace) -> str:
    """Hold `ns` by one more descriptor, numbered high, and return that one's path.

    Closing both descriptors (`ns.close()` and `close_alias`) destroys the
    namespace and leaves a path that names nothing: the low descriptor numbers
    the kernel hands out first (pipes to the next plugin call) never land on it,
    so the stale path cannot turn into a pipe or another namespace by accident."""
    high = fcntl.fcntl(ns.fd, fcntl.F_DUPFD_CLOEXEC, 900)
    return f"/proc/{os.getpid()}/fd/{high}"


def close_alias(path: str) -> None:
    """Close the descriptor `stale_netns_path` made."""
    os.close(int(path.rsplit("/", 1)[1]))
