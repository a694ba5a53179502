"""A typed view of a CNI result, read from the JSON of any spec version.

`Result.read(doc)` takes what a plugin printed (0.1.0/0.2.0 `ip4`/`ip6`, or
0.3.0+ `interfaces`/`ips`/`routes`, and `dns`) and gives interfaces, `ips` as
`ipaddress` interfaces, routes as `ipaddress` networks and gateways, and dns.
It never raises on a plugin's output: the schema judges shape, so a field of
the wrong type is left out, and a string that should be an address but is not
is left out and named in `unreadable` (path -> sentence), for the checks that
would have used it.

    res = Result.read(add.result)
    assert all(ip.address.version == 4 for ip in res.ips)
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DNS", "IP", "Interface", "Result", "Route"]

IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Interface:
    """interfaces[i]: `sandbox` is the CNI_NETNS of a container-side interface, None on the host."""

    name: str | None
    mac: str | None = None
    mtu: int | None = None
    sandbox: str | None = None
    socket_path: str | None = None
    pci_id: str | None = None


@dataclass(frozen=True)
class IP:
    """ips[i] (or a legacy ip4/ip6 block): `interface` indexes Result.interfaces, None when not given."""

    address: IPInterface
    gateway: IPAddress | None = None
    interface: int | None = None
    where: str = ""  # its JSON path in the result ("ips[1]", "ip4"), for messages

    @property
    def version(self) -> int:
        return self.address.version


@dataclass(frozen=True)
class Route:
    """routes[i]; `dst` as a network (host bits cleared), `gw` None for a route without a gateway."""

    dst: IPNetwork
    gw: IPAddress | None = None
    mtu: int | None = None
    advmss: int | None = None
    priority: int | None = None
    table: int | None = None
    scope: int | None = None
    where: str = ""  # its JSON path in the result ("routes[0]", "ip4.routes[0]"), for messages


@dataclass(frozen=True)
class DNS:
    nameservers: tuple[str, ...] = ()
    domain: str | None = None
    search: tuple[str, ...] = ()
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    cni_version: str | None = None
    interfaces: tuple[Interface, ...] = ()
    ips: tuple[IP, ...] = ()
    routes: tuple[Route, ...] = ()
    dns: DNS = field(default_factory=DNS)
    unreadable: dict[str, str] = field(default_factory=dict)  # JSON path -> why it was left out

    @classmethod
    def read(cls, doc: Any) -> Result:
        """The view of `doc` (a result of any spec version; anything else gives an empty view)."""
        if not isinstance(doc, dict):
            return cls()
        reader = _Reader()
        if "ip4" in doc or "ip6" in doc:  # 0.1.0 / 0.2.0
            for key in ("ip4", "ip6"):
                block = doc.get(key)
                if isinstance(block, dict):
                    reader.ip(block, key, "ip")
                    for n, route in enumerate(_objects(block.get("routes"))):
                        reader.route(route, f"{key}.routes[{n}]")
        else:
            for iface in _list(doc.get("interfaces")):
                if not isinstance(iface, dict):
                    iface = {}  # kept, nameless, so that ips[].interface indexes stay right
                reader.interfaces.append(Interface(
                    _str(iface.get("name")), _str(iface.get("mac")), _int(iface.get("mtu")), _str(iface.get("sandbox")),
                    _str(iface.get("socketPath")), _str(iface.get("pciID"))))
            for n, ip in enumerate(_list(doc.get("ips"))):
                if isinstance(ip, dict):
                    reader.ip(ip, f"ips[{n}]", "address")
            for n, route in enumerate(_list(doc.get("routes"))):
                if isinstance(route, dict):
                    reader.route(route, f"routes[{n}]")
        raw_dns = doc.get("dns")
        dns: dict[str, Any] = raw_dns if isinstance(raw_dns, dict) else {}
        return cls(
            _str(doc.get("cniVersion")), tuple(reader.interfaces), tuple(reader.ips), tuple(reader.routes),
            DNS(_strs(dns.get("nameservers")), _str(dns.get("domain")), _strs(dns.get("search")), _strs(dns.get("options"))),
            reader.unreadable,
        )

    def container_interfaces(self, sandbox: str) -> list[int]:
        """Indexes of the interfaces the result puts in the container namespace `sandbox`."""
        return [i for i, iface in enumerate(self.interfaces) if iface.sandbox == sandbox]

    def interface_of(self, ip: IP) -> Interface | None:
        """The interface `ip.interface` names (None without an index or out of range)."""
        if ip.interface is None or not 0 <= ip.interface < len(self.interfaces):
            return None
        return self.interfaces[ip.interface]

    def addresses(self) -> list[IPAddress]:
        """Every address the result hands out, without prefix length."""
        return [ip.address.ip for ip in self.ips]

    def unreadable_at(self, prefix: str) -> list[str]:
        """The `unreadable` sentences about paths starting with `prefix` ("ips", "routes")."""
        return [f"{path} {why}" for path, why in self.unreadable.items() if path.startswith(prefix)]


class _Reader:
    def __init__(self) -> None:
        self.interfaces: list[Interface] = []
        self.ips: list[IP] = []
        self.routes: list[Route] = []
        self.unreadable: dict[str, str] = {}

    def _parse(self, value: Any, path: str, parse: Any, what: str) -> Any:
        if not isinstance(value, str):
            return None
        try:
            return parse(value)
        except ValueError:
            self.unreadable[path] = f"{value!r} is not {what}"
            return None

    def ip(self, block: dict[str, Any], path: str, address_key: str) -> None:
        address = self._parse(block.get(address_key), f"{path}.{address_key}", ipaddress.ip_interface, "an address")
        gateway = self._parse(block.get("gateway"), f"{path}.gateway", ipaddress.ip_address, "an address")
        if address is not None:
            self.ips.append(IP(address, gateway, _int(block.get("interface")), path))

    def route(self, route: dict[str, Any], path: str) -> None:
        dst = self._parse(route.get("dst"), f"{path}.dst", lambda v: ipaddress.ip_network(v, strict=False), "a network")
        gw = self._parse(route.get("gw"), f"{path}.gw", ipaddress.ip_address, "an address")
        if dst is not None and f"{path}.gw" not in self.unreadable:
            mtu, advmss, priority, table, scope = (_int(route.get(k)) for k in ("mtu", "advmss", "priority", "table", "scope"))
            self.routes.append(Route(dst, gw, mtu, advmss, priority, table, scope, path))


def _objects(value: Any) -> list[dict[str, Any]]:
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()
