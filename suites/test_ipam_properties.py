"""IPAM properties: a hypothesis state machine over ADD/DEL/CHECK, concurrency,
and configs host-local must refuse.

Runs against an IPAM plugin called directly (profile kind "ipam", host-local
style config) or through an interface plugin whose profile has an ``ipam``
section (e.g. bridge with host-local). Hypothesis profile: --cni-hypothesis-profile
(ci by default: derandomized and short). The profile also sets what the tests may
spend (cnitest.hypothesis_settings.LIMITS): seconds per test and per session, after
which a test passes on the examples it ran or fails with the shortest reproducer
found so far; and the smallest ranges that prove the exhaustion and concurrency
rules, since those cost a plugin call per address.

Uniqueness, staying in range, skipping reserved addresses and clean exhaustion
are host-local's conventions rather than spec text, and one run asserts them
together with what the spec asks, so a failure cannot be told apart: these are
profile checks (cni_profile_check), reported apart from the spec rules and never
failing one. The spec rules they touch (ipam.determines-ip, del.releases-ipam,
error.exit.nonzero, error.json.code-msg) have tests of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given

from cnitest import hypothesis_settings, strategies
from cnitest.budget import Budget
from cnitest.ipam_machine import IpamRun, check_concurrent_adds, run_machine


def _template(cni_target: Any) -> dict[str, Any]:
    template = cni_target.template.plugin
    ipam = template.get("ipam")
    if not isinstance(ipam, dict) or not ipam.get("type"):
        pytest.skip("not applicable: the plugin's config has no ipam section")
    if ipam.get("type") not in ("host-local",) and "ranges" not in ipam and "subnet" not in ipam:
        pytest.skip(f"not applicable: ipam type {ipam.get('type')!r} is not configured host-local style (ranges/subnet)")
    return template


@contextmanager
def _noted(budget: Budget, request: Any) -> Iterator[None]:
    """Say in the test's properties (and output) when its time budget cut it short."""
    try:
        yield
    finally:
        if budget.note:
            request.node.user_properties.append(("cni_budget", budget.note))
            print(budget.note)


def _run(cni_target: Any, host_ns: Any, cni_version: str, tmp_path: Any, **kw: Any) -> IpamRun:
    _template(cni_target)  # not applicable without a host-local style ipam section
    return IpamRun(cni_target, cni_version, host_ns=host_ns, workdir=str(tmp_path), **kw)


@pytest.mark.cni_kinds("ipam", "interface")
@pytest.mark.cni_profile_check("ipam.host-local-style.allocation-invariants")
@pytest.mark.cni_many_attachments
def test_ipam_state_machine(cni_target, host_ns, cni_version, tmp_path, request):
    """Random ADD/DEL/CHECK/fill sequences keep every allocation invariant."""
    budget = hypothesis_settings.budget()
    run = _run(cni_target, host_ns, cni_version, tmp_path, fill_limit=hypothesis_settings.limits().fill_limit, budget=budget)
    settings = None
    if run.kind == "interface":  # each ADD makes a veth pair: fewer, shorter runs
        settings = hypothesis_settings.current(max_examples=6, stateful_step_count=8)
    with _noted(budget, request):
        run_machine(run, settings)  # within run.budget


@pytest.mark.cni_kinds("ipam", "interface")
@pytest.mark.cni_profile_check("ipam.host-local-style.concurrent-allocation")
@pytest.mark.cni_many_attachments
def test_concurrent_adds_never_share_an_address(cni_target, host_ns, cni_version, tmp_path):
    """More ADDs at once than the range holds (8 on 5 with the ci profile): as many distinct
    successes as addresses, clean errors for the rest; DELs at once free all."""
    attempts, capacity = hypothesis_settings.limits().concurrent
    out = check_concurrent_adds(_run(cni_target, host_ns, cni_version, tmp_path), attempts=attempts, capacity=capacity)
    assert len(set(out.addresses)) == capacity and out.failures == attempts - capacity


@pytest.mark.cni_kinds("ipam")
@pytest.mark.cni_profile_check("ipam.host-local-style.invalid-config-refused")
def test_invalid_ipam_config_is_refused(cni, cni_target, container_ns, cni_version, tmp_path, request):
    """Each broken config gets an error JSON with a code and reserves nothing."""
    ipam_type = _template(cni_target)["ipam"]["type"]
    counter = iter(range(10**6))
    budget = hypothesis_settings.budget()

    @hypothesis_settings.current(max_examples=30)
    @given(bad=strategies.invalid_ipam_configs(cni_version, ipam_type))
    def refuses(bad: strategies.InvalidIpam) -> None:
        budget.begin_example()  # one plugin call an example
        try:
            refused(bad)
        except Exception as exc:
            budget.failed(exc, 1)
            raise

    def refused(bad: strategies.InvalidIpam) -> None:
        data_dir = tmp_path / f"invalid-{next(counter)}"
        conf = {"cniVersion": cni_version, "name": "cnitest-invalid", "ipam": {**bad.ipam, "dataDir": str(data_dir)}}
        inv = cni.attach(conf, container_ns, "eth0", "cnitest-invalid").add()  # refused: nothing to DEL (asserted below)
        assert inv.exit_code not in (0, None), f"{bad.reason}: ADD of an invalid config must fail:\n{inv.describe()}"
        assert inv.failed_cleanly and inv.error is not None and inv.error.code is not None, (
            f"{bad.reason}: the failure must be an error JSON with a code:\n{inv.describe()}")
        left = strategies.address_files(str(data_dir))
        assert not left, f"{bad.reason}: a refused ADD reserved addresses: {left}"

    with _noted(budget, request):
        budget.run(refuses)
