"""Cross-checks of a plugin's result against what the kernel really holds.

A result is read in any spec version's shape (0.1.0/0.2.0 ip4/ip6, later
interfaces/ips/routes) through the typed cnitest.Result, then compared with a
snapshot of the container namespace. Each function returns the list of
mismatches as readable sentences; an empty list means the result is true.

Also the suites' shared reading of an invocation (require_success, listing,
schema_errors_at). Elsewhere: config transforms in cnitest.config, host-local's
dataDir in cnitest.host_local, address predicates in cnitest.ipaddr, stale
namespace paths in cnitest.netns.
"""

from __future__ import annotations

import re
from typing import Any

from .attachment import BlockedBy, require
from .netns import Snapshot
from .result import Result

__all__ = [
    "PREEXISTING_IFNAMES", "PreconditionFailed", "address_mismatches", "addresses_of",
    "interface_mismatches", "kernel_mismatches", "listing", "located_interfaces",
    "require_success", "route_mismatches", "schema_errors_at",
]


def kernel_mismatches(result: dict[str, Any], snap: Snapshot, ifname: str, sandbox: str) -> list[str]:
    """What the result claims about the container namespace that is not so."""
    return (
        interface_mismatches(result, snap, sandbox)
        + address_mismatches(result, snap, ifname, sandbox)
        + route_mismatches(result, snap)
    )


def interface_mismatches(result: dict[str, Any], snap: Snapshot, sandbox: str, *, mac: bool = True, up: bool = True) -> list[str]:
    """Container interfaces (sandbox == CNI_NETNS) of the result that are missing, have another MAC, or are down."""
    res = Result.read(result)
    problems: list[str] = []
    for i in res.container_interfaces(sandbox):
        iface = res.interfaces[i]
        link = snap.link(str(iface.name))
        if link is None:
            problems.append(f"interfaces[{i}] {iface.name!r} is not in the container namespace")
            continue
        if mac and iface.mac and link.mac and iface.mac.lower() != link.mac.lower():
            problems.append(f"interfaces[{i}] {link.name} has MAC {link.mac}, the result says {iface.mac}")
        if up and not link.up:
            problems.append(f"interfaces[{i}] {link.name} is down")
    return problems


def address_mismatches(result: dict[str, Any], snap: Snapshot, ifname: str, sandbox: str) -> list[str]:
    """Addresses of the result on a container interface (or, in a legacy result, on CNI_IFNAME) that are not configured."""
    res = Result.read(result)
    in_container = res.container_interfaces(sandbox)
    problems = res.unreadable_at("ips") + res.unreadable_at("ip4.ip") + res.unreadable_at("ip6.ip")
    for ip in res.ips:
        if ip.interface is not None and ip.interface not in in_container:
            continue  # an address on a host-side interface (or an out-of-range index, judged elsewhere)
        name = str(res.interfaces[ip.interface].name) if ip.interface is not None else ifname
        if not snap.has_address(name, str(ip.address)):
            problems.append(f"{ip.where} {ip.address} is not assigned to {name} in the container")
    return problems


def route_mismatches(result: dict[str, Any], snap: Snapshot) -> list[str]:
    """Routes of the result that are not in the container's routing tables."""
    res = Result.read(result)
    problems = [f"{why} (not a route)" for why in res.unreadable_at("routes") + res.unreadable_at("ip4.routes") + res.unreadable_at("ip6.routes")]
    for route in res.routes:
        gw = str(route.gw) if route.gw is not None else None
        if not snap.has_route(str(route.dst), gw):
            via = f" via {gw}" if gw else ""
            problems.append(f"{route.where} {route.dst}{via} is not in the container's routing table")
    return problems


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
    inside, outside = [], []
    for i, iface in enumerate(Result.read(result).interfaces):
        name = iface.name
        if name is None:
            continue
        if container.link(name) is not None and (host.link(name) is None or name == ifname):
            inside.append(i)
        elif host.link(name) is not None:
            outside.append(i)
    return inside, outside


def addresses_of(result: dict[str, Any]) -> list[str]:
    """Every address (without prefix length) the result hands out."""
    return [str(a) for a in Result.read(result).addresses()]
