"""Which link kinds this kernel can make, found out at run time.

Some profiles need a link kind the running kernel may lack (ipvlan, vlan, vrf,
dummy...). We try to make one in a scratch namespace and remember the answer,
so a missing feature becomes a skip with the kernel's own reason, never a
hard-coded list.
"""

from __future__ import annotations

import functools

from . import netns

__all__ = ["missing"]


@functools.cache
def missing(kind: str) -> str | None:
    """None when this kernel can make a link of `kind`; otherwise why not."""

    def probe(ipr) -> None:  # type: ignore[no-untyped-def]
        if kind in ("bridge", "veth"):
            spec = {"kind": kind} if kind == "bridge" else {"kind": "veth", "peer": "probe1"}
            ipr.link("add", ifname="probe0", **spec)
            return
        ipr.link("add", ifname="parent0", kind="veth", peer="parent1")
        parent = ipr.link_lookup(ifname="parent0")[0]
        extra: dict[str, object] = {
            "dummy": {},
            "vrf": {"vrf_table": 10},
            "vlan": {"link": parent, "vlan_id": 10},
            "macvlan": {"link": parent, "macvlan_mode": "bridge"},
            "ipvlan": {"link": parent, "ipvlan_mode": 0},
            "vxlan": {"vxlan_id": 10, "vxlan_link": parent},
        }.get(kind, {})  # type: ignore[assignment]
        if kind == "tap":
            ipr.link("add", ifname="probe0", kind="tuntap", mode="tap")
        else:
            ipr.link("add", ifname="probe0", kind=kind, **extra)

    try:
        with netns.new(f"probe-{kind}", lo_up=False) as ns:
            ns.iproute(probe)
    except Exception as exc:  # the kernel's answer, whatever form pyroute2 gives it
        return f"this kernel cannot create a {kind!r} link ({exc})"
    return None
