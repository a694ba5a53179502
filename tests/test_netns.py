"""netns.new: a fresh namespace has `lo` up (with its addresses) unless asked otherwise;
namespaces made ahead are fresh and held by their fd alone; snapshots read as IPRoute reads."""

from __future__ import annotations

import os
import threading
import time

from cnitest import netns


def test_new_namespace_has_lo_up():
    with netns.new("lo-up") as ns:
        lo = ns.snapshot().link("lo")
        assert lo is not None and lo.up
        addresses = ns.iproute(lambda ipr: {a.get_attr("IFA_ADDRESS") for a in ipr.get_addr(index=1)})
        assert {"127.0.0.1", "::1"} <= addresses, addresses


def test_new_namespace_can_leave_lo_down():
    with netns.new("lo-down", lo_up=False) as ns:
        lo = ns.snapshot().link("lo")
        assert lo is not None and not lo.up


def test_namespaces_made_ahead_are_fresh_and_held_by_their_fd_alone():
    made = [netns.new(f"ahead-{i}") for i in range(netns._Ahead.SIZE + 2)]
    try:
        assert len({ns.inode for ns in made}) == len(made)
        assert all(ns.snapshot().link("lo").up for ns in made)  # type: ignore[union-attr]
        assert all(len(ns.snapshot().links) == 1 for ns in made)
        maker = next(t for t in threading.enumerate() if t.name == "cnitest-netns-ahead")
        deadline = time.monotonic() + 5
        while len(netns._ahead._ready) < netns._Ahead.SIZE and time.monotonic() < deadline:
            time.sleep(0.01)
        # back in the machine's namespace once the pool is full: no namespace lives on through the thread
        assert os.readlink(f"/proc/self/task/{maker.native_id}/ns/net") == os.readlink("/proc/self/ns/net")
    finally:
        for ns in made:
            ns.close()


def test_snapshot_reads_what_iproute_reads():
    """cnitest.rtnl's dumps decode to the same links, addresses and routes as pyroute2's IPRoute."""

    class ViaIPRoute:
        def __init__(self, ipr):
            self.ipr = ipr

        def links(self):
            return list(self.ipr.link("dump"))

        def addresses(self):
            return list(self.ipr.addr("dump"))

        def routes(self, family):
            return list(self.ipr.route("dump", family=family))

    def populate(ipr):
        ipr.link("add", ifname="snap0", kind="veth", peer="snap1")
        ipr.link("add", ifname="snapbr", kind="bridge")
        index = ipr.link_lookup(ifname="snap0")[0]
        ipr.link("set", index=index, state="up", master=ipr.link_lookup(ifname="snapbr")[0])
        ipr.addr("add", index=index, address="10.77.0.2", prefixlen=24)
        ipr.addr("add", index=index, address="fd77::2", prefixlen=64)
        ipr.route("add", dst="10.78.0.0/16", gateway="10.77.0.1")
        ipr.route("add", dst="10.79.0.0/16", gateway="10.77.0.1", table=100)

    with netns.new("snap") as ns:
        ns.iproute(populate)
        assert ns.snapshot() == ns.iproute(lambda ipr: netns._read_snapshot(ViaIPRoute(ipr)))
        snap = ns.snapshot()
        assert snap.has_address("snap0", "10.77.0.2/24") and snap.has_route("10.79.0.0/16", "10.77.0.1")
        assert snap.link("snap0").master == snap.link("snapbr").index  # type: ignore[union-attr]
