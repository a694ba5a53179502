"""Hypothesis strategies for host-local style IPAM configurations.

The strategies draw the ``ipam`` section of a network config (a dict, without
``dataDir``: the caller puts each example's state somewhere fresh):

- ``ranges``: a list of range sets, each a list of ranges with a ``subnet`` and
  optional ``rangeStart``, ``rangeEnd`` and ``gateway``; IPv4 subnets /16 to
  /30 and IPv6 /112 to /126, small ones likely so that exhaustion is reached;
  one or more non-overlapping ranges per set; IPv4, IPv6 or dual-stack;
- the older single-range form (``subnet``/``rangeStart``/... at the top level);
- ``routes`` of the families in use.

``allocatable(ipam)`` says, for a config, which addresses host-local may hand
out in each range set, with the Go plugin's defaults (checked against
containernetworking/plugins plugins/ipam/host-local/backend/allocator):

- ``rangeStart`` defaults to network+1 and ``rangeEnd`` to the last address
  (for IPv4 the one before broadcast); both are inclusive;
- ``gateway`` defaults to network+1 and the allocator always skips the gateway,
  so with no gateway configured network+1 is never handed out either;
- the result carries the (default) gateway of the range an address came from.

``invalid_ipam_configs()`` draws configs host-local must refuse, each labelled
with why. The Go host-local 1.1.1 accepts a gateway outside the subnet; that
kind is only drawn when asked for (see ``GO_ACCEPTS``).
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, NamedTuple

from hypothesis import strategies as st

from . import versions

__all__ = [
    "GO_ACCEPTS", "INVALID_KINDS", "AllocatableSet", "InvalidIpam", "address_files", "allocatable",
    "invalid_ipam_configs", "range_sets", "routes_of", "valid_ipam_configs",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

V4_PREFIXES = (16, 30)
V6_PREFIXES = (112, 126)


# --------------------------------------------------------------------------- what a config allows


@dataclass(frozen=True)
class EffectiveRange:
    """One range with host-local's defaults filled in."""

    subnet: IPNetwork
    start: IPAddress
    end: IPAddress
    gateway: IPAddress

    @property
    def version(self) -> int:
        return self.subnet.version

    def reserved(self) -> dict[IPAddress, str]:
        """Addresses of the subnet that are never handed out, and what they are."""
        out: dict[IPAddress, str] = {self.gateway: "the gateway"}
        if self.version == 4:
            out[self.subnet.network_address] = "the network address"
            out[self.subnet.broadcast_address] = "the broadcast address"
        return out

    def __contains__(self, addr: object) -> bool:
        """True when `addr` may be handed out from this range."""
        if not isinstance(addr, (ipaddress.IPv4Address, ipaddress.IPv6Address)) or addr.version != self.version:
            return False
        return int(self.start) <= int(addr) <= int(self.end) and addr not in self.reserved()

    def __len__(self) -> int:
        lo, hi = int(self.start), int(self.end)
        if hi < lo:
            return 0
        return hi - lo + 1 - sum(1 for r in self.reserved() if lo <= int(r) <= hi)

    def __iter__(self) -> Iterator[IPAddress]:
        cls = type(self.start)
        reserved = self.reserved()
        for n in range(int(self.start), int(self.end) + 1):
            a = cls(n)
            if a not in reserved:
                yield a

    def describe(self) -> str:
        return f"{self.subnet} {self.start}-{self.end} gw {self.gateway}"


class AllocatableSet(AbstractSet[IPAddress]):
    """The addresses one range set may hand out (a lazy set: /16s are not expanded)."""

    def __init__(self, ranges: Sequence[EffectiveRange]) -> None:
        self.ranges = tuple(ranges)

    def __contains__(self, addr: object) -> bool:
        return any(addr in r for r in self.ranges)

    def __len__(self) -> int:
        return sum(len(r) for r in self.ranges)

    def __iter__(self) -> Iterator[IPAddress]:
        for r in self.ranges:
            yield from r

    def range_for(self, addr: IPAddress) -> EffectiveRange | None:
        """The range whose subnet holds `addr` (allocatable or not)."""
        return next((r for r in self.ranges if r.version == addr.version and addr in r.subnet), None)

    @property
    def version(self) -> int:
        return self.ranges[0].version

    def describe(self) -> str:
        return ", ".join(r.describe() for r in self.ranges)

    def __repr__(self) -> str:
        return f"<AllocatableSet {self.describe()} ({len(self)} addresses)>"


