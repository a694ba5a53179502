"""Data-plane and host-state probes for the suites (traffic only between sandbox namespaces).

- `udp_exchange`: a UDP request/echo between two namespaces over one address,
  with sockets opened inside the namespaces (Namespace.socket), bounded in time;
- `iptables_save`, `read_sysctl`, `qdiscs`, `link_info`: read kernel state of a
  sandbox namespace (iptables through a subprocess started inside it;
  `have_iptables` says whether it can);
- `container_addresses`: the addresses a result puts on container-side interfaces.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from .netns import Namespace

__all__ = [
    "container_addresses", "have_iptables", "iptables_save", "link_info", "qdiscs", "read_sysctl", "udp_exchange",
]

DEFAULT_TIMEOUT = 8.0  # IPv6 DAD alone takes ~2 s on a quiet machine; only a failing exchange waits this long


def udp_exchange(client_ns: Namespace, server_ns: Namespace, server_addr: str, timeout: float = DEFAULT_TIMEOUT) -> str | None:
    """Send a datagram from `client_ns` to `server_addr` (bound in `server_ns`) and get it echoed back.

    Returns None when the round trip worked, else what went wrong. Retries until
    `timeout` so that ARP/NDP and IPv6 duplicate address detection can settle.
    """
    addr = str(ipaddress.ip_address(server_addr))
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    deadline = time.monotonic() + timeout
    server = server_ns.socket(family, socket.SOCK_DGRAM)
    client = client_ns.socket(family, socket.SOCK_DGRAM)
    last = "nothing happened"
    try:
        while True:  # an IPv6 address is not bindable while tentative (DAD)
            try:
                server.bind((addr, 0))
                break
            except OSError as exc:
                last = f"cannot bind {addr} in the server namespace: {exc.strerror}"
                if exc.errno != errno.EADDRNOTAVAIL or time.monotonic() > deadline:
                    return last
                time.sleep(0.1)
        port = server.getsockname()[1]
        token = os.urandom(8).hex().encode()
        while time.monotonic() < deadline:
            try:
                client.sendto(b"cnitest " + token, (addr, port))
            except OSError as exc:
                last = f"sending to {addr}:{port} failed: {exc.strerror}"
                time.sleep(0.1)
                continue
            server.settimeout(0.3)
            try:
                data, peer = server.recvfrom(256)
            except TimeoutError:
                last = f"no datagram reached {addr}:{port}"
                continue
            except OSError as exc:
                last = f"receiving on {addr}:{port} failed: {exc.strerror}"
                continue
            if token not in data:
                last = f"unexpected datagram {data!r} from {peer}"
                continue
            try:
                server.sendto(b"echo " + data, peer)
            except OSError as exc:
                last = f"the reply from {addr} to {peer[0]} could not be sent: {exc.strerror}"
                time.sleep(0.1)
                continue
            client.settimeout(0.5)
            try:
                reply = client.recv(256)
            except TimeoutError:
                last = f"the datagram reached {addr} (from {peer[0]}) but the reply never came back"
                continue
            except OSError as exc:
                last = f"receiving the reply failed: {exc.strerror}"
                continue
            if token in reply:
                return None
        return f"{last} (gave up after {timeout:.0f} s)"
    finally:
        server.close()
        client.close()


def have_iptables() -> str | None:
    """None when iptables-save is usable, else why not."""
    return None if shutil.which("iptables-save") else "iptables-save is not installed"


def iptables_save(ns: Namespace, table: str = "nat", ipv6: bool = False, timeout: float = 10) -> str:
    """The iptables rules of `table` in namespace `ns` (iptables-save text)."""
    tool = "ip6tables-save" if ipv6 else "iptables-save"

    def run() -> str:
        done = subprocess.run([tool, "-t", table], check=False, capture_output=True, text=True, timeout=timeout)
        return done.stdout

    return ns.run(run)


def read_sysctl(ns: Namespace, name: str) -> str | None:
    """A net.* sysctl as seen inside `ns` (None when it does not exist)."""
    path = Path("/proc/sys") / name.replace(".", "/")

    def read() -> str | None:
        try:
            return path.read_text().strip()
        except OSError:
            return None

    return ns.run(read)


def qdiscs(ns: Namespace) -> list[dict[str, Any]]:
    """Every qdisc in `ns`: [{"index": ifindex, "kind": "tbf", "parent": int, "handle": int}]."""

    def dump(ipr: Any) -> list[dict[str, Any]]:
        return [{"index": m["index"], "kind": m.get("TCA_KIND"), "parent": m["parent"], "handle": m["handle"]}
                for m in ipr.get_qdiscs()]

    return ns.iproute(dump)


def link_info(ns: Namespace, name: str, attr: str) -> Any:
    """One IFLA_INFO_DATA attribute (e.g. IFLA_MACVLAN_MODE) of link `name` in `ns`, or None."""

    def get(ipr: Any) -> Any:
        idx = ipr.link_lookup(ifname=name)
        if not idx:
            return None
        msg = ipr.link("get", index=idx[0])[0]
        return msg.get_nested("IFLA_LINKINFO", "IFLA_INFO_DATA", attr)

    return ns.iproute(get)


def container_addresses(result: dict[str, Any], sandbox: str, family: int | None = None) -> list[str]:
    """The plain IPs a result puts on container-side interfaces (legacy results: all of them)."""
    from .result import Result

    res = Result.read(result)
    inside = set(res.container_interfaces(sandbox))
    out = []
    for ip in res.ips:
        if ip.interface is not None and inside and ip.interface not in inside:
            continue
        if family is None or ip.version == family:
            out.append(str(ip.address.ip))
    return out
