"""CHECK (spec 0.4.0 on): succeeds right after ADD, fails once the attachment
is broken, reads prevResult, and is refused below 0.4.0.

Every CHECK carries the ADD result as prevResult, as a runtime would
(lifecycle.check-only-after-add). Breakage is made with pyroute2 inside the
container namespace only.
"""

from __future__ import annotations

import copy
import ipaddress

import pytest

from cnitest import checks, config, host_local, ipaddr
from cnitest.attachment import require
from cnitest.result import Result


def _check_fails(inv, why, *context):
    assert inv.exit_code not in (0, None), f"{why}, so CHECK should fail; it succeeded:\n{inv.describe()}" + "".join(f"\n{c}" for c in context)


@pytest.mark.cni_rule("check.after-add-succeeds")
def test_check_succeeds_right_after_add(attachment):
    add = attachment.add_or_block()
    inv = attachment.check()
    assert inv.succeeded, f"CHECK right after ADD, with its result as prevResult, must succeed:\n{inv.describe()}\n{add.describe()}"


@pytest.mark.cni_rule("check.output.empty")
def test_successful_check_prints_nothing(attachment):
    attachment.add_or_block()
    inv = require(attachment.check(), what="CHECK right after ADD", exit_code_only=True)  # stdout is judged here
    assert not inv.stdout.strip(), f"a successful CHECK prints nothing on stdout:\n{inv.describe()}"


@pytest.mark.cni_rule("check.tolerates-later-changes")
def test_check_tolerates_an_extra_route(attachment, container_ns, cni_ifname):
    attachment.add_or_block()
    # What a later chained plugin might do: one more route in the container, via CNI_IFNAME.
    def extra_route(ipr):
        ipr.route("add", dst="198.51.100.0/24", oif=ipr.link_lookup(ifname=cni_ifname)[0])

    container_ns.iproute(extra_route)
    inv = attachment.check()
    assert inv.succeeded, (
        f"after a later plugin added a route (198.51.100.0/24 dev {cni_ifname}) CHECK must still succeed:\n{inv.describe()}\ncontainer:\n{container_ns.snapshot().describe()}"
    )


@pytest.mark.cni_rule("check.detects-missing-interface")
def test_check_fails_without_the_interface(attachment, container_ns, cni_ifname):
    attachment.add_or_block()
    if cni_ifname in checks.PREEXISTING_IFNAMES:
        pytest.skip(f"CNI_IFNAME={cni_ifname} exists in every namespace; the plugin configures it rather than creating it")
    container_ns.iproute(lambda ipr: ipr.link("del", index=ipr.link_lookup(ifname=cni_ifname)[0]))
    _check_fails(attachment.check(), f"the container interface {cni_ifname} was deleted", f"container:\n{container_ns.snapshot().describe()}")


@pytest.mark.cni_rule("check.detects-missing-address")
def test_check_fails_without_an_address(attachment, container_ns, cni_ifname):
    add = attachment.add_or_block()
    snap = container_ns.snapshot()
    gone = next((a for a in snap.addresses_of(cni_ifname) if a.cidr in {str(ip.address) for ip in Result.read(add.result).ips}), None)
    if gone is None:
        pytest.skip(f"ADD put none of its reported addresses on {cni_ifname}, so there is none to remove")
    container_ns.iproute(lambda ipr: ipr.addr("del", index=gone.index, address=gone.address, prefixlen=gone.prefixlen))
    _check_fails(attachment.check(), f"the address {gone.cidr} was removed from {cni_ifname}", f"container:\n{container_ns.snapshot().describe()}")


@pytest.mark.cni_rule("check.detects-missing-route")
def test_check_fails_without_a_route(attachment, container_ns):
    add = attachment.add_or_block()
    snap = container_ns.snapshot()
    routes = Result.read(add.result).routes
    route = next((r for r in routes if snap.has_route(str(r.dst), str(r.gw) if r.gw else None)), None)
    if route is None:
        pytest.skip("the result reports no route that ADD installed, so there is none to remove")
    want = route.dst
    victims = [r for r in snap.routes if ipaddress.ip_network(r.dst, strict=False) == want]

    def remove(ipr):
        for r in victims:
            ipr.route("del", dst=str(want), table=r.table, gateway=r.gateway, oif=r.oif, family=r.family)

    container_ns.iproute(remove)
    _check_fails(attachment.check(), f"the route {route.dst} from the result was removed", f"container:\n{container_ns.snapshot().describe()}")


@pytest.mark.cni_rule("check.prevresult-mismatch-fails")
def test_check_compares_with_prev_result(attachment, container_ns, cni_ifname):
    """A prevResult naming another address than the one configured: CHECK must notice."""
    add = attachment.add_or_block()
    prev = copy.deepcopy(add.result)
    changed = None
    for ip in prev.get("ips") or []:
        if isinstance(ip, dict) and ipaddr.is_cidr(ip.get("address")):
            iface = ipaddress.ip_interface(ip["address"])
            taken = {a.address for a in container_ns.snapshot().addresses}
            other = next(str(h) for h in iface.network.hosts() if str(h) not in taken and str(h) != ip.get("gateway") and h != iface.ip)
            changed = (ip["address"], f"{other}/{iface.network.prefixlen}")
            ip["address"] = changed[1]
            break
    if changed is None:
        pytest.skip("the result has no address to alter")
    _check_fails(attachment.check(prev), f"prevResult says {cni_ifname} has {changed[1]} but it really has {changed[0]}")


@pytest.mark.cni_rule("check.detects-missing-reservation")
def test_check_fails_after_the_reservation_is_gone(attachment, netconf):
    add = attachment.add_or_block()
    held = host_local.for_config(netconf)
    if held is not None and not set(checks.addresses_of(add.result)) & set(held):
        pytest.skip("host-local recorded no reservation for the ADD's addresses")
    if (config.ipam_section(netconf) or {}).get("type") == "static":
        pytest.skip("static IPAM takes its addresses from the config and reserves nothing, so there is no reservation to lose")
    require(attachment.delete(), what="DEL")
    _check_fails(attachment.check(add.result), "DEL released the reservation behind prevResult")


@pytest.mark.cni_rule("check.old-version-rejected")
def test_check_refused_below_0_4_0(attachment, cni_version):
    """CHECK does not exist below 0.4.0: a config at cni_version (< 0.4.0) must not be CHECKed."""
    attachment.add_or_block()  # a CHECK refused only because nothing was added proves nothing (DELeted at the end)
    inv = attachment.check()
    assert inv.exit_code not in (0, None), (
        f"the config's cniVersion is {cni_version}, below 0.4.0 where CHECK was introduced, so CHECK should be refused "
        f"(Go answers code 1, 'config version does not allow CHECK'); it succeeded:\n{inv.describe()}"
    )
    assert inv.failed_cleanly, (
        f"CHECK at {cni_version} should be refused with an error object, not by a crash or a bare exit code:\n{inv.describe()}"
    )