def _last(subnet: IPNetwork) -> IPAddress:
    if subnet.version == 4:
        return subnet.broadcast_address - 1
    return subnet.broadcast_address


def effective_range(entry: dict[str, Any]) -> EffectiveRange:
    """One range dict with host-local's defaults applied (ValueError if it is not valid)."""
    subnet = ipaddress.ip_network(entry["subnet"], strict=True)
    first = subnet.network_address + 1
    start = ipaddress.ip_address(entry["rangeStart"]) if entry.get("rangeStart") else first
    end = ipaddress.ip_address(entry["rangeEnd"]) if entry.get("rangeEnd") else _last(subnet)
    gateway = ipaddress.ip_address(entry["gateway"]) if entry.get("gateway") else first
    return EffectiveRange(subnet, start, end, gateway)


def range_sets(ipam: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The range sets of an ipam section as host-local reads them (old single form first)."""
    sets: list[list[dict[str, Any]]] = []
    if ipam.get("subnet"):
        sets.append([{k: ipam[k] for k in ("subnet", "rangeStart", "rangeEnd", "gateway") if k in ipam}])
    sets.extend(list(s) for s in ipam.get("ranges") or [])
    return sets


def allocatable(ipam: dict[str, Any]) -> list[AllocatableSet]:
    """For each range set of `ipam`, the addresses host-local may hand out.

    rangeStart..rangeEnd inclusive (defaults network+1 .. last address, for IPv4
    the one before broadcast), without the gateway (default network+1), and
    never an IPv4 network or broadcast address.
    """
    return [AllocatableSet([effective_range(r) for r in rs]) for rs in range_sets(ipam)]


def routes_of(ipam: dict[str, Any]) -> list[dict[str, Any]]:
    """The routes a result must carry for this ipam section."""
    return [dict(r) for r in ipam.get("routes") or []]


# --------------------------------------------------------------------------- valid configs


def _prefix(version: int, prefixes: tuple[int, int] | None = None) -> st.SearchStrategy[int]:
    """A prefix length; the smallest subnets are the likeliest and shrink first."""
    low, high = prefixes or (V4_PREFIXES if version == 4 else V6_PREFIXES)
    small = st.integers(0, 3).map(lambda k: high - k)
    anything = st.integers(0, high - low).map(lambda k: high - k)
    return st.one_of(small, small, anything)


def subnets(version: int = 4, slot: int = 0, prefixes: tuple[int, int] | None = None) -> st.SearchStrategy[IPNetwork]:
    """A subnet of `version` inside a block of its own (`slot`), so subnets of
    different slots never overlap: 10.<slot>.0.0/16 or fd00:0:0:<slot>::/64.
    `prefixes` (shortest, longest) narrows V4_PREFIXES / V6_PREFIXES."""
    low, high = prefixes or (V4_PREFIXES if version == 4 else V6_PREFIXES)
    if not ((16 if version == 4 else 64) <= low <= high <= (30 if version == 4 else 126)):
        raise ValueError(f"prefix lengths {prefixes} out of bounds for IPv{version}")

    @st.composite
    def build(draw: st.DrawFn) -> IPNetwork:
        p = draw(_prefix(version, (low, high)))
        if version == 4:
            base = int(ipaddress.IPv4Address("10.0.0.0")) + (slot << 16)
            k = draw(st.integers(0, 2 ** (p - 16) - 1))
            return ipaddress.IPv4Network((base + (k << (32 - p)), p))
        base6 = int(ipaddress.IPv6Address("fd00::")) + (slot << 64)
        k = draw(st.integers(0, 2 ** min(p - 64, 16) - 1))
        return ipaddress.IPv6Network((base6 + (k << (128 - p)), p))

    return build()


def ranges(version: int = 4, slot: int = 0, prefixes: tuple[int, int] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """One range: a subnet and maybe rangeStart, rangeEnd and gateway inside it.

    rangeStart is never the network address and (IPv4) rangeEnd never the
    broadcast address: host-local does not check that, and would hand them out.
    """

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        subnet = draw(subnets(version, slot, prefixes))
        first, last = int(subnet.network_address) + 1, int(_last(subnet))
        cls = type(subnet.network_address)
        out: dict[str, Any] = {"subnet": str(subnet)}
        start = first
        if draw(st.booleans()):
            start = draw(st.integers(first, last))
            out["rangeStart"] = str(cls(start))
        if draw(st.booleans()):
            out["rangeEnd"] = str(cls(draw(st.integers(start, last))))
        if draw(st.booleans()):
            out["gateway"] = str(cls(draw(st.integers(first, last))))
        return out

    return build()


def range_set(
    version: int = 4, slot: int = 0, max_ranges: int = 3, prefixes: tuple[int, int] | None = None
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """A range set: 1..max_ranges ranges of one family in distinct, non-overlapping subnets."""
    return st.integers(1, max_ranges).flatmap(
        lambda n: st.tuples(*[ranges(version, slot * 8 + i, prefixes) for i in range(n)]).map(list)
    )


def routes(
    families: Sequence[int], gateways: dict[int, str] | None = None, always_gw: bool = False
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """0..3 routes with distinct destinations of the given families; a `gw`, when
    drawn (always, with `always_gw`), is the gateway of that family (so an
    interface plugin can install it)."""
    dsts: list[tuple[int, str]] = []
    if 4 in families:
        dsts += [(4, "0.0.0.0/0"), (4, "192.168.0.0/16"), (4, "172.16.5.0/24")]
    if 6 in families:
        dsts += [(6, "::/0"), (6, "fd99::/64")]
    if not dsts:
        return st.just([])

    def route(item: tuple[int, str]) -> st.SearchStrategy[dict[str, Any]]:
        fam, dst = item
        gw = (gateways or {}).get(fam)
        if gw is None:
            return st.just({"dst": dst})
        if always_gw:
            return st.just({"dst": dst, "gw": gw})
        return st.sampled_from([{"dst": dst}, {"dst": dst, "gw": gw}])

    return st.lists(st.sampled_from(dsts), max_size=3, unique=True).flatmap(
        lambda items: st.tuples(*[route(i) for i in items]).map(list)
    )


def valid_ipam_configs(
    cni_version: str = versions.LATEST,
    plugin_type: str = "host-local",
    max_range_sets: int = 2,
    max_ranges: int = 3,
    families: Sequence[str] = ("4", "6", "dual"),
    legacy_form: bool = True,
    v4_prefixes: tuple[int, int] = V4_PREFIXES,
    v6_prefixes: tuple[int, int] = V6_PREFIXES,
    route_gw: bool | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """An ``ipam`` section host-local accepts at `cni_version` (no ``dataDir``).

    Before 0.3.0 host-local allows one range set per family; from 0.3.0 an
    IPv4-only or IPv6-only config may have up to `max_range_sets` range sets.
    `families` picks among IPv4 only ("4"), IPv6 only ("6") and one of each
    ("dual"). `v4_prefixes`/`v6_prefixes` (shortest, longest) bound subnet sizes.
    `route_gw`: None draws routes with and without `gw`; True always gives one
    (the Go bridge's CHECK cannot match a route it installed without one).
    """
    pfx = {4: v4_prefixes, 6: v6_prefixes}
    multi = versions.at_least(cni_version, "0.3.0")

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        family = draw(st.sampled_from(list(families)))
        ipam: dict[str, Any] = {"type": plugin_type}
        if family == "dual":
            sets = [draw(range_set(4, 0, max_ranges, pfx[4])), draw(range_set(6, 1, max_ranges, pfx[6]))]
        else:
            version = int(family)
            count = draw(st.integers(1, max_range_sets)) if multi else 1
            sets = [draw(range_set(version, i, max_ranges, pfx[version])) for i in range(count)]
        if legacy_form and len(sets[0]) == 1 and draw(st.integers(0, 4)) == 0:
            ipam.update(sets.pop(0)[0])  # the older single-subnet form
        if sets:
            ipam["ranges"] = sets
        effective = [a.ranges[0] for a in allocatable(ipam)]
        fams = sorted({r.version for r in effective})
        gws: dict[int, str] = {}
        for r in effective:
            gws.setdefault(r.version, str(r.gateway))
        rts = draw(routes(fams, gws, always_gw=bool(route_gw)))
        if rts:
            ipam["routes"] = rts
        return ipam

    return build()


# --------------------------------------------------------------------------- invalid configs


class InvalidIpam(NamedTuple):
    """An ipam section host-local must refuse, and why."""

    reason: str
    ipam: dict[str, Any]


INVALID_KINDS: tuple[str, ...] = (
    "range-start-outside-subnet",
    "range-end-outside-subnet",
    "range-end-before-range-start",
    "overlapping-ranges",
    "malformed-cidr",
    "host-bits-set",
    "prefix-too-small",
    "gateway-outside-subnet",
)
GO_ACCEPTS: frozenset[str] = frozenset({"gateway-outside-subnet"})
"""Kinds the Go host-local (1.1.1) does not check and happily allocates from."""
DEFAULT_INVALID_KINDS: tuple[str, ...] = tuple(k for k in INVALID_KINDS if k not in GO_ACCEPTS)

_MALFORMED = ("10.1.2.0/33", "10.1.2/24", "10.1.2.300/24", "10.1.2.0", "fd00::/129", "fd00:::1/120", "not-a-cidr", "")


def invalid_ipam_configs(
    cni_version: str = versions.LATEST,
    plugin_type: str = "host-local",
    kinds: Sequence[str] = DEFAULT_INVALID_KINDS,
) -> st.SearchStrategy[InvalidIpam]:
    """An ``ipam`` section with one thing wrong, labelled with the kind of fault.

    Drawn from a valid config by breaking one range. A plugin must answer ADD
    with an error document, and allocate nothing.
    """
    unknown = set(kinds) - set(INVALID_KINDS)
    if unknown:
        raise ValueError(f"unknown invalid kinds {sorted(unknown)}; known: {', '.join(INVALID_KINDS)}")

    @st.composite
    def build(draw: st.DrawFn) -> InvalidIpam:
        kind = draw(st.sampled_from(list(kinds)))
        ipam = copy.deepcopy(draw(valid_ipam_configs(cni_version, plugin_type, legacy_form=False)))
        sets = ipam["ranges"]
        si = draw(st.integers(0, len(sets) - 1))
        ri = draw(st.integers(0, len(sets[si]) - 1))
        r = sets[si][ri]
        subnet = ipaddress.ip_network(r["subnet"])
        cls = type(subnet.network_address)
        first, last = int(subnet.network_address), int(subnet.broadcast_address)
        outside = st.one_of(
            st.integers(1, 64).map(lambda k: cls(last + k)),
            st.integers(1, 64).map(lambda k: cls(first - k)),
        )
        if kind == "range-start-outside-subnet":
            r["rangeStart"] = str(draw(outside))
            r.pop("rangeEnd", None)
        elif kind == "range-end-outside-subnet":
            r.pop("rangeStart", None)
            r["rangeEnd"] = str(draw(outside))
        elif kind == "range-end-before-range-start":
            start = draw(st.integers(first + 2, int(_last(subnet))))
            r["rangeStart"] = str(cls(start))
            r["rangeEnd"] = str(cls(draw(st.integers(first + 1, start - 1))))
        elif kind == "overlapping-ranges":
            other = dict(r)
            other.pop("gateway", None)
            sets[si].insert(draw(st.integers(0, len(sets[si]))), other)
        elif kind == "malformed-cidr":
            r["subnet"] = draw(st.sampled_from(_MALFORMED))
            for key in ("rangeStart", "rangeEnd", "gateway"):
                r.pop(key, None)
        elif kind == "host-bits-set":
            r["subnet"] = f"{cls(first + draw(st.integers(1, last - first)))}/{subnet.prefixlen}"
        elif kind == "prefix-too-small":
            width = 32 if subnet.version == 4 else 128
            p = draw(st.sampled_from([width - 1, width]))
            r.clear()
            r["subnet"] = str(ipaddress.ip_network((first, p)))
        elif kind == "gateway-outside-subnet":
            r["gateway"] = str(draw(outside))
        return InvalidIpam(kind, ipam)

    return build()


def address_files(data_dir: str) -> list[str]:
    """Files under a host-local dataDir named like an address: the reservations."""
    from .host_local import state_files

    return [str(path) for path in state_files(data_dir)]
