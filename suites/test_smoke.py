"""Smoke: the whole chain once per spec version, one rule per test.

VERSION; ADD prints a result -> what it reports is in the container namespace
(MAC, addresses, routes: one test each) -> CHECK (from 0.4.0) -> DEL -> the
interface is gone. Each step after the first is a precondition of the next
test, not a finding of it: a failed ADD blocks the later tests (by
add.result.stdout), and only the test of the rule that broke fails.

The module is an overview (`cni_overview`): when the other suites run in the same
session, each of these tests whose rule they check too is deselected, so one bug
is one finding, not two.
"""

from __future__ import annotations

import pytest

from cnitest import checks, versions
from cnitest.attachment import require

pytestmark = pytest.mark.cni_overview


@pytest.mark.cni_rule("version.result.shape")
def test_version_answers(cni, cni_version):
    inv = cni.invoke("VERSION", {"cniVersion": cni_version}, None, None, None)
    assert inv.succeeded, f"VERSION must succeed:\n{inv.describe()}"
    assert inv.valid, f"VERSION answer does not match the spec's shape:\n{inv.describe()}"
    listed = inv.result.get("supportedVersions", [])
    assert cni_version in listed, f"VERSION does not list {cni_version}, yet the plugin is tested at it: {listed}"


@pytest.mark.cni_rule("add.result.stdout")
def test_add_prints_a_result(attachment):
    add = attachment.add()
    assert add.exit_code == 0, f"ADD of the profile's config must succeed (exit 0) and print its result:\n{add.describe()}"
    assert not add.problems and isinstance(add.result, dict), f"ADD exited 0, so the spec expects a result object on stdout:\n{add.describe()}"


@pytest.fixture
def added(attachment, container_ns):
    """(ADD invocation, container snapshot right after it); a failed ADD blocks the test."""
    add = attachment.add_or_block()
    return add, container_ns.snapshot()


@pytest.mark.cni_kinds("interface")
@pytest.mark.cni_rule("add.result.mac")
def test_add_reports_the_real_mac(added, container_ns):
    add, snap = added
    wrong = [w for w in checks.interface_mismatches(add.result, snap, container_ns.path, up=False) if " has MAC " in w]
    assert not wrong, "every mac the result gives is the link's real address:" + checks.listing(wrong) + f"\ncontainer:\n{snap.describe()}"


@pytest.mark.cni_kinds("interface")
@pytest.mark.cni_rule("add.result.ips-configured")
def test_add_reports_configured_addresses(added, container_ns, cni_ifname):
    add, snap = added
    wrong = checks.address_mismatches(add.result, snap, cni_ifname, container_ns.path)
    assert not wrong, "the addresses the result gives the container are configured there:" + checks.listing(wrong) + f"\ncontainer:\n{snap.describe()}"


@pytest.mark.cni_kinds("interface")
@pytest.mark.cni_rule("route.installed")
def test_add_reports_installed_routes(added):
    add, snap = added
    wrong = checks.route_mismatches(add.result, snap)
    assert not wrong, "the routes the result gives are installed in the container:" + checks.listing(wrong) + f"\ncontainer:\n{snap.describe()}"


@pytest.mark.cni_rule("check.after-add-succeeds")
def test_check_after_add(added, attachment, cni_version):
    if not versions.has_check(cni_version):
        pytest.skip(f"not applicable: CHECK does not exist at {cni_version}")
    chk = attachment.check()
    assert chk.succeeded, f"CHECK right after ADD must succeed:\n{chk.describe()}"


@pytest.mark.cni_rule("chain.prevresult.del-accepted")
def test_del_after_add(added, attachment):
    rm = attachment.delete()
    assert rm.succeeded, f"DEL after ADD (its result as prevResult) should succeed:\n{rm.describe()}"


@pytest.mark.cni_kinds("interface")
@pytest.mark.cni_rule("del.removes-interface")
def test_del_removes_the_interface(added, attachment, container_ns, cni_ifname):
    if cni_ifname in checks.PREEXISTING_IFNAMES:
        pytest.skip(f"not applicable: CNI_IFNAME={cni_ifname} exists in every namespace")
    require(attachment.delete(), what="DEL after ADD")
    after = container_ns.snapshot()
    assert after.link(cni_ifname) is None, f"{cni_ifname} is still in the container after DEL:\n{after.describe()}"
