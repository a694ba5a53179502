"""A failed precondition blocks a test; it is never a finding of the test's own rule.

The proof: the reference bridge with an ADD that always fails (tests/plugins/faulty/
add-always-fails) fails only under the rules that judge ADD itself; every CHECK, DEL and
GC test that needs an ADD is "blocked" with blocked_by add.result.stdout in the JSON
report, and the terminal summary says so. The report pieces are checked on their own too.
"""

from __future__ import annotations

import json

import pytest

from cnitest.attachment import PRECONDITION_RULES, BlockedBy, blocked_by, require
from cnitest.report import model
from cnitest.runner import Invocation

from .conftest import FAULTY, SUITES, require_go, run_suite
from .test_suites_extended import reference

# The rules whose own tests judge a plain ADD of the profile's config (and may fail when it fails).
ADD_RULES = {"add.result.stdout", "io.stdout.single-json"}


def _inv(verb: str, code: int, stdout: bytes = b"") -> Invocation:
    inv = Invocation(verb=verb, plugin="/x", env={}, stdin=b"{}", host_ns="h", cni_version="1.1.0", exit_code=code, stdout=stdout)
    if code == 0 and verb == "ADD" and not stdout:
        inv.problems.append("ADD succeeded but printed no result")
    return inv


def test_require_blocks_with_the_verbs_rule():
    for verb, rule in PRECONDITION_RULES.items():
        with pytest.raises(BlockedBy) as err:
            require(_inv(verb, 1))
        assert err.value.rule == rule
        assert blocked_by(str(err.value)) == (True, rule)
    with pytest.raises(BlockedBy, match="^blocked by add.creates-ifname: "):
        require(_inv("ADD", 0), rule="add.creates-ifname")  # exit 0 without a result object
    ok = _inv("DEL", 0)
    assert require(ok) is ok


def test_blocked_by_reads_skip_reasons():
    assert blocked_by("blocked by gc.succeeds: GC failed") == (True, "gc.succeeds")
    assert blocked_by("blocked: CHECK already timed out after 5s") == (True, None)
    assert blocked_by("not applicable: needs spec 1.1.0") == (False, None)


def test_model_counts_blocked_apart():
    tests = [
        {"nodeid": "a", "rules": ["check.after-add-succeeds"], "version": "1.1.0", "outcome": "blocked", "blocked_by": "add.result.stdout"},
        {"nodeid": "b", "rules": ["del.idempotent"], "version": "1.1.0", "outcome": "blocked", "blocked_by": "add.result.stdout"},
        {"nodeid": "c", "rules": ["add.result.stdout"], "version": "1.1.0", "outcome": "fail"},
    ]
    run = model.derive({"versions": ["1.1.0"], "tests": tests})
    counts = run["verdicts"][0]["counts"]
    assert (counts["blocked"], counts["fail"], counts["pass"]) == (2, 1, 0)
    assert model.blocked(run) == {"add.result.stdout": 2}
    assert model.blocked_lines(run) == ["2 tests blocked by add.result.stdout"]
    assert "2 blocked" in model.counts_text(counts)


def test_failed_add_blocks_check_del_and_gc(tmp_path):
    ref = reference("bridge")  # builds reference_plugins/bin, which the faulty wrapper runs; its host-local is the IPAM
    report = tmp_path / "report.json"
    suites = [str(SUITES / f) for f in ("test_smoke.py", "test_results.py", "test_add.py", "test_check.py", "test_delete.py", "test_gc_status.py")]
    run = run_suite(FAULTY / "faulty" / "add-always-fails" / "bridge", *suites, "--cni-version=1.1.0", f"--cni-report={report}",
                    cni_path=str(ref.parent))
    doc = json.loads(report.read_text())
    (result,) = doc["runs"]
    tests = result["tests"]
    findings = [t for t in tests if t["outcome"] in ("fail", "warning", "error")]
    assert findings, run
    strays = [(t["nodeid"], t["rules"], t["outcome"]) for t in findings if not set(t["rules"]) <= ADD_RULES]
    assert not strays, f"a failed ADD must fail only ADD's own rules; also reported: {strays}\n{run!r}"
    by_name = {t["nodeid"].split("::")[-1]: t for t in tests}
    must_block = ["test_check_succeeds_right_after_add[1.1.0]", "test_check_fails_without_the_interface[1.1.0]",
                  "test_successful_check_prints_nothing[1.1.0]", "test_del_twice[1.1.0]", "test_del_removes_the_interface[1.1.0]",
                  "test_gc_keeps_valid_attachments[1.1.0]", "test_gc_releases_stale_attachments[1.1.0]",
                  "test_reported_macs_are_real[1.1.0]", "test_operations_without_status[1.1.0]",
                  "test_add_honours_cni_ifname[1.1.0]"]  # smoke's own tests of these rules give way to the suites'
    assert not any(t["nodeid"].endswith("test_add_reports_the_real_mac[1.1.0]") for t in tests)
    for name in must_block:
        t = by_name[name]
        assert (t["outcome"], t["blocked_by"]) == ("blocked", "add.result.stdout"), (name, t["outcome"], t["message"])
    # tests that need no ADD still judge the plugin (DEL without ADD, GC on its own)
    for name in ("test_del_without_add[1.1.0]", "test_gc_succeeds[1.1.0]"):
        assert by_name[name]["outcome"] == "pass", (name, by_name[name]["message"])
    assert result["verdicts"][0]["counts"]["blocked"] >= len(must_block)
    assert "blocked by add.result.stdout" in run.output, run



def test_gc_pair_tests_not_applicable_to_a_one_device_profile():
    """host-device's profile holds one device: the GC tests that need two live attachments
    are not applicable to it (a skip with the reason), never an ERROR at setup."""
    ref = reference("bridge")  # any plugin that speaks 1.1.0: the tests are decided at collection
    names = ("test_gc_keeps_valid_attachments", "test_gc_releases_stale_attachments", "test_gc_reads_valid_attachments_key")
    run = run_suite(ref, str(SUITES / "test_gc_status.py"), "--cni-profile=host-device", "--cni-version=1.1.0",
                    "-k", " or ".join(names), cni_path=str(ref.parent))
    for name in names:
        outcome, msg = run.outcomes[f"{name}[1.1.0]"]
        assert outcome == "skipped" and msg.startswith("not applicable: needs several live attachments"), (name, run)


def test_code_tests_are_blocked_by_the_refusal_rule():
    """A plugin that accepts a config without a name (config.name.required, SHOULD) is not
    failed under error.code.invalid-config (MUST): that test has no refusal to read a code from."""
    require_go("host-local")
    run = run_suite(FAULTY / "faulty" / "name-not-required" / "host-local", str(SUITES / "test_errors.py"),
                    "--cni-version=1.0.0", "-k", "test_invalid_config_code_7")
    outcome, msg = run.outcomes["test_invalid_config_code_7[1.0.0-missing]"]
    assert outcome == "skipped" and msg.startswith("blocked by config.name.required"), run
    assert not run.failed(), run
