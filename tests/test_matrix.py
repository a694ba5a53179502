"""The full matrix: every Debian Go plugin through every bundled suite at every version it lists.

Slow (minutes): run with `scripts/test -m slow`. CI runs the representative
slices in the other tests. Only MUST-level failures count; the known, airtight
Go departures are listed here with the rule and spec section.
"""

from __future__ import annotations

import pytest

from cnitest import versions

from .conftest import GO_PLUGINS, run_suite

# Real spec violations of Debian's Go plugins 1.1.1: the tests they fail, with the
# rule and the spec section that makes each one airtight.
KNOWN_GO_VIOLATIONS = {
    # check.after-add-succeeds (SPEC.md "CHECK: Check container's networking is as
    # expected"): portmap checks the ip6tables DNAT chain for an IPv4-only container
    # and fails right after a successful ADD (fixed upstream after 1.1.1).
    "portmap": ("test_check_with_chained_result", "test_check_succeeds_right_after_add", "test_check_after_add"),
    # del.idempotent and del.without-add (spec-v1.0.0 "DEL": plugins MUST accept multiple DEL calls
    # and return success if the interface is missing): host-device fails with "failed to find eth0".
    "host-device": ("test_del_twice", "test_del_without_add"),
    # del.netns-empty (spec-v1.0.0 "DEL": CNI_NETNS is among DEL's optional parameters):
    # sbr fails a DEL with an empty CNI_NETNS instead of cleaning up what it can.
    "sbr": ("test_del_with_empty_netns",),
    # add.result.legacy-shape (spec-v0.2.0 "Result": ip4/ip6 only) and
    # add.result.ips-version (spec-v0.3.0..0.4.0 "Result": ips[].version required):
    # loopback prints a 1.0.0-shaped result whatever version was asked.
    "loopback": ("test_legacy_result_shape", "test_ips_carry_version"),
}

# env.command.unknown-fails (spec-v1.0.0 Parameters: 'CNI_COMMAND: indicates the desired operation';
# every verb lists it under 'Required environment parameters'): pkg/skel, so every Go plugin, prints
# its 'about' text and exits 0 when CNI_COMMAND is empty or unset.
EVERY_GO_PLUGIN = tuple(f"test_unknown_command_fails[{v}-{how}]" for v in versions.KNOWN for how in ("empty", "unset"))

PLUGINS = ["bridge", "ptp", "macvlan", "host-device", "host-local", "static", "loopback",
           "tuning", "portmap", "bandwidth", "firewall", "sbr"]


@pytest.mark.slow
@pytest.mark.parametrize("name", PLUGINS)
def test_go_plugin_full_matrix(name):
    plugin = GO_PLUGINS / name
    if not plugin.exists():
        pytest.skip(f"{plugin} is not installed")
    run = run_suite(plugin, "-n", "2", timeout=1800)
    allowed = KNOWN_GO_VIOLATIONS.get(name, ()) + EVERY_GO_PLUGIN
    unexpected = {test: msg for test, msg in run.failed().items() if not test.startswith(allowed)}
    assert not unexpected, f"{name}: MUST-level failures that are not known Go violations:\n" + "\n\n".join(
        f"{t}: {m[:600]}" for t, m in unexpected.items())


ROOTLESS_PLUGINS = ["bridge", "ptp", "macvlan", "host-local", "static", "loopback", "tuning", "portmap", "firewall", "bandwidth", "sbr"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ROOTLESS_PLUGINS)
def test_go_plugin_verdicts_are_the_same_rootless(name):
    """--cni-rootless (a user namespace, root inside) gives every test the outcome it has as
    root, at 1.0.0: the sandbox's stronger form costs no verdict."""
    plugin = GO_PLUGINS / name
    if not plugin.exists():
        pytest.skip(f"{plugin} is not installed")
    as_root = run_suite(plugin, "-n", "2", "--cni-version=1.0.0", timeout=1800)
    rootless = run_suite(plugin, "-n", "2", "--cni-version=1.0.0", "--cni-rootless", timeout=1800)
    differ = {t: (o[0], rootless.outcomes.get(t, ("missing", ""))[0]) for t, o in as_root.outcomes.items()
              if rootless.outcomes.get(t, ("missing", ""))[0] != o[0]}
    assert as_root.outcomes and not differ, f"{name}: outcome as root -> rootless differs for:\n" + "\n".join(
        f"  {t}: {a} -> {b}" for t, (a, b) in sorted(differ.items()))
