"""Smoke: the whole chain once per spec version.

VERSION; ADD -> the result validates and what it reports is in the container
namespace -> CHECK (from 0.4.0) -> DEL -> the interface is gone.
"""

from __future__ import annotations

import pytest

from cnitest import checks, versions


@pytest.mark.cni_rule("version.result.shape")
def test_version_answers(cni, cni_version):
    inv = cni.invoke("VERSION", {"cniVersion": cni_version}, None, None, None)
    assert inv.succeeded, f"VERSION must succeed:\n{inv.describe()}"
    assert inv.valid, f"VERSION answer does not match the spec's shape:\n{inv.describe()}"
    listed = inv.result.get("supportedVersions", [])
    assert cni_version in listed, f"VERSION does not list {cni_version}, yet the plugin is tested at it: {listed}"


@pytest.mark.cni_kinds("interface", "chained")
@pytest.mark.cni_rule("add.result.stdout")
def test_add_check_del(cni, cni_target, netconf, container_ns, cni_version, cni_ifname, cni_container_id):
    add = cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id)
    assert add.succeeded, f"ADD failed:\n{add.describe()}"
    assert add.valid, f"ADD result is not a {cni_version} result:\n{add.describe()}"
    snap = container_ns.snapshot()
    wrong = checks.kernel_mismatches(add.result, snap, cni_ifname, container_ns.path)
    assert not wrong, "the result says what the container does not hold:\n- " + "\n- ".join(wrong) + f"\ncontainer:\n{snap.describe()}"

    if versions.has_check(cni_version):
        chk = cni.invoke("CHECK", {**netconf, "prevResult": add.result}, container_ns, cni_ifname, cni_container_id)
        assert chk.exit_code == 0 and not chk.problems, f"CHECK right after ADD must succeed:\n{chk.describe()}"

    delete = {**netconf, "prevResult": add.result} if versions.has_prev_result(cni_version) else netconf
    rm = cni.invoke("DEL", delete, container_ns, cni_ifname, cni_container_id)
    assert rm.exit_code == 0 and not rm.problems, f"DEL failed:\n{rm.describe()}"
    if cni_target.profile.kind == "interface" and cni_ifname != "lo":
        after = container_ns.snapshot()
        assert after.link(cni_ifname) is None, f"{cni_ifname} is still in the container after DEL:\n{after.describe()}"


@pytest.mark.cni_kinds("ipam")
@pytest.mark.cni_rule("add.result.stdout")
def test_ipam_add_del(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id):
    add = cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id)
    assert add.succeeded, f"ADD failed:\n{add.describe()}"
    assert add.valid, f"ADD result is not a {cni_version} IPAM result:\n{add.describe()}"
    assert checks.normalize(add.result).ips, f"an IPAM ADD must hand out an address:\n{add.describe()}"
    rm = cni.invoke("DEL", netconf, container_ns, cni_ifname, cni_container_id)
    assert rm.exit_code == 0 and not rm.problems, f"DEL failed:\n{rm.describe()}"
