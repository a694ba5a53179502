"""IPAM properties: a hypothesis state machine over ADD/DEL/CHECK, concurrency,
and configs host-local must refuse.

Runs against an IPAM plugin called directly (profile kind "ipam", host-local
style config) or through an interface plugin whose profile has an ``ipam``
section (e.g. bridge with host-local). Hypothesis profile: --cni-hypothesis-profile
(ci by default: derandomized and short).

Uniqueness, staying in range, skipping reserved addresses and clean exhaustion
are host-local's conventions rather than spec text, and one run asserts them
together with what the spec asks, so a failure cannot be told apart: these are
profile checks (cni_profile_check), reported apart from the spec rules and never
failing one. The spec rules they touch (ipam.determines-ip, del.releases-ipam,
error.exit.nonzero, error.json.code-msg) have tests of their own.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from cnitest import hypothesis_settings, strategies
from cnitest.ipam_machine import IpamRun, check_concurrent_adds, run_machine


def _template(cni_target: Any) -> dict[str, Any]:
    template = cni_target.template.plugin
    ipam = template.get("ipam")
    if not isinstance(ipam, dict) or not ipam.get("type"):
        pytest.skip("not applicable: the plugin's config has no ipam section")
    if ipam.get("type") not in ("host-local",) and "ranges" not in ipam and "subnet" not in ipam:
        pytest.skip(f"not applicable: ipam type {ipam.get('type')!r} is not configured host-local style (ranges/subnet)")
    return template


def _target(cni_target: Any, host_ns: Any, cni_version: str, tmp_path: Any, **kw: Any) -> IpamRun:
    _template(cni_target)  # skips a config the machine cannot drive
    return IpamRun(cni_target, cni_version, host_ns=host_ns, workdir=str(tmp_path), **kw)


@pytest.mark.cni_kinds("ipam", "interface")
@pytest.mark.cni_profile_check("ipam.host-local-style.allocation-invariants")
@pytest.mark.cni_many_attachments
def test_ipam_state_machine(cni_target, host_ns, cni_version, tmp_path):
    """Random ADD/DEL/CHECK/fill sequences keep every allocation invariant."""
    target = _target(cni_target, host_ns, cni_version, tmp_path)
    settings = None
    if target.kind == "interface":  # each ADD makes a veth pair: fewer, shorter runs
        settings = hypothesis_settings.current(max_examples=6, stateful_step_count=8)
    run_machine(target, settings)


@pytest.mark.cni_kinds("ipam", "interface")
@pytest.mark.cni_profile_check("ipam.host-local-style.concurrent-allocation")
@pytest.mark.cni_many_attachments
def test_concurrent_adds_never_share_an_address(cni_target, host_ns, cni_version, tmp_path):
    """32 ADDs at once on 20 addresses: 20 distinct successes, 12 clean errors; DELs free all."""
    out = check_concurrent_adds(_target(cni_target, host_ns, cni_version, tmp_path), attempts=32, capacity=20)
    assert len(set(out.addresses)) == 20 and out.failures == 12


@pytest.mark.cni_kinds("ipam")
@pytest.mark.cni_profile_check("ipam.host-local-style.invalid-config-refused")
def test_invalid_ipam_config_is_refused(cni, cni_target, container_ns, cni_version, tmp_path):
    """Each broken config gets an error JSON with a code and reserves nothing."""
    ipam_type = _template(cni_target)["ipam"]["type"]
    counter = iter(range(10**6))

    @hypothesis_settings.current(max_examples=30)
    @given(bad=strategies.invalid_ipam_configs(cni_version, ipam_type))
    def refuses(bad: strategies.InvalidIpam) -> None:
        data_dir = tmp_path / f"invalid-{next(counter)}"
        conf = {"cniVersion": cni_version, "name": "cnitest-invalid", "ipam": {**bad.ipam, "dataDir": str(data_dir)}}
        inv = cni.invoke("ADD", conf, container_ns, "eth0", "cnitest-invalid")
        assert inv.exit_code not in (0, None), f"{bad.reason}: ADD of an invalid config must fail:\n{inv.describe()}"
        assert inv.failed_cleanly and inv.error is not None and inv.error.code is not None, (
            f"{bad.reason}: the failure must be an error JSON with a code:\n{inv.describe()}")
        left = strategies.address_files(str(data_dir))
        assert not left, f"{bad.reason}: a refused ADD reserved addresses: {left}"

    refuses()
