"""Concurrency: many containers attached at once, as a runtime may do from 1.0.0 on.

N ADDs for N different containers (each in its own namespace) run on N
threads at the same time; all must succeed with distinct addresses. Their DELs,
also concurrent, must leave nothing behind: no host-side link but the shared
bridge, no host route to a container, no IP reservation.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from cnitest import host_local
from cnitest.attachment import Attachment, require
from cnitest.result import Result

N = 16

pytestmark = pytest.mark.cni_kinds("interface", "ipam")


def _ips(result: dict[str, Any] | None) -> list[str]:
    return [str(a) for a in Result.read(result).addresses()]


@pytest.mark.cni_rule("lifecycle.concurrent-containers")
@pytest.mark.cni_many_attachments
def test_concurrent_adds_then_dels(cni, netconf, host_ns, netns_factory, cni_ifname, cni_container_id, cni_version):
    ipam: Any = netconf.get("ipam") or {}
    namespaces = [netns_factory(f"container{i}") for i in range(N)]
    ids = [f"{cni_container_id}-{i}" for i in range(N)]
    atts = [Attachment(cni, netconf, namespaces[i], cni_ifname, ids[i], cni_version) for i in range(N)]
    host_before = {l.name for l in host_ns.snapshot().links}

    def add(i: int):
        return atts[i].add()

    with ThreadPoolExecutor(max_workers=N) as pool:
        adds = list(pool.map(add, range(N)))

    def delete(i: int):
        return atts[i].delete()  # with its ADD's result as prevResult, if the ADD gave one

    try:
        failed = [f"{ids[i]}:\n{inv.describe()}" for i, inv in enumerate(adds) if not inv.succeeded]
        if len(failed) == N:  # not one ADD worked: ADD itself fails, which is add.result.stdout's finding
            require(adds[0], what=f"every one of {N} concurrent ADDs")
        assert not failed, f"{N} concurrent ADDs for different containers must all succeed; {len(failed)} failed:\n" + "\n".join(failed[:3])
        owners: dict[str, list[str]] = {}
        for i, inv in enumerate(adds):
            for ip in _ips(inv.result):
                owners.setdefault(ip, []).append(ids[i])
        if isinstance(ipam, dict) and ("ranges" in ipam or "subnet" in ipam):  # allocates from a pool (not static, not lo)
            twice = {ip: who for ip, who in owners.items() if len(who) > 1}
            assert not twice, f"concurrent ADDs handed out the same address more than once (shared state not locked): {twice}"
            assert len(owners) >= N, f"expected at least {N} distinct addresses, got {sorted(owners)}"
    finally:
        with ThreadPoolExecutor(max_workers=N) as pool:
            dels = list(pool.map(delete, range(N)))

    failed = [f"{ids[i]}:\n{inv.describe()}" for i, inv in enumerate(dels) if inv.exit_code != 0]
    assert not failed, f"{N} concurrent DELs must all succeed; {len(failed)} failed:\n" + "\n".join(failed[:3])
    problems = []
    snap = host_ns.snapshot()
    bridge = netconf.get("bridge")
    new_links = sorted(l.name for l in snap.links if l.name not in host_before and l.name != bridge)
    if new_links:
        problems.append(f"host-side links left behind: {new_links}")
    routed = [ip for ip in owners if snap.has_route(f"{ip}/{32 if ':' not in ip else 128}")]
    if routed:
        problems.append(f"host routes to deleted containers left behind: {routed}")
    if isinstance(ipam, dict) and "dataDir" in ipam:
        held = host_local.reservations(ipam["dataDir"], netconf["name"])
        if held:
            problems.append(f"IP reservations left behind in {ipam['dataDir']}: {sorted(held)}")
    if cni_ifname != "lo":
        still = [ids[i] for i, ns in enumerate(namespaces) if ns.snapshot().link(cni_ifname) is not None]
        if still:
            problems.append(f"{cni_ifname} still exists in the containers of {still}")
    assert not problems, f"after {N} concurrent ADDs and DELs nothing should be left behind:\n- " + "\n- ".join(problems)
