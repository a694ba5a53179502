"""machine.Watcher: a snapshot that re-reads only what the kernel announced still sees every change.

Each test watches a namespace of its own (the watcher's sockets belong to the
namespace they were made in), so nothing here touches the machine that other
runs compare against.
"""

from __future__ import annotations

import errno
import shutil
import subprocess

import pytest

from cnitest import machine, netns


@pytest.fixture
def watched():
    """(namespace, watcher made inside it)."""
    with netns.new("watched") as ns:
        watcher = ns.run(machine.Watcher)
        yield ns, watcher
        watcher.close()


def snap(ns, watcher):
    return ns.run(watcher.snapshot)


def test_a_quiet_namespace_reuses_the_first_reading(watched, monkeypatch):
    ns, watcher = watched
    first = snap(ns, watcher)
    assert first == ns.run(machine.snapshot)
    monkeypatch.setattr(machine, "_network", lambda: pytest.fail("re-read although nothing was announced"))
    if watcher._nft is not None:
        monkeypatch.setattr(machine, "_ruleset", lambda: pytest.fail("re-read although nothing was announced"))
    assert snap(ns, watcher) == first


def test_a_new_link_address_and_route_are_seen(watched):
    ns, watcher = watched
    before = snap(ns, watcher)

    def change(ipr):
        ipr.link("add", ifname="cnitest-w0", kind="veth", peer="cnitest-w1")
        index = ipr.link_lookup(ifname="cnitest-w0")[0]
        ipr.link("set", index=index, state="up")
        ipr.addr("add", index=index, address="192.0.2.1", prefixlen=24)
        ipr.route("add", dst="198.51.100.0/24", gateway="192.0.2.2")

    ns.iproute(change)
    after = snap(ns, watcher)
    changed = machine.changes(before, after)
    assert "+ link cnitest-w0 (veth)" in changed and "+ address 192.0.2.1/24 on cnitest-w0" in changed, changed
    assert any(c.startswith("+ route 198.51.100.0/24 via 192.0.2.2") for c in changed), changed
    assert after == ns.run(machine.snapshot)
    ns.iproute(lambda ipr: ipr.link("del", index=ipr.link_lookup(ifname="cnitest-w0")[0]))
    assert snap(ns, watcher) == before


def test_a_new_nftables_table_is_seen(watched):
    if shutil.which("nft") is None:
        pytest.skip("nft is not installed")
    ns, watcher = watched
    before = snap(ns, watcher)
    ns.run(lambda: subprocess.run(["nft", "add", "table", "inet", "cnitest_watch"], check=True))
    after = snap(ns, watcher)
    assert any("cnitest_watch" in c for c in machine.changes(before, after)), machine.changes(before, after)
    ns.run(lambda: subprocess.run(["nft", "delete", "table", "inet", "cnitest_watch"], check=True))
    assert snap(ns, watcher) == before


def test_a_watcher_that_cannot_listen_reads_every_time(watched, monkeypatch):
    ns, watcher = watched
    snap(ns, watcher)
    watcher.close()  # as if no socket could be opened
    calls = []
    real = machine._network
    monkeypatch.setattr(machine, "_network", lambda: calls.append(1) or real())
    snap(ns, watcher)
    snap(ns, watcher)
    assert len(calls) == 2


class LosingSocket:
    """A socket whose buffer overflowed: recv raises ENOBUFS once, then has nothing."""

    def __init__(self) -> None:
        self.raised = False

    def recv(self, size: int) -> bytes:
        if not self.raised:
            self.raised = True
            raise OSError(errno.ENOBUFS, "No buffer space available")
        raise BlockingIOError


def test_lost_announcements_count_as_a_change():
    assert machine._announced(LosingSocket()) is True
    assert machine._announced(None) is True
