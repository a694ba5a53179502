"""netns.new: a fresh namespace has `lo` up (with its addresses) unless asked otherwise;
namespaces made ahead are fresh and held by their fd alone; snapshots read as IPRoute reads;
released namespaces are destroyed later, together (at a flush, at the limit), never kept by a forked child."""

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


def _veth_into(outer: netns.Namespace, inner: netns.Namespace, name: str) -> None:
    """A veth pair with `name` in `outer` and its peer in `inner`."""
    outer.iproute(lambda ipr: ipr.link("add", ifname=name, kind="veth", peer={"ifname": "peer0", "net_ns_fd": inner.fd}))


def _gone(ns: netns.Namespace, name: str, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ns.snapshot().link(name) is None:
            return True
        time.sleep(0.05)
    return False


def test_a_released_namespace_is_closed_at_once_and_destroyed_at_the_flush():
    """release(): the harness is done with it now (closed), the kernel destroys it later, with others.

    A veth whose peer lives in the released namespace shows when it is destroyed: the kernel
    deletes both ends then."""
    with netns.new("watcher") as watcher:
        inner = netns.new("released")
        _veth_into(watcher, inner, "rel0")
        inner.release()
        assert inner.closed
        time.sleep(0.3)
        assert watcher.snapshot().link("rel0") is not None, "released, but destroyed before the flush"
        netns._released.flush()
        assert _gone(watcher, "rel0"), "flushed, but the released namespace was not destroyed"


def test_released_namespaces_are_destroyed_together_when_the_process_holds_its_limit(monkeypatch):
    monkeypatch.setattr(netns._Released, "MAX", 4)
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    netns._released.flush()
    with netns.new("watcher") as watcher:
        made = [netns.new(f"released-{i}") for i in range(4)]
        for i, ns in enumerate(made):
            _veth_into(watcher, ns, f"rel{i}")
        for ns in made[:3]:
            ns.release()
        assert len(netns._released) == 3
        made[3].release()  # the fourth reaches the limit: all four go
        assert len(netns._released) == 0
        assert all(_gone(watcher, f"rel{i}") for i in range(4))


def test_xdist_workers_share_the_limit(monkeypatch):
    import resource

    monkeypatch.setattr(resource, "getrlimit", lambda _which: (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "4")
    assert netns._released.limit() == netns._Released.MAX // 4
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "junk")
    assert netns._released.limit() == netns._Released.MAX


def test_the_limit_leaves_most_descriptors_free(monkeypatch):
    """With the common soft limit of 1024 descriptors, at most a quarter hold released namespaces."""
    import resource

    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (1024, 4096))
    assert netns._released.limit() == 256


def test_a_forked_child_does_not_keep_released_namespaces_alive():
    with netns.new("watcher") as watcher:
        inner = netns.new("released")
        _veth_into(watcher, inner, "rel0")
        inner.release()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its copy of the descriptor is closed at fork
            os.close(read)
            os.write(write, b"ready")
            time.sleep(30)
            os._exit(0)
        try:
            os.close(write)
            assert os.read(read, 5) == b"ready"
            netns._released.flush()  # the parent's copy: the child's must not keep it alive
            assert _gone(watcher, "rel0"), "a forked child kept a released namespace alive"
        finally:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            os.close(read)
