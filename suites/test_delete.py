"""DEL: succeeds whatever is already gone, and removes what ADD made.

Every DEL passes the ADD result as prevResult where the version has it, as a
runtime would, unless the test is about prevResult itself.
"""

from __future__ import annotations

import pytest

from cnitest import checks, config, host_local, netns
from cnitest.attachment import BlockedBy, require

REPEATED = "DEL repeated for the same (CNI_CONTAINERID, CNI_IFNAME) must succeed again; the second one failed"


@pytest.mark.cni_rule("del.idempotent")
def test_del_twice(attachment):
    attachment.add_or_block()
    first, second = attachment.delete(), attachment.delete()
    assert first.succeeded, f"the first DEL after ADD failed:\n{first.describe()}"
    assert second.succeeded, f"{REPEATED}:\n{second.describe()}"


@pytest.mark.cni_versions(max="0.4.0")
@pytest.mark.cni_rule("del.tolerates-missing")
def test_del_twice_before_1_0_0(attachment):
    """Before 1.0.0 a repeated DEL is the case 'everything is already gone' of del.tolerates-missing."""
    attachment.add_or_block()
    first, second = attachment.delete(), attachment.delete()
    assert first.succeeded and second.succeeded, f"{REPEATED}:\n{first.describe()}\n{second.describe()}"


@pytest.mark.cni_kinds("interface")
@pytest.mark.cni_rule("del.tolerates-missing")
def test_del_after_the_interface_was_removed(attachment, container_ns, cni_ifname):
    attachment.add_or_block()
    if cni_ifname in checks.PREEXISTING_IFNAMES:
        pytest.skip(f"CNI_IFNAME={cni_ifname} exists in every namespace; the plugin configures it rather than creating it")
    container_ns.iproute(lambda ipr: ipr.link("del", index=ipr.link_lookup(ifname=cni_ifname)[0]))
    inv = attachment.delete()
    assert inv.succeeded, f"{cni_ifname} was removed out of band before DEL; DEL should still succeed:\n{inv.describe()}"


@pytest.mark.cni_rule("del.without-add")
def test_del_without_add(attachment):
    inv = attachment.delete()
    assert inv.succeeded, f"DEL for an attachment that was never added must succeed:\n{inv.describe()}"


@pytest.mark.cni_kinds("interface")
@pytest.mark.cni_rule("del.after-failed-add")
def test_del_after_a_failed_add(attachment, tmp_path):
    """The DEL a runtime must still send after a failed ADD: same parameters, no prevResult."""
    missing = str(tmp_path / "no-such-netns")
    add = attachment.add(netns=missing)
    if add.exit_code == 0:
        raise BlockedBy("add.netns.nonexistent-fails", f"ADD into the nonexistent CNI_NETNS={missing} did not fail:\n{add.describe()}")
    rm = attachment.delete(None, netns=missing)
    assert rm.succeeded, (
        f"ADD into the nonexistent CNI_NETNS={missing} failed; the DEL a runtime sends after it (same parameters, no "
        f"prevResult) must succeed:\n{rm.describe()}\n{add.describe()}"
    )


@pytest.mark.cni_rule("del.output.empty")
def test_successful_del_prints_nothing(attachment):
    attachment.add_or_block()
    rm = require(attachment.delete(), what="DEL after ADD", exit_code_only=True)  # stdout is judged here
    assert not rm.stdout.strip(), f"a successful DEL prints nothing on stdout (DEL has no result):\n{rm.describe()}"


@pytest.mark.cni_rule("del.netns-gone")
def test_del_after_the_netns_is_gone(attachment, netconf, container_ns):
    stale = netns.stale_netns_path(container_ns)
    try:
        add = attachment.add_or_block(netns=stale)
    finally:
        netns.close_alias(stale)
    container_ns.close()  # the namespace is destroyed; `stale` now names nothing
    held = host_local.for_config(netconf)
    inv = attachment.delete(netns=stale)
    assert inv.succeeded, f"the container namespace {stale} was deleted before DEL; DEL should still succeed:\n{inv.describe()}"
    if held:
        left = host_local.for_config(netconf)
        kept = sorted(a for a in checks.addresses_of(add.result) if a in (left or {}))
        assert not kept, f"DEL with the namespace gone should still release the addresses; still reserved: {kept}:\n{inv.describe()}"


@pytest.mark.cni_rule("del.netns-empty")
@pytest.mark.parametrize("how", ["empty", "unset"])
def test_del_with_empty_netns(attachment, how):
    """CNI_NETNS is among DEL's optional parameters: unset and empty alike."""
    attachment.add_or_block()
    inv = attachment.delete(netns=None, env={"CNI_NETNS": "" if how == "empty" else None})
    assert inv.succeeded, f"DEL with CNI_NETNS {how} should clean up what it can and succeed:\n{inv.describe()}"


