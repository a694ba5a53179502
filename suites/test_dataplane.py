"""Data plane: traffic really flows over the addresses ADD reported.

Profile checks (what a data-plane profile such as bridge with isGateway or ptp
promises), not spec rules: a UDP datagram and its echo between the sandbox host
namespace and the container over each reported address, IPv4 and (with a
dual-stack config built here) IPv6, and between two containers on one bridge.
Sockets live in the harness's own namespaces; every exchange is bounded.
"""

from __future__ import annotations

import copy

import pytest

from cnitest import dataplane
from cnitest.profiles import SUBNET6


@pytest.fixture
def data_plane(cni_target):
    if not cni_target.profile.data_plane:
        pytest.skip(f"profile {cni_target.profile.name} promises no host-to-container data plane")
    if cni_target.profile.kind != "interface":
        pytest.skip("data-plane checks apply to interface plugins")


def _dual_stack(conf):
    conf = copy.deepcopy(conf)
    ipam = conf.get("ipam")
    if not isinstance(ipam, dict) or ipam.get("type") != "host-local" or "ranges" not in ipam:
        pytest.skip("a dual-stack config is built only from a host-local 'ranges' section")
    ipam["ranges"].append([{"subnet": SUBNET6}])
    ipam.setdefault("routes", []).append({"dst": "::/0"})
    return conf


def _exchange_all(host_ns, container_ns, addrs, what):
    problems = []
    for addr in addrs:
        why = dataplane.udp_exchange(host_ns, container_ns, addr)
        if why:
            problems.append(f"{addr}: {why}")
    assert not problems, (
        f"the profile promises that the host namespace reaches the container over the {what} addresses ADD "
        "reported (UDP datagram and echo); it did not:\n- " + "\n- ".join(problems)
    )


@pytest.mark.cni_profile_check("data-plane.host-container-ipv4")
def test_host_reaches_container_ipv4(data_plane, cni, attach, netconf, container_ns):
    with attach(netconf) as att:
        add = att.add_or_block()  # a failed ADD blocks the traffic check
        addrs = dataplane.container_addresses(add.result, container_ns.path, 4)
        assert addrs, f"ADD reported no IPv4 address for the container, so none can be reached:\n{add.describe()}"
        _exchange_all(cni.host_ns, container_ns, addrs, "IPv4")


@pytest.mark.cni_versions(min="0.3.0")
@pytest.mark.cni_profile_check("data-plane.host-container-dual-stack")
def test_host_reaches_container_dual_stack(data_plane, cni, attach, netconf, container_ns):
    with attach(_dual_stack(netconf)) as att:
        add = att.add_or_block()  # a failed ADD blocks the traffic check
        v4 = dataplane.container_addresses(add.result, container_ns.path, 4)
        v6 = dataplane.container_addresses(add.result, container_ns.path, 6)
        assert v4 and v6, f"a dual-stack ADD must report an IPv4 and an IPv6 container address; got {v4 + v6}:\n{add.describe()}"
        _exchange_all(cni.host_ns, container_ns, v4 + v6, "IPv4 and IPv6")


@pytest.mark.cni_profile_check("data-plane.container-container-bridge")
def test_two_containers_on_one_bridge(data_plane, attach, netconf, container_ns, netns_factory, cni_container_id):
    if not isinstance(netconf.get("bridge"), str):
        pytest.skip("two containers meet on a shared L2 segment only with a bridge profile")
    other_ns = netns_factory("container2")
    with attach(netconf) as one, attach(netconf, other_ns, container_id=cni_container_id + "-b") as two:
        first, second = one.add_or_block(), two.add_or_block()
        a = dataplane.container_addresses(first.result, container_ns.path, 4)
        b = dataplane.container_addresses(second.result, other_ns.path, 4)
        assert a and b, f"both ADDs must report an IPv4 address: {a} / {b}"
        problems = [f"{addr}: {why}" for addr in b if (why := dataplane.udp_exchange(container_ns, other_ns, addr))]
        assert not problems, (
            f"two containers attached to bridge {netconf['bridge']} must reach each other (UDP datagram and echo "
            f"from {a[0]} to the second container); they did not:\n- " + "\n- ".join(problems)
        )
