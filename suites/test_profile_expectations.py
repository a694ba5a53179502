"""Profile expectations: the kernel effect each built-in profile's config promises.

Not spec rules: cnitest.profiles.EXPECTATIONS states, per profile, what the
kernel (or the IPAM state) holds after ADD and after DEL. Each effect is one
test after ADD and one after DEL (where DEL promises something), marked
cni_profile_check and reported apart from the spec verdicts. They fail by
default. Effects do not depend on the spec version: they run once, at the
newest version the plugin speaks.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from cnitest import dataplane, host_local, netns
from cnitest.attachment import PRECONDITION_RULES, Attachment, BlockedBy
from cnitest.fixtures import TARGET_KEY
from cnitest.profiles import expectations
from cnitest.result import Result


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "effect" not in metafunc.fixturenames:
        return
    target = metafunc.config.stash.get(TARGET_KEY, None)
    promised = expectations(target.profile.name) if target else {}
    after_del = metafunc.function.__name__.endswith("after_del")
    params = []
    for effect in promised:
        if after_del and EFFECTS[effect].delete is None:
            continue
        phase = "after DEL" if after_del else "after ADD"
        params.append(pytest.param(effect, id=effect, marks=pytest.mark.cni_profile_check(f"{effect} {phase}")))
    if not params:
        why = "makes no promise about DEL" if promised else "states no kernel effect"
        params = [pytest.param(None, id="none", marks=pytest.mark.skip(reason=f"not applicable: the profile {why}"))]
    metafunc.parametrize("effect", params)


@dataclass
class Ctx:
    host_ns: netns.Namespace
    container_ns: netns.Namespace
    conf: dict[str, Any]
    ifname: str
    result: dict[str, Any] | None = None
    before: dict[str, Any] = field(default_factory=dict)  # values read before ADD (for restore checks)

    @property
    def view(self) -> Result:
        return Result.read(self.result)

    def host_interfaces(self) -> list[str]:
        return [str(i.name) for i in self.view.interfaces if not i.sandbox]

    def container_ips(self, family: int | None = None) -> list[str]:
        return dataplane.container_addresses(self.result or {}, self.container_ns.path, family)

    def gateways(self) -> list[str]:
        return [str(ip.gateway) for ip in self.view.ips if ip.gateway]


@dataclass
class Effect:
    add: Callable[[Ctx], list[str]]
    delete: Callable[[Ctx], list[str]] | None = None
    prepare: Callable[[Ctx], None] | None = None  # adjust the config / record originals before ADD


# --- any interface plugin ------------------------------------------------------------


def interface_up(ctx: Ctx) -> list[str]:
    snap = ctx.container_ns.snapshot()
    link = snap.link(ctx.ifname)
    if link is None:
        return [f"no interface {ctx.ifname} in the container:\n{snap.describe()}"]  # add.creates-ifname's finding too
    return [] if link.up else [f"{ctx.ifname} exists after ADD but is down:\n{snap.describe()}"]


# --- bridge -----------------------------------------------------------------------


def _bridge_link(ctx: Ctx, snap: netns.Snapshot) -> tuple[netns.Link | None, list[str]]:
    name = ctx.conf.get("bridge", "cni0")
    link = snap.link(name)
    if link is None:
        return None, [f"bridge {name} is not in the host namespace:\n{snap.describe()}"]
    if link.kind != "bridge":
        return None, [f"{name} is a {link.kind}, not a bridge"]
    return link, []


def bridge_exists(ctx: Ctx) -> list[str]:
    link, problems = _bridge_link(ctx, ctx.host_ns.snapshot())
    if link is not None and not link.up:
        problems.append(f"bridge {link.name} is down")
    return problems


def bridge_gateway(ctx: Ctx) -> list[str]:
    if not ctx.conf.get("isGateway") and not ctx.conf.get("isDefaultGateway"):
        return []
    snap = ctx.host_ns.snapshot()
    link, problems = _bridge_link(ctx, snap)
    if link is None:
        return problems
    held = {a.address for a in snap.addresses_of(link.name)}
    want = ctx.gateways()
    if not want:
        return [f"isGateway is set but the result reports no gateway:\n{ctx.result}"]
    return [f"bridge {link.name} lacks gateway {gw} (it holds {sorted(held)})" for gw in want if gw not in held]


def _host_veths(ctx: Ctx, snap: netns.Snapshot) -> list[netns.Link]:
    names = set(ctx.host_interfaces())
    return [l for l in snap.links if l.name in names and l.kind == "veth"]


def bridge_enslaved(ctx: Ctx) -> list[str]:
    snap = ctx.host_ns.snapshot()
    link, problems = _bridge_link(ctx, snap)
    if link is None:
        return problems
    veths = _host_veths(ctx, snap)
    if not veths:
        return [f"no host-side veth named in the result ({ctx.host_interfaces()}) exists:\n{snap.describe()}"]
    return [f"host veth {v.name} is not a port of bridge {link.name} (master {v.master})" for v in veths if v.master != link.index]


def bridge_enslaved_gone(ctx: Ctx) -> list[str]:
    snap = ctx.host_ns.snapshot()
    link = snap.link(ctx.conf.get("bridge", "cni0"))
    left = [l.name for l in snap.links if l.kind == "veth" and (l.name in ctx.before["host"] or (link and l.master == link.index))]
    return [f"after DEL the host veth(s) {left} are still there"] if left else []


def bridge_mtu_prepare(ctx: Ctx) -> None:
    ctx.conf.setdefault("mtu", 1400)


def bridge_mtu(ctx: Ctx) -> list[str]:
    want = ctx.conf["mtu"]
    link = ctx.container_ns.snapshot().link(ctx.ifname)
    problems = [] if link and link.mtu == want else [f"container {ctx.ifname} has mtu {link.mtu if link else '(missing)'}, the config says {want}"]
    for v in _host_veths(ctx, ctx.host_ns.snapshot()):
        if v.mtu != want:
            problems.append(f"host veth {v.name} has mtu {v.mtu}, the config says {want}")
    return problems


# --- ptp --------------------------------------------------------------------------


def ptp_gateway(ctx: Ctx) -> list[str]:
    snap = ctx.host_ns.snapshot()
    veths = _host_veths(ctx, snap)
    if not veths:
        return [f"no host-side veth named in the result ({ctx.host_interfaces()}):\n{snap.describe()}"]
    held = {a.address for v in veths for a in snap.addresses_of(v.name)}
    want = [g for g in ctx.gateways() if ipaddress.ip_address(g).version == 4]
    if not want:
        return [f"the result reports no IPv4 gateway:\n{ctx.result}"]
    return [f"host veth {[v.name for v in veths]} lacks gateway {g} (holds {sorted(held)})" for g in want if g not in held]


def ptp_gateway_gone(ctx: Ctx) -> list[str]:
    snap = ctx.host_ns.snapshot()
    left = [l.name for l in snap.links if l.name in ctx.before["host"]]
    return [f"after DEL the host veth(s) {left} are still there"] if left else []


def ptp_route(ctx: Ctx) -> list[str]:
    snap = ctx.host_ns.snapshot()
    problems = []
    for ip in ctx.container_ips(4):
        if not snap.has_route(f"{ip}/32"):
            problems.append(f"the host namespace has no route to container address {ip}/32")
    if problems:
        problems.append("host routes:\n" + snap.describe())
    return problems


def ptp_route_gone(ctx: Ctx) -> list[str]:
    snap = ctx.host_ns.snapshot()
    left = [ip for ip in ctx.before["ips"] if snap.has_route(f"{ip}/32")]
    return [f"after DEL the host still routes {left}"] if left else []


# --- macvlan / loopback -----------------------------------------------------------

MACVLAN_MODES = {"private": 1, "vepa": 2, "bridge": 4, "passthru": 8, "source": 16}


def macvlan_mode(ctx: Ctx) -> list[str]:
    link = ctx.container_ns.snapshot().link(ctx.ifname)
    if link is None or link.kind != "macvlan":
        return [f"container {ctx.ifname} is {link.kind if link else 'missing'}, not a macvlan"]
    want = ctx.conf.get("mode", "bridge")
    got = dataplane.link_info(ctx.container_ns, ctx.ifname, "IFLA_MACVLAN_MODE")
    names = {v: k for k, v in MACVLAN_MODES.items()}
    got = names.get(got, got)  # pyroute2 decodes the mode to its name; older ones give the number
    return [] if got == want else [f"macvlan mode is {got}, the config says {want}"]


def loopback_down(ctx: Ctx) -> None:
    ctx.container_ns.iproute(lambda ipr: ipr.link("set", index=1, state="down"))


def loopback_up(ctx: Ctx) -> list[str]:
    snap = ctx.container_ns.snapshot()
    lo = snap.link("lo")
    if lo is None or not lo.up:
        return [f"lo is not up:\n{snap.describe()}"]
    problems = [] if snap.has_address("lo", "127.0.0.1/8") else ["lo lacks 127.0.0.1/8"]
    if dataplane.read_sysctl(ctx.container_ns, "net.ipv6.conf.lo.disable_ipv6") == "0" and not snap.has_address("lo", "::1/128"):
        problems.append("lo lacks ::1/128 although IPv6 is enabled")
    return problems


def loopback_down_after_del(ctx: Ctx) -> list[str]:
    lo = ctx.container_ns.snapshot().link("lo")
    return [] if lo is not None and not lo.up else ["lo is still up after DEL"]


# --- chained: tuning, bandwidth, portmap ------------------------------------------


def tuning_remember(ctx: Ctx) -> None:
    link = ctx.container_ns.snapshot().link(ctx.ifname)
    ctx.before["mtu"] = link.mtu if link else None


def tuning_mtu(ctx: Ctx) -> list[str]:
    if "mtu" not in ctx.conf:
        return []
    link = ctx.container_ns.snapshot().link(ctx.ifname)
    return [] if link and link.mtu == ctx.conf["mtu"] else [f"{ctx.ifname} has mtu {link.mtu if link else '(missing)'}, the config says {ctx.conf['mtu']}"]


def tuning_mtu_restored(ctx: Ctx) -> list[str]:
    link = ctx.container_ns.snapshot().link(ctx.ifname)
    got = link.mtu if link else None
    return [] if got == ctx.before["mtu"] else [f"after DEL {ctx.ifname} has mtu {got}; before ADD it had {ctx.before['mtu']}"]


def tuning_sysctl(ctx: Ctx) -> list[str]:
    problems = []
    for name, want in (ctx.conf.get("sysctl") or {}).items():
        got = dataplane.read_sysctl(ctx.container_ns, name)
        if got != str(want):
            problems.append(f"sysctl {name} is {got!r} in the container, the config says {want!r}")
    return problems


def bandwidth_qdiscs(ctx: Ctx) -> list[str]:
    snap = ctx.host_ns.snapshot()
    qd = dataplane.qdiscs(ctx.host_ns)
    problems = []
    host = [l for l in snap.links if l.name in ctx.host_interfaces() and l.kind == "veth"]
    if ctx.conf.get("ingressRate") and not any(q["kind"] == "tbf" and q["index"] in {l.index for l in host} for q in qd):
        problems.append(f"no tbf qdisc on the host veth {[l.name for l in host]} (ingress shaping)")
    if ctx.conf.get("egressRate"):
        ifbs = [l for l in snap.links if l.kind == "ifb"]
        if not ifbs:
            problems.append("no ifb device in the host namespace (egress shaping)")
        elif not any(q["kind"] == "tbf" and q["index"] in {l.index for l in ifbs} for q in qd):
            problems.append(f"the ifb device(s) {[l.name for l in ifbs]} have no tbf qdisc")
    if problems:
        problems.append(f"qdiscs: {qd}\n{snap.describe()}")
    return problems


def bandwidth_gone(ctx: Ctx) -> list[str]:
    left = [l.name for l in ctx.host_ns.snapshot().links if l.kind == "ifb"]
    return [f"after DEL the ifb device(s) {left} are still there"] if left else []


def _dnat_lines(ctx: Ctx) -> list[str]:
    text = dataplane.iptables_save(ctx.host_ns, "nat")
    return [l for l in text.splitlines() if "DNAT" in l]


def portmap_dnat(ctx: Ctx) -> list[str]:
    why = dataplane.have_iptables()
    if why:
        pytest.skip(why)
    lines = _dnat_lines(ctx)
    maps = (ctx.conf.get("runtimeConfig") or {}).get("portMappings") or []
    problems = []
    for ip in ctx.container_ips(4):
        for m in maps:
            to = f"--to-destination {ip}:{m['containerPort']}"
            if not any(to in l and f"--dport {m['hostPort']}" in l for l in lines):
                problems.append(f"no DNAT rule maps {m.get('protocol', 'tcp')} port {m['hostPort']} to {ip}:{m['containerPort']}")
    if problems:
        problems.append("DNAT rules in the nat table:\n" + ("\n".join(lines) or "(none)"))
    return problems


def portmap_gone(ctx: Ctx) -> list[str]:
    lines = _dnat_lines(ctx)
    left = [l for l in lines for ip in ctx.before["ips"] if f"--to-destination {ip}:" in l]
    return ["after DEL DNAT rules to the container remain:\n" + "\n".join(left)] if left else []


# --- IPAM -------------------------------------------------------------------------


def _ipam_ips(ctx: Ctx) -> list[ipaddress.IPv4Interface | ipaddress.IPv6Interface]:
    return [ip.address for ip in ctx.view.ips]


def ipam_configured(ctx: Ctx) -> list[str]:
    ipam = ctx.conf["ipam"]
    got = _ipam_ips(ctx)
    if ipam.get("type") == "static":
        want = [ipaddress.ip_interface(a["address"]) for a in ipam.get("addresses", [])]
        return [] if sorted(map(str, got)) == sorted(map(str, want)) else [f"static handed out {[str(g) for g in got]}, the config lists {[str(w) for w in want]}"]
    subnets = [r for rs in ipam.get("ranges", []) for r in rs]
    problems = []
    for iface in got:
        inside = [r for r in subnets if iface.ip in ipaddress.ip_network(r["subnet"])]
        if not inside:
            problems.append(f"{iface} lies in none of the configured subnets {[r['subnet'] for r in subnets]}")
            continue
        net = ipaddress.ip_network(inside[0]["subnet"])
        if iface.network != net:
            problems.append(f"{iface} does not carry the configured prefix of {net}")
        gw = inside[0].get("gateway") or str(net.network_address + 1)
        if str(iface.ip) == gw:
            problems.append(f"{iface} is the subnet's gateway {gw}")
    if not got:
        problems.append("no address was handed out")
    return problems


def ipam_released(ctx: Ctx) -> list[str]:
    ipam = ctx.conf["ipam"]
    if "dataDir" not in ipam:
        return []
    held = host_local.reservations(ipam["dataDir"], ctx.conf["name"])
    left = [ip for ip in ctx.before["ips"] if ip in held]
    return [f"after DEL {left} are still reserved in {ipam['dataDir']}"] if left else []


EFFECTS: dict[str, Effect] = {
    "interface.up": Effect(interface_up),
    "bridge.exists": Effect(bridge_exists),
    "bridge.gateway-address": Effect(bridge_gateway),
    "bridge.host-veth-enslaved": Effect(bridge_enslaved, bridge_enslaved_gone),
    "bridge.container-mtu": Effect(bridge_mtu, prepare=bridge_mtu_prepare),
    "ptp.host-veth-gateway": Effect(ptp_gateway, ptp_gateway_gone),
    "ptp.host-route": Effect(ptp_route, ptp_route_gone),
    "macvlan.mode": Effect(macvlan_mode),
    "loopback.up": Effect(loopback_up, loopback_down_after_del, prepare=loopback_down),
    "tuning.mtu": Effect(tuning_mtu, tuning_mtu_restored, prepare=tuning_remember),
    "tuning.sysctl": Effect(tuning_sysctl),
    "bandwidth.qdiscs": Effect(bandwidth_qdiscs, bandwidth_gone),
    "portmap.dnat": Effect(portmap_dnat, portmap_gone),
    "ipam.addresses-configured": Effect(ipam_configured, ipam_released),
}


@pytest.fixture
def newest_version(cni_target) -> str:
    return cni_target.versions()[-1]


def _run(effect, cni, cni_target, netconf_factory, host_ns, container_ns, cni_ifname, cni_container_id, version, delete):
    conf = netconf_factory(version)
    ctx = Ctx(host_ns, container_ns, conf, cni_ifname)
    spec = EFFECTS[effect]
    if spec.prepare:
        spec.prepare(ctx)
    att = Attachment(cni, conf, container_ns, cni_ifname, cni_container_id, version)
    add = att.add_or_block(what="ADD before its effect is checked")
    ctx.result = add.result
    ctx.before.setdefault("host", set(ctx.host_interfaces()))
    ctx.before.setdefault("ips", [str(i.ip) for i in _ipam_ips(ctx)])
    try:
        problems = spec.add(ctx)
        if not delete:
            assert not problems, (f"profile {cni_target.profile.name} promises: {expectations(cni_target.profile.name)[effect]}. "
                                  "After ADD:\n- " + "\n- ".join(problems))
            return
    finally:
        rm = att.delete()
    if rm.exit_code != 0:
        raise BlockedBy(PRECONDITION_RULES["DEL"], f"DEL failed, so its effect cannot be checked:\n{rm.describe()}")
    assert spec.delete is not None
    problems = spec.delete(ctx)
    assert not problems, (f"profile {cni_target.profile.name} promises: {expectations(cni_target.profile.name)[effect]}. "
                          "After DEL:\n- " + "\n- ".join(problems))


def test_effect_after_add(effect, cni, cni_target, netconf_factory, host_ns, container_ns, cni_ifname, cni_container_id, newest_version):
    _run(effect, cni, cni_target, netconf_factory, host_ns, container_ns, cni_ifname, cni_container_id, newest_version, delete=False)


def test_effect_after_del(effect, cni, cni_target, netconf_factory, host_ns, container_ns, cni_ifname, cni_container_id, newest_version):
    _run(effect, cni, cni_target, netconf_factory, host_ns, container_ns, cni_ifname, cni_container_id, newest_version, delete=True)
