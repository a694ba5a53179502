"""Config templates for known plugins, and what kind of plugin each one is.

A profile is chosen by the plugin's file name, or by --cni-profile NAME for a plugin
named otherwise (or replaced by --cni-config). It
says how the harness must call the plugin:

- "interface": creates CNI_IFNAME in the container (bridge, ptp, macvlan...);
- "ipam": invoked directly with an `ipam` section, like host-local in the
  tutorial; it only hands out addresses;
- "chained": needs a prevResult, made by running an interface plugin (`base`) first.

The template is the plugin's own config without cniVersion and name; the config
builder (cnitest.config) fills those in and makes the per-test values unique.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "EXPECTATIONS", "PARENT_LINK", "PROFILES", "SUBNET6", "Kind", "Profile", "expectations", "for_plugin", "infer_kind",
    "result_kind",
]

Kind = Literal["interface", "ipam", "chained"]

SUBNET4 = "10.88.0.0/24"
SUBNET6 = "fd00:88::/120"
PARENT_LINK = "cnitest-par0"  # the veth parent made in the host namespace for macvlan & co


def host_local(*subnets: str, routes: bool = True) -> dict[str, Any]:
    """A host-local IPAM section over the given subnets (one range set each)."""
    ipam: dict[str, Any] = {"type": "host-local", "ranges": [[{"subnet": s}] for s in subnets or (SUBNET4,)]}
    if routes:
        ipam["routes"] = [{"dst": "0.0.0.0/0"} if ":" not in s else {"dst": "::/0"} for s in subnets or (SUBNET4,)]
    return ipam


@dataclass(frozen=True)
class Profile:
    name: str
    kind: Kind
    template: dict[str, Any]
    kernel: tuple[str, ...] = ()  # link kinds this kernel must be able to make
    base: str | None = None  # chained: the interface plugin whose result becomes prevResult
    parent_link: bool = False  # needs a veth named PARENT_LINK in the host namespace
    ifname: str = "eth0"  # the CNI_IFNAME it is called with
    data_plane: bool = False  # the host namespace can reach the container over the result's addresses
    min_version: str = "0.1.0"
    one_attachment: bool = False  # the config can serve one attachment at a time (host-device's one device)
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def config_template(self) -> dict[str, Any]:
        return copy.deepcopy(self.template)


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in [
        Profile(
            "bridge",
            "interface",
            {"type": "bridge", "bridge": "cni0", "isGateway": True, "ipMasq": False, "ipam": host_local()},
            kernel=("bridge", "veth"),
            data_plane=True,
        ),
        Profile("ptp", "interface", {"type": "ptp", "ipMasq": False, "ipam": host_local()}, kernel=("veth",), data_plane=True),
        Profile(
            "macvlan",
            "interface",
            {"type": "macvlan", "master": PARENT_LINK, "mode": "bridge", "ipam": host_local()},
            kernel=("macvlan",),
            parent_link=True,
        ),
        Profile(
            "ipvlan",
            "interface",
            {"type": "ipvlan", "master": PARENT_LINK, "mode": "l2", "ipam": host_local()},
            kernel=("ipvlan",),
            parent_link=True,
        ),
        Profile(
            "vlan",
            "interface",
            {"type": "vlan", "master": PARENT_LINK, "vlanId": 10, "ipam": host_local()},
            kernel=("vlan",),
            parent_link=True,
        ),
        Profile("vrf", "chained", {"type": "vrf", "vrfname": "cnitest-vrf"}, kernel=("vrf",), base="ptp", min_version="0.3.0"),
        Profile("dummy", "interface", {"type": "dummy", "ipam": host_local()}, kernel=("dummy",)),
        Profile(
            "host-device",
            "interface",
            {"type": "host-device", "device": PARENT_LINK, "ipam": host_local()},
            kernel=("veth",),
            parent_link=True,
            one_attachment=True,
            notes="moves the host-side veth parent into the container under CNI_IFNAME",
        ),
        Profile("tap", "interface", {"type": "tap", "ipam": host_local()}, kernel=("tap",)),
        Profile("host-local", "ipam", {"ipam": host_local()}),
        Profile(
            "static",
            "ipam",
            {"ipam": {"type": "static", "addresses": [{"address": "10.88.0.5/24", "gateway": "10.88.0.1"}], "routes": [{"dst": "0.0.0.0/0"}]}},
        ),
        Profile("loopback", "interface", {"type": "loopback"}, ifname="lo"),
        Profile("tuning", "chained", {"type": "tuning", "mtu": 1400, "sysctl": {"net.ipv4.conf.eth0.arp_filter": "1"}}, base="ptp", min_version="0.3.0"),
        Profile(
            "portmap",
            "chained",
            {
                "type": "portmap",
                "capabilities": {"portMappings": True},
                "runtimeConfig": {"portMappings": [{"hostPort": 18080, "containerPort": 80, "protocol": "tcp"}]},
            },
            base="ptp",
            min_version="0.3.0",
        ),
        Profile(
            "bandwidth",
            "chained",
            {"type": "bandwidth", "ingressRate": 8000000, "ingressBurst": 80000, "egressRate": 8000000, "egressBurst": 80000},
            base="ptp",
            min_version="0.3.0",
        ),
        Profile("firewall", "chained", {"type": "firewall", "backend": "iptables"}, base="ptp", min_version="0.3.0"),
        Profile("sbr", "chained", {"type": "sbr"}, base="ptp", min_version="0.3.0"),
    ]
}


def infer_kind(conf: dict[str, Any], chain: list[dict[str, Any]] | tuple[()] = ()) -> Kind:
    """The kind of a plugin known only by a config: chained when earlier conflist
    entries come before it, IPAM for a bare `ipam` section without a plugin type
    (the way an IPAM plugin is called directly), else an interface plugin."""
    if chain:
        return "chained"
    if "type" not in conf and isinstance(conf.get("ipam"), dict):
        return "ipam"
    return "interface"


def result_kind(kind: Kind | str) -> str:
    """The schema kind of an ADD result from a plugin of `kind`: an IPAM plugin's
    result is the abbreviated IPAM result (no interfaces), any other plugin's the full one."""
    return "ipam-result" if kind == "ipam" else "result"


