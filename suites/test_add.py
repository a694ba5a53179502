"""ADD: the container interface it creates, and when it must refuse.

Every namespace comes from the fixtures; perturbations (a pre-existing eth0)
are made with pyroute2 inside the container namespace only.
"""

from __future__ import annotations

import pytest

from cnitest import checks, config
from cnitest.attachment import BlockedBy, require

from . import _protocol as p

SQUATTER_ADDRESS = ("192.0.2.77", 24)  # TEST-NET-1: never handed out by a profile


def _make_squatter(ifname):
    """A veth pair inside the container whose one end is called `ifname`, up, with an address
    (this kernel cannot make dummy links)."""

    def make(ipr):
        ipr.link("add", ifname=ifname, kind="veth", peer="cnitestsq0")
        index = ipr.link_lookup(ifname=ifname)[0]
        ipr.link("set", index=index, state="up")
        ipr.addr("add", index=index, address=SQUATTER_ADDRESS[0], prefixlen=SQUATTER_ADDRESS[1])

    return make


@pytest.mark.cni_rule("add.ifname-exists-fails")
def test_add_fails_when_ifname_exists(attachment, container_ns, cni_ifname):
    """The rule's sentence asks for the failure only: what becomes of the existing interface is not judged."""
    if cni_ifname in checks.PREEXISTING_IFNAMES:
        pytest.skip(f"CNI_IFNAME={cni_ifname} exists in every namespace; the plugin configures it rather than creating it")
    container_ns.iproute(_make_squatter(cni_ifname))
    inv = attachment.add()
    assert inv.exit_code not in (0, None), (
        f"{cni_ifname} already exists in the container, so the spec expects ADD to fail; it succeeded:\n{inv.describe()}\ncontainer:\n{container_ns.snapshot().describe()}"
    )


@pytest.mark.cni_rule("add.creates-ifname")
def test_add_creates_cni_ifname(attachment, container_ns, cni_ifname):
    add = attachment.add_or_block()
    snap = container_ns.snapshot()
    link = snap.link(cni_ifname)
    # only the rule's words: whether it is up is the profile check interface.up, not a spec rule
    assert link is not None, f"after ADD an interface named CNI_IFNAME={cni_ifname} should exist in the container:\ncontainer:\n{snap.describe()}\n{add.describe()}"


@pytest.mark.cni_rule("env.ifname.honored")
def test_add_honours_cni_ifname(attach, netconf, container_ns, netns_factory, cni_container_id, cni_ifname):
    if cni_ifname in checks.PREEXISTING_IFNAMES:
        pytest.skip(f"CNI_IFNAME={cni_ifname} exists in every namespace; the plugin configures it rather than creating it")
    ifname = "net1"
    inv = attach(netconf, ifname=ifname).add()  # DELeted at the end of the test
    snap = container_ns.snapshot()
    if inv.exit_code != 0:
        # Refusing a name is allowed ("if it cannot use that name it fails"), but only a plugin whose
        # ADD works at all has refused *the name*: else the test is blocked, never passed.
        control = attach(netconf, netns_factory("control"), container_id=cni_container_id + "-control")
        control.add_or_block(what=f"ADD with the profile's CNI_IFNAME={cni_ifname} (after the one with {ifname} failed)")
        pytest.skip(f"not applicable: the plugin refuses CNI_IFNAME={ifname} (allowed: it must use the name or fail), "
                    f"so there is no interface name to judge:\n{inv.describe()}")
    names = [link.name for link in snap.links if link.name != "lo"]
    assert snap.link(ifname) is not None, f"ADD with CNI_IFNAME={ifname} succeeded, so the container interface must be called {ifname}; the container has {names}:\n{inv.describe()}"
    listed = [i.get("name") for i in (inv.result or {}).get("interfaces") or [] if isinstance(i, dict) and i.get("sandbox")]
    strays = [n for n in listed if n != ifname]
    assert not strays, f"the result names container interface(s) {strays}, but CNI_IFNAME was {ifname}:\n{inv.describe()}"