@pytest.mark.cni_rule("del.prevresult-absent")
@pytest.mark.parametrize("prev", ["missing", "empty"])
def test_del_without_prev_result(attachment, prev):
    attachment.add_or_block()
    inv = attachment.delete({} if prev == "empty" else None)  # None: the config goes without prevResult
    assert inv.succeeded, f"DEL with {prev} prevResult should clean up and succeed:\n{inv.describe()}"


@pytest.mark.cni_rule("chain.prevresult.del-accepted")
def test_del_with_the_add_result_as_prev_result(attachment):
    attachment.add_or_block()
    inv = attachment.delete()
    assert inv.succeeded, f"DEL carrying the ADD result as prevResult should succeed:\n{inv.describe()}"


@pytest.mark.cni_rule("del.removes-interface")
def test_del_removes_the_interface(attachment, container_ns, cni_ifname):
    add = attachment.add_or_block()
    if cni_ifname in checks.PREEXISTING_IFNAMES:
        pytest.skip(f"CNI_IFNAME={cni_ifname} exists in every namespace; the plugin configures it rather than creating it")
    if container_ns.snapshot().link(cni_ifname) is None:
        raise BlockedBy("add.creates-ifname", f"ADD made no {cni_ifname}, so there is none for DEL to remove:\n{add.describe()}")
    require(attachment.delete(), what="DEL")
    snap = container_ns.snapshot()
    assert snap.link(cni_ifname) is None, f"after DEL {cni_ifname} should be gone from the container:\n{snap.describe()}"


@pytest.mark.cni_rule("del.removes-host-resources")
def test_del_removes_host_links(attachment, host_ns):
    before = {link.name for link in host_ns.snapshot().links}
    attachment.add_or_block()
    made = host_ns.snapshot()
    # A bridge (or vrf) is shared by every attachment of the network, not made for this one:
    # Go bridge keeps it after DEL on purpose. Only per-attachment links must go.
    own = {link.name for link in made.links if link.name not in before and link.kind not in ("bridge", "vrf")}
    if not own:
        pytest.skip("ADD made no per-attachment link in the host namespace")
    require(attachment.delete(), what="DEL")
    left = sorted(own & {link.name for link in host_ns.snapshot().links})
    assert not left, f"after DEL the host-side links ADD made for the attachment should be gone; left: {left}\nhost:\n{host_ns.snapshot().describe()}"


@pytest.mark.cni_rule("del.releases-ipam")
def test_del_releases_the_address(attach, netconf, netns_factory, cni_container_id):
    """With the pool shrunk to one address, another container can only get it after DEL."""
    shrunk = config.with_one_address_pool(netconf)
    if shrunk is None:
        pytest.skip("the config has no ipam.ranges to shrink to one address")
    conf, pool = shrunk
    first = attach(conf)
    first.add_or_block(what="ADD with a one-address pool")
    require(first.delete(), what="DEL")
    again = attach(conf, netns_factory("other-container"), container_id=cni_container_id + "-b").add()
    assert again.succeeded, (
        f"the pool holds only {pool}; after DEL released it an ADD for another container should get it, but failed:\n{again.describe()}"
    )
    assert sorted(checks.addresses_of(again.result)) == sorted(pool), f"expected {pool} to be handed out again:\n{again.describe()}"


@pytest.mark.cni_rule("del.scoped-to-attachment")
@pytest.mark.cni_many_attachments
def test_del_leaves_other_attachments(attach, netconf, container_ns, cni_ifname, cni_target):
    if cni_ifname in checks.PREEXISTING_IFNAMES:
        pytest.skip(f"CNI_IFNAME={cni_ifname} exists in every namespace; a second attachment would configure the same interface")
    first = attach(netconf).add_or_block()
    other = "net1" if cni_ifname != "net1" else "net2"
    second = attach(netconf, ifname=other)
    second.add_or_block(rule="add.same-container-other-ifname", what=f"a second ADD of the container, as {other}")
    rm = require(second.delete(), what=f"DEL of {other}")
    wrong = []
    if cni_target.profile.kind == "interface":
        snap = container_ns.snapshot()
        wrong = checks.interface_mismatches(first.result, snap, container_ns.path) + checks.address_mismatches(first.result, snap, cni_ifname, container_ns.path)
        if snap.link(cni_ifname) is None:
            wrong.append(f"{cni_ifname} is gone")
    held = host_local.for_config(netconf)
    if held is not None:
        wrong += [f"{a} ({cni_ifname}'s address) is no longer reserved" for a in checks.addresses_of(first.result) if a not in held]
    assert not wrong, f"DEL of {other} should leave the {cni_ifname} attachment of the same container intact:" + checks.listing(wrong) + f"\n{rm.describe()}"
