"""The result's dns section, and the route expectations of the 0.x IPAM notes.

DNS: the config is given a DNS source the plugin is known to pass on (a
resolv.conf for host-local's resolvConf, the ipam "dns" of static, the
network's own "dns" for interface plugins, prevResult's dns for chained ones)
and the dns section of the result is judged. A result without dns has nothing
to judge and is skipped.

Routes (0.1.0-0.4.0 only): routes are installed with metric 0, and an existing
default route in the container (from "another network", made here by hand on a
veth) does not make ADD fail.
"""

from __future__ import annotations

import copy
import ipaddress
import socket
from pathlib import Path
from typing import Any

import pytest

from cnitest import checks, config, ipaddr
from cnitest.result import Result

DNS = {"nameservers": ["10.88.0.53", "fd00:88::53"], "domain": "cnitest.example", "search": ["cnitest.example"], "options": ["ndots:2"]}
RESOLV_CONF = "nameserver 10.88.0.53\nnameserver fd00:88::53\ndomain cnitest.example\nsearch cnitest.example\noptions ndots:2\n"


def with_dns(conf: dict[str, Any], kind: str, tmp_path: Path) -> dict[str, Any]:
    """`conf` with a DNS source its plugin passes on into the result."""
    out = copy.deepcopy(conf)
    ipam = config.ipam_section(out)
    if ipam is not None and ipam.get("type") == "host-local":
        resolv = tmp_path / "cnitest-resolv.conf"
        resolv.write_text(RESOLV_CONF)
        ipam["resolvConf"] = str(resolv)
    elif ipam is not None and ipam.get("type") == "static":
        ipam["dns"] = copy.deepcopy(DNS)
    if kind == "interface":
        out["dns"] = copy.deepcopy(DNS)
    if kind == "chained" and isinstance(out.get("prevResult"), dict):
        out["prevResult"]["dns"] = copy.deepcopy(DNS)
    return out


@pytest.fixture
def dns_attachment(attach, cni_target, netconf, tmp_path):
    """This test's attachment of the config with a DNS source (not yet added)."""
    return attach(with_dns(netconf, cni_target.profile.kind, tmp_path))


def _dns_of(add) -> Any:
    if "dns" not in add.result:
        pytest.skip(f"not applicable: the result carries no dns to judge (the config offered {DNS})")
    return add.result["dns"]


@pytest.mark.cni_rule("dns.result.shape")
def test_dns_shape(dns_attachment, cni_version):
    dns_add = dns_attachment.add_or_block(what="ADD with a DNS source in the config")
    dns = _dns_of(dns_add)
    assert isinstance(dns, dict), f"a result's dns must be an object; at {cni_version} the plugin gave {dns!r}:\n{dns_add.describe()}"
    wrong = []
    for key in ("nameservers", "search", "options"):
        if key in dns and not (isinstance(dns[key], list) and all(isinstance(x, str) for x in dns[key])):
            wrong.append(f"dns.{key} is {dns[key]!r}, not a list of strings")
    if "domain" in dns and not isinstance(dns["domain"], str):
        wrong.append(f"dns.domain is {dns['domain']!r}, not a string")
    assert not wrong, "dns is {nameservers?, domain?, search?, options?}: lists of strings and a string domain:" + checks.listing(wrong) + f"\n{dns_add.describe()}"


@pytest.mark.cni_rule("dns.result.nameservers-ip")
def test_dns_nameservers_are_addresses(dns_attachment):
    dns_add = dns_attachment.add_or_block(what="ADD with a DNS source in the config")
    dns = _dns_of(dns_add)
    servers = dns.get("nameservers") if isinstance(dns, dict) else None
    if not isinstance(servers, list):
        pytest.skip("not applicable: the result's dns has no nameservers list (dns.result.shape judges its type)")
    wrong = [s for s in servers if not ipaddr.is_ip(s)]
    assert not wrong, f"every dns.nameservers entry must be an IPv4 or IPv6 address literal; these are not: {wrong!r}\n{dns_add.describe()}"


# --- routes, 0.1.0-0.4.0 ------------------------------------------------------------------


def _ipv4_route_metrics(ns) -> list[tuple[str, str | None, int]]:
    """(dst CIDR, gateway, metric) of every IPv4 route in the main table of `ns`."""

    def dump(ipr: Any) -> list[tuple[str, str | None, int]]:
        out = []
        for m in ipr.route("dump", family=socket.AF_INET):
            table = m.get_attr("RTA_TABLE") or m["table"]
            if table != 254:
                continue
            dst = f"{m.get_attr('RTA_DST') or '0.0.0.0'}/{m['dst_len']}"
            out.append((dst, m.get_attr("RTA_GATEWAY"), int(m.get_attr("RTA_PRIORITY") or 0)))
        return out

    return ns.iproute(dump)


@pytest.mark.cni_rule("route.metric-zero")
def test_routes_installed_with_metric_zero(attachment, container_ns, cni_version):
    add = attachment.add_or_block()
    wanted = [r for r in Result.read(add.result).routes if r.dst.version == 4]
    if not wanted:
        pytest.skip("not applicable: the result has no IPv4 route")
    kernel = _ipv4_route_metrics(container_ns)
    wrong = []
    for r in wanted:
        dst = r.dst
        found = [(d, gw, metric) for d, gw, metric in kernel if ipaddress.ip_network(d) == dst]
        if found and all(metric != 0 for _, _, metric in found):
            wrong.append(f"{r.dst} is installed with metric {sorted({m for _, _, m in found})}")
    assert not wrong, (
        f"at {cni_version} routes are expected to be installed with metric 0:" + checks.listing(wrong)
        + f"\ncontainer IPv4 routes (dst, gw, metric): {kernel}\n{add.describe()}"
    )


OTHER_NET = ("192.168.77.2/24", "192.168.77.1")  # "another network": an address and its default gateway


def _other_network(ipr: Any) -> None:
    ipr.link("add", ifname="cnitest-other", kind="veth", peer="cnitest-otherp")  # veth: every test kernel has it
    ipr.link("set", index=ipr.link_lookup(ifname="cnitest-otherp")[0], state="up")
    index = ipr.link_lookup(ifname="cnitest-other")[0]
    address, prefix = OTHER_NET[0].split("/")
    ipr.addr("add", index=index, address=address, prefixlen=int(prefix))
    ipr.link("set", index=index, state="up")
    ipr.route("add", dst="0.0.0.0/0", gateway=OTHER_NET[1], oif=index)


@pytest.mark.cni_rule("route.default-skip")
def test_add_copes_with_an_existing_default_route(attachment, netconf, container_ns, cni_ifname, cni_version):
    if cni_ifname in checks.PREEXISTING_IFNAMES:
        pytest.skip(f"not applicable: {cni_ifname} routes nothing off-host")
    routes = (config.ipam_section(netconf) or {}).get("routes")
    if not isinstance(routes, list) or not any(isinstance(r, dict) and r.get("dst") == "0.0.0.0/0" for r in routes):
        pytest.skip("not applicable: the config asks for no IPv4 default route (host-local style ipam.routes)")
    container_ns.iproute(_other_network)
    before = container_ns.snapshot()
    add = attachment.add()
    assert add.succeeded, (
        f"the container already has a default route via {OTHER_NET[1]} (another network's); at {cni_version} an ADD that "
        f"also asks for 0.0.0.0/0 should cope with it (e.g. skip it), not fail:\ncontainer before ADD:\n{before.describe()}\n{add.describe()}"
    )
