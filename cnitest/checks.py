"""Cross-checks of a plugin's result against what the kernel really holds.

A result is read in any spec version's shape (0.1.0/0.2.0 ip4/ip6, later
interfaces/ips/routes) into one normalized form, then compared with a
snapshot of the container namespace. Each function returns the list of
mismatches as readable sentences; an empty list means the result is true.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .attachment import (
    BlockedBy,
    require,
    with_prev_result,  # noqa: F401  (kept here for plugin authors' tests)
)
from .netns import Namespace, Snapshot


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


def _objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a list a plugin sent; nothing when it sent no list (the schema says so)."""
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def normalize(result: Any) -> Normalized:
    """One form for results of every spec version (tolerant: the schema judges shape;
    a field of the wrong type is left out, never a crash)."""
    out = Normalized()
    if not isinstance(result, dict):
        return out
    if "ip4" in result or "ip6" in result:
        for key in ("ip4", "ip6"):
            block = result.get(key)
            if isinstance(block, dict) and isinstance(block.get("ip"), str):
                out.ips.append(IPConfig(block["ip"], _text(block.get("gateway")), None))
                out.routes += _objects(block.get("routes"))
        return out
    out.interfaces = _objects(result.get("interfaces"))
    for ip in _objects(result.get("ips")):
        if isinstance(ip.get("address"), str):
            index = ip.get("interface")
            out.ips.append(IPConfig(ip["address"], _text(ip.get("gateway")), index if isinstance(index, int) else None))
    out.routes = _objects(result.get("routes"))
    return out


def container_interface_indexes(norm: Normalized, sandbox: str) -> list[int]:
    return [i for i, iface in enumerate(norm.interfaces) if iface.get("sandbox") == sandbox]


def kernel_mismatches(result: dict[str, Any], snap: Snapshot, ifname: str, sandbox: str) -> list[str]:
    """What the result claims about the container namespace that is not so."""
    return (
        interface_mismatches(result, snap, sandbox)
        + address_mismatches(result, snap, ifname, sandbox)
        + route_mismatches(result, snap)
    )


def interface_mismatches(result: dict[str, Any], snap: Snapshot, sandbox: str, *, mac: bool = True, up: bool = True) -> list[str]:
    """Container interfaces (sandbox == CNI_NETNS) of the result that are missing, have another MAC, or are down."""
    norm = normalize(result)
    problems: list[str] = []
    for i in container_interface_indexes(norm, sandbox):
        iface = norm.interfaces[i]
        link = snap.link(str(iface.get("name")))
        if link is None:
            problems.append(f"interfaces[{i}] {iface.get('name')!r} is not in the container namespace")
            continue
        want = iface.get("mac")
        if mac and isinstance(want, str) and want and link.mac and want.lower() != link.mac.lower():
            problems.append(f"interfaces[{i}] {link.name} has MAC {link.mac}, the result says {want}")
        if up and not link.up:
            problems.append(f"interfaces[{i}] {link.name} is down")
    return problems


def address_mismatches(result: dict[str, Any], snap: Snapshot, ifname: str, sandbox: str) -> list[str]:
    """Addresses of the result on a container interface (or, in a legacy result, on CNI_IFNAME) that are not configured."""
    norm = normalize(result)
    in_container = container_interface_indexes(norm, sandbox)
    problems: list[str] = []
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
    return problems


def route_mismatches(result: dict[str, Any], snap: Snapshot) -> list[str]:
    """Routes of the result that are not in the container's routing tables."""
    problems: list[str] = []
    for n, route in enumerate(normalize(result).routes):
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


# --- helpers for the lifecycle suites ----------------------------------------
#
# The suites (add, check, delete, results) share these so that every test reads
# a result, a schema report or IPAM state the same way.


PreconditionFailed = BlockedBy
"""A step a test depends on (usually the ADD) failed: the test is blocked by that step's
rule (cnitest.attachment.BlockedBy), never a finding of the rule it names."""


def require_success(inv: Any, what: str, rule: str | None = None) -> Any:
    """`inv` if it succeeded with well-formed output, else BlockedBy `rule` (default: the
    rule that judges a plain call of `inv.verb`, cnitest.attachment.PRECONDITION_RULES)."""
    return require(inv, rule, what)


