"""stdin/stdout contract: whatever a plugin prints on stdout is exactly one JSON document."""

from __future__ import annotations

import pytest

from cnitest import versions

from . import _protocol as p


def _stdout_problems(inv):
    return [x for x in inv.problems if x.startswith("stdout")]


@pytest.mark.parametrize("phase", ["version", "lifecycle", "failure"])
@pytest.mark.cni_rule("io.stdout.single-json")
def test_stdout_single_json_document(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id, phase):
    calls = []
    if phase == "version":
        if versions.at_least(cni_version, "0.2.0"):
            calls.append(cni.invoke("VERSION", {"cniVersion": cni_version}, None, None, None))
    elif phase == "lifecycle":
        add = cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id)
        calls.append(add)
        if versions.has_check(cni_version) and add.exit_code == 0:
            calls.append(cni.invoke("CHECK", p.del_config(netconf, add, cni_version), container_ns, cni_ifname, cni_container_id))
        calls.append(p.cleanup(cni, netconf, add, container_ns, cni_ifname, cni_container_id, cni_version))
        calls.append(p.cleanup(cni, netconf, add, container_ns, cni_ifname, cni_container_id, cni_version))  # a second DEL
    else:
        calls.append(cni.invoke("ADD", p.BAD_JSON, container_ns, cni_ifname, cni_container_id))
        calls.append(cni.invoke("ADD", {**netconf, "cniVersion": "9.9.9"}, container_ns, cni_ifname, cni_container_id))
    for inv in calls:
        bad = _stdout_problems(inv)
        assert not bad, (
            f"stdout must be empty or hold exactly one JSON document (result, version or error) and nothing else, "
            f"e.g. no log lines; {inv.verb} printed: {'; '.join(bad)}\n{inv.describe()}"
        )
