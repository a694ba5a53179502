"""The add, check, delete and results suites pass on Debian's Go plugins and
catch a faulty plugin for every rule family they check.

Each faulty plugin (tests/plugins/faulty/<fault>/) breaks one rule; the run is
kept narrow (one suite file, one spec version, -k) to spare CI time.
"""

from __future__ import annotations

import pytest

from .conftest import FAULTY, SUITES, require_go, run_suite

SUITE_FILES = ("test_add.py", "test_check.py", "test_delete.py", "test_results.py")

# The Go runs stay at the versions where the suites' rules change: 0.4.0 and 1.0.0
# everywhere, plus a legacy one where a suite has rules only for it.
GO_VERSIONS = {
    "test_add.py": ("0.4.0", "1.0.0"),
    "test_check.py": ("0.3.1", "0.4.0", "1.0.0"),
    "test_delete.py": ("0.4.0", "1.0.0"),
    "test_results.py": ("0.2.0", "0.4.0", "1.0.0"),
}

# SHOULD-level findings on the Go plugins, checked so a new one is noticed.
# ptp: a second attachment of the same container to the same ptp network fails
# ("failed to add route ... 10.88.0.1/32 ...: file exists"): ptp adds a host route
# to the gateway via each interface, and the one via eth0 is already there.
GO_WARNINGS = {
    ("ptp", "test_add.py"): {"test_same_container_twice_with_another_ifname[0.4.0]", "test_same_container_twice_with_another_ifname[1.0.0]"},
}


@pytest.mark.parametrize("suite", SUITE_FILES)
@pytest.mark.parametrize("plugin", ["bridge", "ptp", "host-local"])
def test_suite_passes_on_go_plugin(plugin, suite):
    run = run_suite(require_go(plugin), str(SUITES / suite), *(f"--cni-version={v}" for v in GO_VERSIONS[suite]))
    assert not run.failed(), run
    assert run.passed(), run
    assert set(run.warned()) == GO_WARNINGS.get((plugin, suite), set()), run.warned()


MUST, SHOULD = "MUST", "SHOULD"

