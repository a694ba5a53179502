"""Conventions: capabilities (runtimeConfig), args.cni and CNI_ARGS IP=.

Every convention is opt-in, so a test applies only to plugins known to support
it. Support is read from CAPABILITIES below, a table keyed by profile name that
records what Debian's Go plugins 1.1.1 really implement (checked against their
source), plus what a --cni-config declares under "capabilities". Interface
plugins that hand their whole config to an address-handing IPAM plugin
(bridge, ptp, macvlan, ... with host-local or static) inherit that plugin's
address conventions (ips, args.cni.ips, CNI_ARGS IP), because the IPAM plugin
reads runtimeConfig, args and CNI_ARGS itself. ipRanges is judged on IPAM
plugins only (the rule's kind): the extra range gives an interface plugin a
second IPv4 address, which Go bridge refuses with isGateway for reasons that
have nothing to do with the convention. Anything else is skipped as "not applicable".

Each test sends the value the way a runtime would: the capability declared in
"capabilities" and its value in "runtimeConfig" (or args.cni / CNI_ARGS), then
judges the effect: the addresses handed out, the MAC of the container
interface, the DNAT rules of the host, the tbf qdiscs.
"""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

import pytest

from cnitest import checks, config, dataplane, ipaddr

# profile name -> conventions its Go 1.1.1 implementation supports. Keys:
# capability names as in CONVENTIONS.md, "args.cni.ips" and "CNI_ARGS.IP".
ADDRESS_CONVENTIONS = frozenset({"ips", "args.cni.ips", "CNI_ARGS.IP"})
CAPABILITIES: dict[str, frozenset[str]] = {
    # host-local: runtimeConfig.ips/ipRanges, args.cni.ips, CNI_ARGS IP (allocator/config.go)
    "host-local": ADDRESS_CONVENTIONS | {"ipRanges"},
    # static: runtimeConfig.ips, args.cni.ips, CNI_ARGS IP (in CIDR form; static/main.go)
    "static": ADDRESS_CONVENTIONS,
    "portmap": frozenset({"portMappings"}),
    "bandwidth": frozenset({"bandwidth"}),
    # runtimeConfig.mac: tuning, and bridge/macvlan since plugins 1.0
    "tuning": frozenset({"mac"}),
    "bridge": frozenset({"mac"}),
    "macvlan": frozenset({"mac"}),
}
"""What each built-in profile's plugin implements; the docstring says where delegation adds more."""

# Capabilities that a runtime passes in runtimeConfig (the others travel in args / CNI_ARGS).
RUNTIME_CAPS = ("ips", "ipRanges", "portMappings", "bandwidth", "mac")

TEST_MAC = "c2:11:22:33:44:55"  # unicast, locally administered


def supported(target: Any, conf: dict[str, Any]) -> set[str]:
    """The conventions the plugin under test supports, for this config."""
    out = set(CAPABILITIES.get(target.profile.name, frozenset()))
    declared = target.template.plugin.get("capabilities")
    if isinstance(declared, dict):
        out |= {k for k, v in declared.items() if v is True}
    ipam = config.ipam_section(conf)
    if target.profile.kind == "interface" and ipam and isinstance(ipam.get("type"), str):
        out |= set(CAPABILITIES.get(ipam["type"], frozenset())) & ADDRESS_CONVENTIONS
    return out


def require(target: Any, conf: dict[str, Any], convention: str) -> None:
    if convention not in supported(target, conf):
        pytest.skip(f"not applicable: {target.profile.name} does not implement the {convention} convention "
                    f"(see CAPABILITIES in suites/test_capabilities.py, or declare it under 'capabilities' with --cni-config)")