def for_plugin(plugin_name: str) -> Profile | None:
    """The built-in profile for a plugin binary's file name, if there is one."""
    return PROFILES.get(plugin_name)


# --- what each profile's config promises the kernel holds --------------------------

EXPECTATIONS: dict[str, dict[str, str]] = {
    "bridge": {
        "interface.up": "the container interface CNI_IFNAME is up, so the container can use it",
        "bridge.exists": "the bridge named in the config exists in the host namespace and is up",
        "bridge.gateway-address": "with isGateway the bridge holds the gateway address of each reported IP",
        "bridge.host-veth-enslaved": "the host end of the container's veth is a port of the bridge; after DEL it is gone",
        "bridge.container-mtu": "with mtu set, the container interface (and its host peer) has that MTU",
    },
    "ptp": {
        "interface.up": "the container interface CNI_IFNAME is up, so the container can use it",
        "ptp.host-veth-gateway": "the host end of the veth holds the gateway address; after DEL it is gone",
        "ptp.host-route": "the host namespace routes each container address to the host veth; after DEL the route is gone",
    },
    "macvlan": {
        "interface.up": "the container interface CNI_IFNAME is up, so the container can use it",
        "macvlan.mode": "the container interface is a macvlan in the configured mode",
    },
    "loopback": {"loopback.up": "lo is up with 127.0.0.1/8 (and ::1 where IPv6 is on); after DEL it is down"},
    "tuning": {
        "tuning.mtu": "the container interface has the configured MTU; after DEL the original MTU is back",
        "tuning.sysctl": "the configured sysctls have the configured values in the container (Go tuning documents no restore on DEL)",
    },
    "bandwidth": {"bandwidth.qdiscs": "a tbf qdisc shapes the host veth (ingress) and an ifb device with a tbf qdisc (egress); after DEL the ifb is gone"},
    "portmap": {"portmap.dnat": "the host namespace's nat table DNATs each hostPort to the container address and port; after DEL the rules are gone"},
    "host-local": {"ipam.addresses-configured": "the addresses handed out lie in the configured subnets and are not the gateway; after DEL the reservation is gone"},
    "static": {"ipam.addresses-configured": "the addresses handed out are exactly the configured ones"},
}
"""profile name -> {effect id: what the profile's config makes the kernel (or IPAM state) hold}.

Checked by suites/test_profile_expectations.py after ADD and after DEL, and reported as
profile checks (cni_profile_check), apart from spec rules."""


def expectations(profile_name: str) -> dict[str, str]:
    """The kernel effects the built-in profile `profile_name` promises (empty when none)."""
    return dict(EXPECTATIONS.get(profile_name, {}))