# (fault dir, plugin it wraps, suite, spec version, level, tests that must catch it)
CASES = [
    # results
    ("result-wrong-cniversion", "bridge", "test_results.py", "1.0.0", MUST, ["test_result_cniversion_is_the_requested_one"]),
    ("result-no-ips-version", "bridge", "test_results.py", "0.4.0", MUST, ["test_ips_carry_version"]),
    ("result-no-ips-version", "host-local", "test_results.py", "0.4.0", MUST, ["test_ips_carry_version"]),
    ("result-keeps-ips-version", "bridge", "test_results.py", "1.0.0", SHOULD, ["test_ips_carry_no_version"]),
    ("result-no-sandbox", "bridge", "test_results.py", "1.0.0", MUST, ["test_container_interfaces_carry_sandbox"]),
    ("result-wrong-sandbox", "bridge", "test_results.py", "1.0.0", SHOULD, ["test_sandbox_is_cni_netns"]),
    ("result-host-sandbox", "bridge", "test_results.py", "1.0.0", SHOULD, ["test_host_interfaces_have_no_sandbox"]),
    ("result-hides-host-links", "bridge", "test_results.py", "1.0.0", MUST, ["test_interfaces_cover_what_add_created"]),
    ("result-bad-interface-index", "bridge", "test_results.py", "1.0.0", MUST, ["test_ips_interface_indexes_point_into_interfaces"]),
    ("result-no-ips-interface", "bridge", "test_results.py", "1.0.0", SHOULD, ["test_container_addresses_name_their_interface"]),
    ("result-gateway-cidr", "bridge", "test_results.py", "1.0.0", MUST, ["test_result_ips_shape"]),
    ("result-interfaces-not-list", "bridge", "test_results.py", "1.0.0", MUST, ["test_result_interfaces_shape"]),
    ("result-new-shape-when-legacy", "bridge", "test_results.py", "0.2.0", MUST, ["test_legacy_result_shape"]),
    ("result-phantom-address", "bridge", "test_results.py", "1.0.0", SHOULD, ["test_reported_addresses_are_configured"]),
    ("result-phantom-route", "bridge", "test_results.py", "1.0.0", SHOULD, ["test_reported_routes_are_installed"]),
    ("result-route-no-prefix", "bridge", "test_results.py", "1.0.0", MUST, ["test_route_entries_shape"]),
    ("result-route-mixed-family", "bridge", "test_results.py", "0.4.0", MUST, ["test_route_dst_and_gw_share_a_family"]),
    ("result-two-documents", "bridge", "test_results.py", "1.0.0", MUST, ["test_stdout_is_one_json_document"]),
    ("result-empty-stdout", "bridge", "test_results.py", "1.0.0", MUST, ["test_add_prints_a_result"]),
    ("result-wrong-mac", "bridge", "test_results.py", "1.0.0", MUST, ["test_reported_macs_are_real"]),
    ("result-no-mac", "bridge", "test_results.py", "0.4.0", MUST, ["test_container_interface_gives_its_mac"]),
    ("result-no-mac", "bridge", "test_results.py", "1.0.0", SHOULD, ["test_container_interface_gives_its_mac"]),
    ("ipam-result-interfaces", "host-local", "test_results.py", "1.0.0", MUST, ["test_ipam_result_is_abbreviated"]),
    ("ipam-result-interfaces", "host-local", "test_results.py", "0.4.0", SHOULD, ["test_ipam_result_leaves_out_interfaces"]),
    ("ipam-no-address", "host-local", "test_results.py", "1.0.0", MUST, ["test_ipam_hands_out_an_address"]),
    ("ipam-gateway-cidr", "host-local", "test_results.py", "1.0.0", MUST, ["test_ipam_result_shape"]),
    # ADD
    ("add-over-existing-ifname", "bridge", "test_add.py", "1.0.0", MUST, ["test_add_fails_when_ifname_exists"]),
    ("add-clobbers-existing-ifname", "bridge", "test_add.py", "1.0.0", MUST, ["test_add_fails_when_ifname_exists"]),
    ("add-ignores-ifname", "bridge", "test_add.py", "1.0.0", MUST, ["test_add_honours_cni_ifname"]),
    ("add-leaves-interface-down", "bridge", "test_add.py", "1.0.0", SHOULD, ["test_add_creates_cni_ifname"]),
    ("add-one-attachment-per-container", "bridge", "test_add.py", "1.0.0", SHOULD, ["test_same_container_twice_with_another_ifname"]),
    ("add-missing-netns-ok", "bridge", "test_add.py", "1.0.0", MUST, ["test_add_fails_for_a_missing_netns"]),
    # CHECK
    ("check-always-ok", "bridge", "test_check.py", "1.0.0", SHOULD, [
        "test_check_fails_without_the_interface", "test_check_fails_without_an_address",
        "test_check_fails_without_a_route", "test_check_compares_with_prev_result"]),
    ("check-always-ok", "bridge", "test_check.py", "0.3.1", SHOULD, ["test_check_refused_below_0_4_0"]),
    ("check-always-ok", "host-local", "test_check.py", "1.0.0", SHOULD, ["test_check_fails_after_the_reservation_is_gone"]),
    ("check-always-fails", "bridge", "test_check.py", "0.4.0", MUST, ["test_check_succeeds_right_after_add", "test_check_tolerates_an_extra_route"]),
    ("check-crashes-below-040", "bridge", "test_check.py", "0.3.1", SHOULD, ["test_check_refused_below_0_4_0"]),
    ("check-prints-result", "bridge", "test_check.py", "1.0.0", SHOULD, ["test_successful_check_prints_nothing"]),
    ("check-prints-result", "bridge", "test_check.py", "0.4.0", MUST, ["test_successful_check_prints_nothing"]),
    ("check-ignores-prev-result", "bridge", "test_check.py", "1.0.0", SHOULD, ["test_check_compares_with_prev_result"]),
    # DEL
    ("del-not-idempotent", "bridge", "test_delete.py", "1.0.0", MUST, ["test_del_twice"]),
    ("del-not-idempotent", "bridge", "test_delete.py", "0.4.0", SHOULD, ["test_del_twice_before_1_0_0"]),
    ("del-needs-interface", "bridge", "test_delete.py", "1.0.0", SHOULD, ["test_del_after_the_interface_was_removed"]),
    ("del-needs-add", "bridge", "test_delete.py", "1.0.0", MUST, ["test_del_without_add"]),
    ("del-needs-netns", "bridge", "test_delete.py", "1.0.0", SHOULD, ["test_del_after_the_netns_is_gone"]),
    ("del-needs-netns", "bridge", "test_delete.py", "1.0.0", MUST, ["test_del_with_empty_netns"]),
    ("del-netns-gone-keeps-address", "bridge", "test_delete.py", "1.0.0", SHOULD, ["test_del_after_the_netns_is_gone"]),
    ("del-needs-prev-result", "bridge", "test_delete.py", "1.0.0", SHOULD, ["test_del_without_prev_result"]),
    ("del-rejects-prev-result", "bridge", "test_delete.py", "1.0.0", SHOULD, ["test_del_with_the_add_result_as_prev_result"]),
    ("del-does-nothing", "bridge", "test_delete.py", "1.0.0", SHOULD, [
        "test_del_removes_the_interface", "test_del_removes_host_links", "test_del_releases_the_address"]),
    ("del-does-nothing", "host-local", "test_delete.py", "1.0.0", SHOULD, ["test_del_releases_the_address"]),
    ("del-wrong-ifname", "bridge", "test_delete.py", "1.0.0", SHOULD, ["test_del_leaves_other_attachments"]),
]


def _cases():
    for fault, plugin, suite, version, level, tests in CASES:
        ident = f"{fault}-{plugin}-{version}"
        ident = f"{ident}-{level}" if sum(c[:4] == (fault, plugin, suite, version) for c in CASES) > 1 else ident
        yield pytest.param(fault, plugin, suite, version, level, tests, False, id=ident)
        if level == SHOULD:
            yield pytest.param(fault, plugin, suite, version, level, tests, True, id=ident + "-strict")


@pytest.mark.parametrize("fault, plugin, suite, version, level, tests, strict", list(_cases()))
def test_faulty_plugin_is_caught(fault, plugin, suite, version, level, tests, strict):
    require_go(plugin)
    args = [str(SUITES / suite), f"--cni-version={version}", "-k", " or ".join(tests)]
    if strict:
        args.append("--cni-strict")
    run = run_suite(FAULTY / "faulty" / fault / plugin, *args)
    run.assert_caught(fault, tests, version, must=level == MUST, strict=strict)