@pytest.mark.cni_rule("add.same-container-other-ifname")
@pytest.mark.cni_many_attachments
def test_same_container_twice_with_another_ifname(attach, netconf, container_ns, cni_ifname, cni_target):
    if cni_ifname in checks.PREEXISTING_IFNAMES:
        pytest.skip(f"CNI_IFNAME={cni_ifname} exists in every namespace; the plugin configures it rather than creating it")
    first = attach(netconf).add_or_block(what="the first ADD")
    other = "net1" if cni_ifname != "net1" else "net2"
    second = attach(netconf, ifname=other).add()
    assert second.succeeded, f"the same container may join the network again under another CNI_IFNAME ({other}); the second ADD failed:\n{second.describe()}"
    shared = set(checks.addresses_of(first.result)) & set(checks.addresses_of(second.result))
    assert not shared, f"the two attachments ({cni_ifname}, {other}) got the same address(es) {sorted(shared)}:\n{first.describe()}\n{second.describe()}"
    if cni_target.profile.kind == "interface":
        snap = container_ns.snapshot()
        missing = [n for n in (cni_ifname, other) if snap.link(n) is None]
        assert not missing, f"after both ADDs the container should hold {cni_ifname} and {other}; missing {missing}:\ncontainer:\n{snap.describe()}"


@pytest.mark.cni_rule("add.netns.nonexistent-fails")
def test_add_fails_for_a_missing_netns(attachment, tmp_path):
    missing = str(tmp_path / "no-such-netns")
    inv = attachment.add(netns=missing)
    assert inv.exit_code not in (0, None), f"CNI_NETNS={missing} does not exist, so ADD must fail; it exited 0:\n{inv.describe()}"


@pytest.mark.cni_kinds("interface")
@pytest.mark.cni_rule("add.netns.nonexistent-no-residue")
def test_failed_add_into_a_missing_netns_leaves_nothing(attach, netconf, host_ns, container_ns, netns_factory, tmp_path,
                                                        cni_container_id):
    """ADD into a missing netns, then the DEL a runtime must send after it; with a one-address
    pool, the next ADD into a real namespace proves the address was released."""
    shrunk = config.with_one_address_pool(netconf)
    if shrunk is None:
        pytest.skip("not applicable: the config has no ipam.ranges to shrink to one address")
    conf, pool = shrunk
    warm = attach(conf)  # the pool serves an ADD at all (and shared host links, e.g. a bridge, exist before)
    warm.add_or_block(what="ADD with a one-address pool")
    require(warm.delete(), what="DEL after that ADD")
    before = p.state(host_ns, container_ns, conf, None)
    missing = str(tmp_path / "no-such-netns")
    failed = attach(conf, container_id=cni_container_id + "-gone")
    add = failed.add(netns=missing)
    if add.exit_code == 0:
        raise BlockedBy("add.netns.nonexistent-fails", f"ADD into the nonexistent CNI_NETNS={missing} did not fail:\n{add.describe()}")
    rm = failed.delete(None, netns=missing)
    if not rm.succeeded:
        raise BlockedBy("del.after-failed-add", f"the DEL after the failed ADD did not succeed:\n{rm.describe()}")
    after = p.state(host_ns, container_ns, conf, None)
    diff = p.changes(before, after)
    assert not diff, (
        f"ADD into the nonexistent CNI_NETNS={missing} failed and was followed by its DEL, yet state is left behind:\n"
        f"{p.describe_changes(diff, after)}\n{add.describe()}\n{rm.describe()}"
    )
    again = attach(conf, netns_factory("next-container"), container_id=cni_container_id + "-next").add()
    assert again.succeeded, (
        f"the pool holds only {pool}; after the failed ADD into {missing} and its DEL an ADD into a real namespace should "
        f"get it, but failed (the address was not released):\n{again.describe()}\n{add.describe()}"
    )


@pytest.mark.cni_versions(min="1.0.0")
@pytest.mark.cni_kinds("interface")
@pytest.mark.cni_rule("error.json.on-stdout")
def test_add_missing_netns_error_object(cni, netconf, tmp_path, cni_ifname, cni_container_id):
    """The refusal's error object is its own rule (SHOULD), not part of add.netns.nonexistent-fails."""
    missing = str(tmp_path / "no-such-netns")
    inv = cni.invoke("ADD", netconf, missing, cni_ifname, cni_container_id)
    if inv.exit_code in (0, None):
        raise BlockedBy("add.netns.nonexistent-fails", f"ADD into the missing CNI_NETNS={missing} was not refused:\n{inv.describe()}")
    assert inv.failed_cleanly, f"ADD into the missing CNI_NETNS={missing} failed; the spec expects an error object on stdout:\n{inv.describe()}"