def with_capability(conf: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """`conf` as a runtime derives it when it provides capability `name` with `value`."""
    out = copy.deepcopy(conf)
    out["capabilities"] = {**(out.get("capabilities") or {}), name: True}
    out["runtimeConfig"] = {**(out.get("runtimeConfig") or {}), name: value}
    return out


# --- addresses ------------------------------------------------------------------------


def _subnets(conf: dict[str, Any]) -> list[dict[str, Any]]:
    """The IPv4 ranges (host-local style) or static addresses the config hands out from."""
    ipam = config.ipam_section(conf) or {}
    out = []
    for range_set in ipam.get("ranges") or []:
        for r in range_set if isinstance(range_set, list) else []:
            if isinstance(r, dict) and isinstance(r.get("subnet"), str):
                out.append(r)
    if isinstance(ipam.get("subnet"), str):
        out.append({k: ipam[k] for k in ("subnet", "rangeStart", "rangeEnd", "gateway") if k in ipam})
    for a in ipam.get("addresses") or []:
        if isinstance(a, dict) and ipaddr.is_cidr(a.get("address")):
            out.append({"subnet": str(ipaddress.ip_interface(a["address"]).network)})
    return [r for r in out if ipaddress.ip_network(r["subnet"], strict=False).version == 4]


def requested_addresses(conf: dict[str, Any], count: int = 1) -> list[str]:
    """`count` free-looking IPv4 addresses (CIDR) inside the config's first IPv4 range."""
    ranges = _subnets(conf)
    if not ranges:
        pytest.skip("not applicable: the config has no IPv4 range or address to request an address from")
    first = ranges[0]
    net = ipaddress.ip_network(first["subnet"], strict=False)
    start = ipaddress.ip_address(first["rangeStart"]) + 3 if first.get("rangeStart") else net.network_address + 42
    picks = [start + n for n in range(count)]
    if not all(a in net and a != net.broadcast_address for a in picks):
        pytest.skip(f"not applicable: no room to request {count} address(es) in {net}")
    return [f"{a}/{net.prefixlen}" for a in picks]


def _plain(cidr: str) -> str:
    return str(ipaddress.ip_interface(cidr).ip)


def _judge_requested(add, wanted: list[str], how: str) -> None:
    assert add.succeeded and isinstance(add.result, dict), (
        f"the plugin supports {how}; requesting {wanted} that way must not make ADD fail:\n{add.describe()}"
    )
    got = checks.addresses_of(add.result)
    missing = [w for w in wanted if _plain(w) not in got]
    assert not missing, (
        f"{how} asked for {wanted}; the plugin should hand out exactly those, but the result gives {got}:\n{add.describe()}"
    )


@pytest.mark.cni_kinds("ipam", "interface")
@pytest.mark.cni_rule("cap.ips")
def test_runtime_config_ips(attach, cni_target, netconf):
    require(cni_target, netconf, "ips")
    wanted = requested_addresses(netconf)
    with attach(with_capability(netconf, "ips", wanted)) as att:
        add = att.add()
    _judge_requested(add, wanted, "runtimeConfig.ips (capability 'ips')")
    others = [a for a in checks.addresses_of(add.result) if ipaddress.ip_address(a).version == 4 and a not in map(_plain, wanted)]
    assert not others, (
        f"runtimeConfig.ips asked for exactly {wanted}; the plugin added other IPv4 addresses {others}:\n{add.describe()}"
    )


@pytest.mark.cni_rule("cap.ip-ranges")
def test_runtime_config_ip_ranges(attach, cni_target, netconf):
    require(cni_target, netconf, "ipRanges")
    taken = [ipaddress.ip_network(r["subnet"], strict=False) for r in _subnets(netconf)]
    subnet = next(n for n in (ipaddress.ip_network(f"10.{x}.0.0/24") for x in range(77, 99)) if not any(n.overlaps(t) for t in taken))
    conf = with_capability(netconf, "ipRanges", [[{"subnet": str(subnet)}]])
    with attach(conf) as att:
        add = att.add()
    assert add.succeeded and isinstance(add.result, dict), (
        f"the plugin supports the ipRanges capability; ADD with runtimeConfig.ipRanges [[{{subnet: {subnet}}}]] must not fail:\n{add.describe()}"
    )
    got = checks.addresses_of(add.result)
    assert any(ipaddress.ip_address(a) in subnet for a in got), (
        f"runtimeConfig.ipRanges names the range {subnet} to allocate from; no address handed out lies in it ({got}):\n{add.describe()}"
    )


@pytest.mark.cni_kinds("ipam", "interface")
@pytest.mark.cni_rule("args.cni.ips")
def test_args_cni_ips(attach, cni_target, netconf):
    require(cni_target, netconf, "args.cni.ips")
    wanted = requested_addresses(netconf)
    conf = copy.deepcopy(netconf)
    conf["args"] = {"cni": {"ips": wanted}}
    with attach(conf) as att:
        add = att.add()
    _judge_requested(add, wanted, "args.cni.ips")


@pytest.mark.cni_kinds("ipam", "interface")
@pytest.mark.cni_rule("args.cni-args.ip")
def test_cni_args_ip(attach, cni_target, netconf):
    require(cni_target, netconf, "CNI_ARGS.IP")
    wanted = requested_addresses(netconf)
    cni_args = f"IgnoreUnknown=1;IP={wanted[0]}"
    with attach(netconf, cni_args=cni_args) as att:
        add = att.add()
    _judge_requested(add, wanted, f"CNI_ARGS {cni_args!r}")


@pytest.mark.cni_kinds("ipam", "interface")
@pytest.mark.cni_rule("args.precedence")
def test_args_win_over_cni_args(attach, cni_target, netconf):
    supports = supported(cni_target, netconf)
    if not {"args.cni.ips", "CNI_ARGS.IP"} <= supports:
        pytest.skip(f"not applicable: {cni_target.profile.name} does not understand both args.cni.ips and CNI_ARGS IP")
    from_args, from_env = requested_addresses(netconf, 2)
    conf = copy.deepcopy(netconf)
    conf["args"] = {"cni": {"ips": [from_args]}}
    cni_args = f"IgnoreUnknown=1;IP={from_env}"
    with attach(conf, cni_args=cni_args) as att:
        add = att.add()
    assert add.succeeded and isinstance(add.result, dict), (
        f"args.cni.ips asks for {from_args} and CNI_ARGS for {from_env}; a plugin that understands args must ignore the "
        f"CNI_ARGS IP and hand out {from_args}, but ADD failed:\n{add.describe()}"
    )
    got = checks.addresses_of(add.result)
    assert _plain(from_args) in got and _plain(from_env) not in got, (
        f"args.cni.ips asks for {from_args} and CNI_ARGS for {from_env}; the CNI_ARGS field must be ignored, so the result "
        f"should hold {_plain(from_args)} and not {_plain(from_env)}; it holds {got}:\n{add.describe()}"
    )


# --- MAC ---------------------------------------------------------------------------


@pytest.mark.cni_rule("cap.mac")
def test_runtime_config_mac(attach, cni_target, netconf, container_ns, cni_ifname):
    require(cni_target, netconf, "mac")
    with attach(with_capability(netconf, "mac", TEST_MAC)) as att:
        add = att.add()
        assert add.succeeded, f"the plugin supports the mac capability; ADD with runtimeConfig.mac {TEST_MAC} must not fail:\n{add.describe()}"
        snap = container_ns.snapshot()
        link = snap.link(cni_ifname)
        got = link.mac if link else None
        assert got and got.lower() == TEST_MAC, (
            f"runtimeConfig.mac asks for {TEST_MAC} on the container interface {cni_ifname}; it has {got}:\n{snap.describe()}\n{add.describe()}"
        )


# --- port mappings -----------------------------------------------------------------

MAPPINGS = [{"hostPort": 18181, "containerPort": 8181, "protocol": "tcp"}, {"hostPort": 18182, "containerPort": 8182, "protocol": "udp"}]


@pytest.mark.cni_rule("cap.port-mappings")
def test_runtime_config_port_mappings(attach, cni_target, netconf, host_ns, container_ns):
    require(cni_target, netconf, "portMappings")
    why = dataplane.have_iptables()
    if why:
        pytest.skip(why)
    conf = with_capability(netconf, "portMappings", copy.deepcopy(MAPPINGS))
    with attach(conf) as att:
        add = att.add()
        assert add.succeeded, f"the plugin supports portMappings; ADD with runtimeConfig.portMappings {MAPPINGS} must not fail:\n{add.describe()}"
        ips = dataplane.container_addresses(conf.get("prevResult") or add.result or {}, container_ns.path, 4)
        assert ips, f"harness error: no IPv4 container address in prevResult to map ports to:\n{conf.get('prevResult')}"
        lines = [line for line in dataplane.iptables_save(host_ns, "nat").splitlines() if "DNAT" in line]
        missing = [f"{m['protocol']} {m['hostPort']} -> {ip}:{m['containerPort']}" for ip in ips for m in MAPPINGS
                   if not any(f"--to-destination {ip}:{m['containerPort']}" in line and f"--dport {m['hostPort']}" in line
                              and f"-p {m['protocol']}" in line for line in lines)]
        assert not missing, (
            "runtimeConfig.portMappings asks the plugin to forward host ports to the container; no DNAT rule does "
            f"{missing}. DNAT rules in the host's nat table:\n" + ("\n".join(lines) or "(none)") + f"\n{add.describe()}"
        )


# --- bandwidth ---------------------------------------------------------------------

BANDWIDTH = {"ingressRate": 4_000_000, "ingressBurst": 40_000, "egressRate": 2_000_000, "egressBurst": 20_000}
STATIC_BANDWIDTH_KEYS = ("ingressRate", "ingressBurst", "egressRate", "egressBurst")


def _tbf_rates(ns) -> list[tuple[int, int]]:
    """(ifindex, rate in bytes/s) of every tbf qdisc in `ns`."""

    def dump(ipr: Any) -> list[tuple[int, int]]:
        out = []
        for m in ipr.get_qdiscs():
            if m.get_attr("TCA_KIND") != "tbf":
                continue
            opts = m.get_attr("TCA_OPTIONS")
            parms = opts.get_attr("TCA_TBF_PARMS") if opts is not None else None
            rate = opts.get_attr("TCA_TBF_RATE64") if opts is not None else None
            if not rate and parms is not None:
                rate = parms.get("rate")
            out.append((m["index"], int(rate or 0)))
        return out

    return ns.iproute(dump)


@pytest.mark.cni_rule("cap.bandwidth")
def test_runtime_config_bandwidth(attach, cni_target, netconf, host_ns):
    require(cni_target, netconf, "bandwidth")
    base = {k: v for k, v in netconf.items() if k not in STATIC_BANDWIDTH_KEYS}  # runtimeConfig is the only source
    with attach(with_capability(base, "bandwidth", dict(BANDWIDTH))) as att:
        add = att.add()
        assert add.succeeded, f"the plugin supports the bandwidth capability; ADD with runtimeConfig.bandwidth {BANDWIDTH} must not fail:\n{add.describe()}"
        rates = _tbf_rates(host_ns)
        snap = host_ns.snapshot()
        names = {link.index: link.name for link in snap.links}
        got = sorted({rate * 8 for _, rate in rates})
        missing = [f"{d} {BANDWIDTH[d + 'Rate']} bit/s" for d in ("ingress", "egress")
                   if not any(abs(rate * 8 - BANDWIDTH[d + "Rate"]) <= BANDWIDTH[d + "Rate"] // 100 for _, rate in rates)]
        assert not missing, (
            f"runtimeConfig.bandwidth asks for ingress {BANDWIDTH['ingressRate']} and egress {BANDWIDTH['egressRate']} bit/s; "
            f"no tbf qdisc in the host namespace shapes {missing} (tbf rates found, bit/s: {got} on "
            f"{[names.get(i, i) for i, _ in rates]}):\n{snap.describe()}\n{add.describe()}"
        )


# --- capabilities without a value ----------------------------------------------------


@pytest.mark.parametrize("how", ["no-runtimeconfig", "empty-runtimeconfig"])
@pytest.mark.cni_rule("cap.runtimeconfig.optional")
def test_declared_capability_without_value(attach, cni_target, netconf, how):
    caps = sorted(c for c in supported(cni_target, netconf) if c in RUNTIME_CAPS)
    if not caps:
        pytest.skip(f"not applicable: {cni_target.profile.name} declares no capability the harness knows")
    conf = copy.deepcopy(netconf)
    conf["capabilities"] = {**(conf.get("capabilities") or {}), **{c: True for c in caps}}
    conf.pop("runtimeConfig", None)
    if how == "empty-runtimeconfig":
        conf["runtimeConfig"] = {}
    att = attach(conf)
    add, rm = att.add(), att.delete()
    what = "no runtimeConfig at all" if how == "no-runtimeconfig" else "an empty runtimeConfig"
    assert add.succeeded, (
        f"capabilities {caps} are declared but the runtime supplied {what} (runtimes insert only what they provide); "
        f"ADD should still work:\n{add.describe()}"
    )
    assert rm.exit_code == 0, f"DEL with capabilities {caps} declared and {what} should work:\n{rm.describe()}"
