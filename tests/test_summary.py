"""The terminal summary a plugin author acts on, and --cni-reproducers DIR.

A small suite runs in a subprocess against tests/plugins/faulty/check-always-fails
(the Go bridge whose CHECK fails with code 999 "something is wrong"): two rules
fail of that one cause, one rule passes, and two tests of the author's own (no
cni_rule marker) pass and fail.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cnitest import report
from cnitest.report import model

from .conftest import FAULTY, require_go

SUITE = '''
import pytest


def _add_check(cni, netconf, container_ns, cni_version):
    with cni.attach(netconf, container_ns, version=cni_version) as att:
        add = att.add()
        assert add.succeeded, add.describe()
        check = att.check()
        assert check.succeeded, f"CHECK right after ADD failed:\\n{check.describe()}"


@pytest.mark.cni_rule("check.after-add-succeeds")
def test_first_rule(cni, netconf, container_ns, cni_version):
    _add_check(cni, netconf, container_ns, cni_version)


@pytest.mark.cni_rule("check.uses-prevresult")
def test_second_rule(cni, netconf, container_ns, cni_version):
    _add_check(cni, netconf, container_ns, cni_version)


@pytest.mark.cni_rule("del.idempotent")
def test_passing_rule(cni, netconf, container_ns, cni_version):
    with cni.attach(netconf, container_ns, version=cni_version) as att:
        assert att.add().succeeded
        assert att.delete().succeeded
        assert att.delete().succeeded


def test_own_passes(cni_version):
    assert cni_version


def test_own_fails(cni, cni_version):
    inv = cni.invoke("VERSION", {"cniVersion": cni_version}, None, None, None)
    assert inv.result is None, "my own check: this plugin answers VERSION"
'''


def run(tmp: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    require_go("bridge")
    suite = tmp / "suite"
    suite.mkdir(exist_ok=True)
    (suite / "test_mine.py").write_text(SUITE)
    cmd = [sys.executable, "-m", "pytest", str(suite), f"--cni-plugin={FAULTY / 'faulty' / 'check-always-fails' / 'bridge'}",
           "--cni-path=/usr/lib/cni", "--cni-version=1.0.0", "-p", "no:cacheprovider", f"--basetemp={tmp / 'bt'}", *extra]
    return subprocess.run(cmd, cwd=tmp, check=False, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    tmp = tmp_path_factory.mktemp("summary")
    return run(tmp, f"--cni-reproducers={tmp / 'repro'}", f"--cni-report={tmp / 'r.json'}", f"--junitxml={tmp / 'junit.xml'}"), tmp


def summary_of(proc: subprocess.CompletedProcess[str]) -> str:
    return proc.stdout.split("cnitest: spec conformance", 1)[1].split("short test summary info", 1)[0]


def test_failed_rules_are_listed_with_the_plugin_error_and_one_cause(failing):
    proc, tmp = failing
    assert proc.returncode == 1, proc.stdout + proc.stderr
    text = summary_of(proc)
    lines = text.splitlines()
    verdict = next(i for i, line in enumerate(lines) if re.match(r"\s+spec 1\.0\.0\s+does not conform", line))
    fail = lines[verdict + 1]
    assert re.match(r"\s+FAIL check\.after-add-succeeds: CHECK: error code 999: something is wrong$", fail), text
    where = re.match(r"\s+reproducer: (\S+\.sh)$", lines[verdict + 2])
    assert where and Path(where.group(1)).is_file(), text
    assert re.match(r"\s+same cause: check\.uses-prevresult$", lines[verdict + 3]), text
    assert len(re.findall(r"^\s+FAIL ", text, re.MULTILINE)) == 2, text  # the two rules once; the own test's failure once
    assert re.search(r"your tests: 1 pass, 1 fail", text), text
    assert re.search(r"FAIL test_own_fails: my own check: this plugin answers VERSION$", text, re.MULTILINE), text
    assert "Invocation(" not in text


def test_reproducers_dir_holds_one_script_per_failure(failing):
    proc, tmp = failing
    scripts = sorted((tmp / "repro").iterdir())
    assert [p.name for p in scripts] == ["test_mine--test_first_rule_1.0.0.sh", "test_mine--test_own_fails_1.0.0.sh",
                                         "test_mine--test_second_rule_1.0.0.sh"], scripts
    assert all(p.stat().st_mode & 0o111 for p in scripts)
    doc = report.load(tmp / "r.json")
    run_ = doc["runs"][0]
    first = next(t for t in run_["tests"] if t["name"] == "test_first_rule")
    assert first["reproducer_file"] == str(tmp / "repro" / "test_mine--test_first_rule_1.0.0.sh")
    assert run_["own_tests"]["counts"]["fail"] == 1 and run_["own_tests"]["counts"]["pass"] == 1
    assert "+  where" not in first["message"] and "Invocation(" not in first["message"]
    assert model.cause(first) == ("CHECK", 999, "something is wrong")
    replay = subprocess.run(["bash", str(tmp / "repro" / "test_mine--test_first_rule_1.0.0.sh")], check=False,
                            capture_output=True, text=True, timeout=120)
    assert replay.returncode == 1, replay.stdout + replay.stderr


def test_a_failing_own_test_fails_a_conforming_run(tmp_path):
    proc = run(tmp_path, "-k", "passing_rule or own")
    text = summary_of(proc)
    assert re.search(r"spec 1\.0\.0\s+conforms\s+1 pass, 0 fail", text), text
    assert "your tests: 1 pass, 1 fail" in text
    assert proc.returncode == 1, text


def test_clean_message_drops_pytest_reprs():
    msg = "ADD failed:\nADD -> exit 1\nassert False\n +  where False = Invocation(verb='ADD', plugin='/p').succeeded"
    assert model.clean_message(msg) == "ADD failed:\nADD -> exit 1"
    assert model.clean_message("assert 1 == 2\n +  where 1 = f()") == "assert 1 == 2"
    assert model.clean_message("no introspection") == "no introspection"


def test_cause_groups_by_version_verb_code_and_message():
    def t(nodeid, version, verb, code, msg, outcome="fail"):
        return {"nodeid": nodeid, "version": version, "outcome": outcome, "rules": [nodeid], "message": f"error: code {code}: {msg}",
                "calls": [{"verb": "ADD", "exit_code": 0, "error": None}, {"verb": verb, "exit_code": 1, "error": {"code": code, "msg": msg}}]}
    tests = [t("a", "1.0.0", "CHECK", 7, "x"), t("b", "1.0.0", "CHECK", 7, "x"), t("c", "1.0.0", "CHECK", 7, "y"),
             t("d", "0.4.0", "CHECK", 7, "x"), t("e", "1.0.0", "DEL", 7, "x"),
             {"nodeid": "f", "version": "1.0.0", "outcome": "fail", "rules": ["f"], "message": "m", "calls": []},
             {**t("g", "1.0.0", "CHECK", 7, "x"), "message": "the machine changed"}]  # an error the message does not quote: no cause
    groups = [[x["nodeid"] for x in g] for g in model.cause_groups(tests)]
    assert groups == [["a", "b"], ["c"], ["d"], ["e"], ["f"], ["g"]]
    assert json.dumps(groups)


def test_reports_group_one_cause_and_show_the_error(failing):
    _, tmp = failing
    doc = report.load(tmp / "r.json")
    html = report.render(doc, "html")
    md = report.render(doc, "md")
    err = "CHECK: error code 999: something is wrong"
    assert html.count(f'<span class="perr">{err}</span>') == 2, "the verdict's list and the finding's summary line"
    assert "Same cause (the same call failed with the same error)" in html
    assert html.index("test_second_rule[1.0.0]") > html.index("Same cause")
    assert html.index('class="verdict') < html.index('id="finding-1-0"') < html.index('<table class="meta">') < html.index('<table class="matrix">')
    assert f"`check.after-add-succeeds` @ 1.0.0: {err}" in md and "Same cause" in md
    assert md.index("Failures and warnings") < md.index("Rules × versions")
    assert "your tests (no cni_rule)" in html and "your tests (no cni_rule)" in md


def test_junit_properties_are_json(failing):
    import xml.etree.ElementTree as ET

    _, tmp = failing
    props = [p for p in ET.parse(tmp / "junit.xml").iter("property") if p.get("name") == "cnitest"]
    assert props
    for p in props:
        data = json.loads(p.get("value"))  # JSON, not a Python repr
        assert isinstance(data, dict) and "rules" in data
    assert {json.loads(p.get("value"))["name"] for p in props} >= {"test_first_rule", "test_own_fails"}


def test_a_missing_ipam_plugin_is_a_setup_error_with_a_hint(tmp_path):
    """Without --cni-path the faulty bridge's directory holds no host-local: exit 4, one line, no verdict."""
    require_go("bridge")
    proc = subprocess.run([sys.executable, "-m", "pytest", f"--cni-plugin={FAULTY / 'faulty' / 'check-always-fails' / 'bridge'}",
                           "--cni-version=1.0.0", "-p", "no:cacheprovider"], cwd=tmp_path, check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "'host-local'" in lines[0] and "--cni-path=DIR" in lines[0], proc.stderr
    assert "does not conform" not in proc.stdout


@pytest.mark.parametrize("argv", [["report", "diff"], ["report", "diff", "a.json"], ["report", "diff", "a", "b", "c"], ["report", "diff", "--nope", "a", "b"]])
def test_report_diff_usage_errors_exit_4_with_one_line(argv, capsys):
    from cnitest import cli

    assert cli.main(argv) == 4
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("cnitest report diff: "), err


def test_cause_read_from_a_described_call_when_the_report_saw_no_calls():
    """The IPAM state machine's runner is its own: its failure's cause is read from describe()'s words."""
    from cnitest.runner import CniError, Invocation

    inv = Invocation(verb="CHECK", plugin="/p", env={}, stdin=b"{}", host_ns="h", cni_version="1.0.0", exit_code=1,
                     stdout=b'{"code": 999, "msg": "something is wrong"}', error=CniError(999, "something is wrong"))
    test = {"nodeid": "x", "outcome": "fail", "version": "1.0.0", "calls": [],
            "message": "IPAM invariant violated: CHECK of a live attachment succeeds\n" + inv.describe()}
    assert model.cause(test) == ("CHECK", 999, "something is wrong")
    assert model.plugin_error(test) == "CHECK: error code 999: something is wrong"