def schema_errors_at(errors: list[str], *fields: str, but: tuple[str, ...] = ()) -> list[str]:
    """The schema messages about `fields` (JSON paths like "ips", "interfaces"),
    leaving out those about any path ending in one of `but` (e.g. ".version")."""

    def about(msg: str, path: str) -> bool:
        return msg.startswith(path) and (len(msg) == len(path) or msg[len(path)] in ".[:")

    out = []
    for msg in errors:
        head = msg.split(":", 1)[0]
        if any(about(msg, f) for f in fields) and not any(re.search(re.escape(b) + r"\b", head) for b in but):
            out.append(msg)
    return out


def is_cidr(value: Any) -> bool:
    """An address with a prefix length, e.g. 10.0.0.2/24 or fd00::2/64."""
    if not isinstance(value, str) or "/" not in value:
        return False
    try:
        ipaddress.ip_interface(value)
    except ValueError:
        return False
    return True


def is_ip(value: Any) -> bool:
    """A plain address without a prefix length."""
    if not isinstance(value, str) or "/" in value:
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def family(value: str) -> int:
    """4 or 6 for an address with or without a prefix length."""
    return ipaddress.ip_interface(value).version


def listing(problems: list[str]) -> str:
    return "\n- " + "\n- ".join(problems)


PREEXISTING_IFNAMES = ("lo",)
"""CNI_IFNAMEs every fresh namespace already has: a plugin called with one (loopback)
configures that interface instead of creating it, so tests that pre-create,
rename or delete the container interface do not apply."""


def located_interfaces(result: dict[str, Any], container: Snapshot, host: Snapshot, ifname: str | None = None) -> tuple[list[int], list[int]]:
    """Indexes of the result's interfaces that are really in the container namespace,
    and of those really in the host namespace, by link name. A name both namespaces
    have (lo) counts as container-side only when it is CNI_IFNAME."""
    norm = normalize(result)
    inside, outside = [], []
    for i, iface in enumerate(norm.interfaces):
        name = iface.get("name")
        if not isinstance(name, str):
            continue
        if container.link(name) is not None and (host.link(name) is None or name == ifname):
            inside.append(i)
        elif host.link(name) is not None:
            outside.append(i)
    return inside, outside


def ipam_section(conf: dict[str, Any]) -> dict[str, Any] | None:
    ipam = conf.get("ipam")
    return ipam if isinstance(ipam, dict) else None


def single_address_pool(conf: dict[str, Any]) -> list[str] | None:
    """Shrink every range set of a host-local style `ipam.ranges` to one address.

    Changes `conf` in place and returns the addresses the pool still holds (one
    per range set), or None when the config has no `ipam.ranges` to shrink."""
    ipam = ipam_section(conf)
    ranges = ipam.get("ranges") if ipam else None
    if not isinstance(ranges, list) or not ranges:
        return None
    left = []
    for n, range_set in enumerate(ranges):
        if not isinstance(range_set, list) or not range_set or not isinstance(range_set[0], dict):
            return None
        first = dict(range_set[0])
        try:
            net = ipaddress.ip_network(first["subnet"], strict=False)
        except (KeyError, ValueError):
            return None
        if net.num_addresses < 8:
            return None
        address = str(net.network_address + 5)
        first["rangeStart"] = first["rangeEnd"] = address
        ranges[n] = [first]
        left.append(address)
    return left


def host_local_reservations(conf: dict[str, Any]) -> dict[str, str] | None:
    """Addresses host-local holds for this network: {address: file content}.

    host-local keeps one file per reserved address, named after it, under
    dataDir/<network name>/. None when the config does not use host-local with a
    dataDir (the harness always sets one for host-local)."""
    ipam = ipam_section(conf)
    if not ipam or ipam.get("type") != "host-local" or not isinstance(ipam.get("dataDir"), str):
        return None
    folder = Path(ipam["dataDir"]) / str(conf.get("name"))
    out: dict[str, str] = {}
    if not folder.is_dir():
        return out
    for entry in folder.iterdir():
        if is_ip(entry.name):
            out[entry.name] = entry.read_text(errors="replace")
    return out


def addresses_of(result: dict[str, Any]) -> list[str]:
    """Every address (without prefix length) the result hands out."""
    out = []
    for ip in normalize(result).ips:
        try:
            out.append(str(ipaddress.ip_interface(ip.address).ip))
        except ValueError:
            pass
    return out


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
