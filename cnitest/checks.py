"""Cross-checks of a plugin's result against what the kernel really holds.

A result is read in any spec version's shape (0.1.0/0.2.0 ip4/ip6, later
interfaces/ips/routes) into one normalized form, then compared with a
snapshot of the container namespace. Each function returns the list of
mismatches as readable sentences; an empty list means the result is true.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from .netns import Snapshot


@dataclass
class IPConfig:
    address: str  # CIDR
    gateway: str | None
    interface: int | None


@dataclass
class Normalized:
    interfaces: list[dict[str, Any]] = field(default_factory=list)
    ips: list[IPConfig] = field(default_factory=list)
    routes: list[dict[str, Any]] = field(default_factory=list)


def normalize(result: dict[str, Any]) -> Normalized:
    """One form for results of every spec version (tolerant: the schema judges shape)."""
    out = Normalized()
    if "ip4" in result or "ip6" in result:
        for key in ("ip4", "ip6"):
            block = result.get(key)
            if isinstance(block, dict) and isinstance(block.get("ip"), str):
                out.ips.append(IPConfig(block["ip"], block.get("gateway"), None))
                out.routes += [r for r in block.get("routes") or [] if isinstance(r, dict)]
        return out
    out.interfaces = [i for i in result.get("interfaces") or [] if isinstance(i, dict)]
    for ip in result.get("ips") or []:
        if isinstance(ip, dict) and isinstance(ip.get("address"), str):
            index = ip.get("interface")
            out.ips.append(IPConfig(ip["address"], ip.get("gateway"), index if isinstance(index, int) else None))
    out.routes = [r for r in result.get("routes") or [] if isinstance(r, dict)]
    return out


def container_interface_indexes(norm: Normalized, sandbox: str) -> list[int]:
    return [i for i, iface in enumerate(norm.interfaces) if iface.get("sandbox") == sandbox]


def kernel_mismatches(result: dict[str, Any], snap: Snapshot, ifname: str, sandbox: str) -> list[str]:
    """What the result claims about the container namespace that is not so."""
    norm = normalize(result)
    problems: list[str] = []
    in_container = container_interface_indexes(norm, sandbox)
    for i in in_container:
        iface = norm.interfaces[i]
        link = snap.link(str(iface.get("name")))
        if link is None:
            problems.append(f"interfaces[{i}] {iface.get('name')!r} is not in the container namespace")
            continue
        mac = iface.get("mac")
        if mac and link.mac and mac.lower() != link.mac.lower():
            problems.append(f"interfaces[{i}] {link.name} has MAC {link.mac}, the result says {mac}")
        if not link.up:
            problems.append(f"interfaces[{i}] {link.name} is down")
    for n, ip in enumerate(norm.ips):
        if ip.interface is not None and ip.interface not in in_container:
            continue  # an address on a host-side interface (or an out-of-range index, judged elsewhere)
        name = str(norm.interfaces[ip.interface].get("name")) if ip.interface is not None else ifname
        try:
            present = snap.has_address(name, ip.address)
        except ValueError:
            problems.append(f"ips[{n}] address {ip.address!r} is not an address")
            continue
        if not present:
            problems.append(f"ips[{n}] {ip.address} is not assigned to {name} in the container")
    for n, route in enumerate(norm.routes):
        dst = route.get("dst")
        if not isinstance(dst, str):
            continue
        try:
            gw = route.get("gw") if isinstance(route.get("gw"), str) else None
            if not snap.has_route(dst, gw):
                via = f" via {gw}" if gw else ""
                problems.append(f"routes[{n}] {dst}{via} is not in the container's routing table")
        except ValueError:
            problems.append(f"routes[{n}] {route!r} is not a route")
    return problems


def ip_version(cidr: str) -> int:
    return ipaddress.ip_interface(cidr).version
