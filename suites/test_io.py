"""stdin/stdout contract: whatever a plugin prints on stdout is exactly one JSON document."""

from __future__ import annotations

import pytest

from cnitest import versions

from . import _protocol as p


def _stdout_problems(inv):
    return [x for x in inv.problems if x.startswith("stdout")]


@pytest.mark.parametrize("phase", ["version", "lifecycle", "failure"])
@pytest.mark.cni_rule("io.stdout.single-json")
def test_stdout_single_json_document(cni, attachment, netconf, cni_version, phase):
    calls = []
    if phase == "version":
        if versions.at_least(cni_version, "0.2.0"):
            calls.append(versions.ask(cni, cni_version))
    elif phase == "lifecycle":
        calls += attachment.lifecycle(deletes=2)  # a second DEL too
    else:
        calls.append(attachment.add(p.BAD_JSON))
        calls.append(attachment.add({**netconf, "cniVersion": "9.9.9"}))
    for inv in calls:
        bad = _stdout_problems(inv)
        assert not bad, (
            f"stdout must be empty or hold exactly one JSON document (result, version or error) and nothing else, "
            f"e.g. no log lines; {inv.verb} printed: {'; '.join(bad)}\n{inv.describe()}"
        )
