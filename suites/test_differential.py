"""A differential run against another build of the plugin (--cni-diff-against=PLUGIN).

Both builds go through the same hypothesis-drawn sequences of ADD, CHECK, DEL,
GC, concurrent ADDs and restarts, each in its own sandbox (cnitest.differential),
at each spec version under test that the other build lists too. IPAM sections are
drawn, unless --cni-config names its own ranges: then those are used as given. The first
observable difference fails the test, with a shrunk reproducer for both.

A difference between two builds is not a departure from the spec, so the test
cites no rule: it reports what changed, for the plugin author to judge.
"""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from cnitest import hypothesis_settings, netns, versions
from cnitest.differential import DiffTarget, fixed_ipam, run_diff
from cnitest.runner import Runner


@pytest.fixture(scope="session")
def other_versions(cni_target):
    """The spec versions the other build lists (asked once)."""
    other = cni_target.settings.diff_against
    if other is None:
        return None
    with netns.new("diff-version") as host:
        return versions.listed(versions.ask(Runner(other, host))) or []


@pytest.mark.cni_kinds("ipam", "interface")
def test_no_difference_from_the_other_build(cni_target, cni_version, other_versions, tmp_path):
    """The plugin and --cni-diff-against behave alike over the hypothesis profile's sequences."""
    other = cni_target.settings.diff_against
    if other is None:
        pytest.skip("not asked for: give --cni-diff-against=PLUGIN")
    template = cni_target.template.plugin
    ipam = template.get("ipam")
    if not isinstance(ipam, dict) or not (ipam.get("type") == "host-local" or "ranges" in ipam or "subnet" in ipam):
        pytest.skip("not applicable: differential runs drive host-local style IPAM (ranges/subnet)")
    if cni_version not in other_versions:
        pytest.skip(f"not applicable: {other} does not list {cni_version} (it lists {', '.join(other_versions) or 'nothing'})")
    fixed = fixed_ipam(template) if cni_target.settings.config is not None else None  # --cni-config's own ranges
    target = DiffTarget(cni_target.plugin, other, cni_version, kind=cni_target.profile.kind, template=template,
                        cni_path=cni_target.settings.cni_path, timeout=cni_target.settings.timeout, workdir=str(tmp_path),
                        ipam_configs=st.just(fixed) if fixed else None)
    settings = None
    if target.kind == "interface":  # each ADD makes a veth pair on each side: fewer, shorter runs
        settings = hypothesis_settings.current(max_examples=6, stateful_step_count=8)
    outcome = run_diff(target, settings)
    assert outcome.difference is None, str(outcome.difference)
