"""Where the configuration comes from (stdin) and how stored state is keyed.

io.stdin.config: the config goes in through a pipe (the runner never gives a
terminal or a file) and names a subnet no built-in default would use; the
address handed out has to come from it, which proves the plugin read stdin.

lifecycle.state-key: one container id and ifname attached to two networks
(different names, different subnets, separate container namespaces so that the
interface names do not clash). Removing the attachment from one network must
leave the other one's state: its IP reservation, its interface, and CHECK.
"""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

import pytest

from cnitest import checks, config, host_local, versions
from cnitest.attachment import require

STDIN_SUBNET = "10.123.45.0/24"
OTHER_SUBNET = "10.89.0.0/24"


def _move_ranges(conf: dict[str, Any], subnet: str) -> bool:
    """Point every IPv4 host-local style range at `subnet`; False when there is none."""
    ipam = config.ipam_section(conf)
    moved = False
    for range_set in (ipam or {}).get("ranges") or []:
        for r in range_set if isinstance(range_set, list) else []:
            if isinstance(r, dict) and isinstance(r.get("subnet"), str) and ipaddress.ip_network(r["subnet"], strict=False).version == 4:
                r.clear()
                r["subnet"] = subnet
                moved = True
    return moved


@pytest.mark.cni_rule("io.stdin.config")
def test_config_read_from_stdin(attach, netconf):
    conf = copy.deepcopy(netconf)
    if not _move_ranges(conf, STDIN_SUBNET):
        pytest.skip("not applicable: the config has no host-local style IPv4 range whose effect shows where it was read from")
    with attach(conf) as att:
        add = att.add()
    assert add.succeeded and isinstance(add.result, dict), f"the configuration came on stdin (a pipe); ADD must work from it:\n{add.describe()}"
    v4 = [a for a in checks.addresses_of(add.result) if ipaddress.ip_address(a).version == 4]
    outside = [a for a in v4 if ipaddress.ip_address(a) not in ipaddress.ip_network(STDIN_SUBNET)]
    assert v4 and not outside, (
        f"the configuration on stdin allocates from {STDIN_SUBNET} only; the plugin handed out {v4}, so it did not "
        f"take its configuration from stdin:\n{add.describe()}"
    )


@pytest.mark.cni_rule("lifecycle.state-key")
@pytest.mark.cni_many_attachments
def test_state_keyed_by_network(attach, cni_target, netconf_factory, cni_version, netns_factory, cni_ifname, cni_container_id):
    if cni_ifname in checks.PREEXISTING_IFNAMES:
        pytest.skip(f"not applicable: {cni_ifname} holds no per-network state")
    conf_a = netconf_factory(cni_version)
    conf_b = copy.deepcopy(conf_a)
    conf_b["name"] = conf_a["name"] + "-b"
    if isinstance(conf_b.get("bridge"), str):
        conf_b["bridge"] = conf_b["bridge"][:13] + "b"
    if not _move_ranges(conf_b, OTHER_SUBNET):
        pytest.skip("not applicable: the second network needs its own host-local style IPv4 range")
    ns_b = netns_factory("container-b")
    net_a, net_b = attach(conf_a), attach(conf_b, ns_b)  # both DELeted at the end of the test
    net_a.add_or_block(what="ADD on network A")
    add_b = net_b.add()
    # The same (container id, ifname) on another network is another attachment: refusing it is this rule's finding.
    assert add_b.succeeded and isinstance(add_b.result, dict), (
        f"state is keyed by network name, container id and ifname: ADD of ({cni_container_id}, {cni_ifname}) on network "
        f"{conf_b['name']} is a new attachment while the same pair is live on {conf_a['name']}, yet it failed:\n{add_b.describe()}"
    )
    held_before = host_local.for_config(conf_b)
    require(net_a.delete(), what="DEL on network A")
    problems = []
    held_after = host_local.for_config(conf_b)
    if held_before is not None and held_after is not None:
        gone = [a for a in checks.addresses_of(add_b.result) if a in held_before and a not in held_after]
        if gone:
            problems.append(f"network B's reservation(s) {gone} vanished")
    if cni_target.profile.kind != "ipam" and ns_b.snapshot().link(cni_ifname) is None:
        problems.append(f"network B's {cni_ifname} vanished from its namespace")
    if versions.has_check(cni_version):
        chk = net_b.check()
        if chk.exit_code != 0:
            problems.append(f"CHECK of network B's attachment now fails:\n{chk.describe()}")
    assert not problems, (
        f"state is keyed by network name, container id and ifname: DEL of ({cni_container_id}, {cni_ifname}) on network "
        f"{conf_a['name']} should leave the same pair on network {conf_b['name']} alone, but:" + checks.listing(problems)
    )
