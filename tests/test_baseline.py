"""Baselines and waivers: known findings do not fail, new ones do, fixed ones are announced.

The small SUITE of test_report.py is run at one spec version against
tests/plugins/lying-mac installed as `bridge` (its MUST-level kernel check
fails) and against Debian's Go bridge (it passes), with --cni-baseline and
--cni-waivers.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cnitest.report import identity, load
from cnitest.report.gate import read_waivers

from .conftest import require_go
from .test_report import SUITE, lying_bridge

VERSION = "1.0.0"


def run(tmp: Path, plugin: Path, name: str, *extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """SUITE against `plugin` at one version; returns the process and the JSON report (HTML and .md beside it)."""
    suite = tmp / "suite"
    suite.mkdir(exist_ok=True)
    (suite / "test_sample.py").write_text(SUITE)
    out = tmp / f"{name}.json"
    cmd = [sys.executable, "-m", "pytest", str(suite), f"--cni-plugin={plugin}", "--cni-path=/usr/lib/cni", f"--cni-version={VERSION}",
           "-p", "no:cacheprovider", "-p", "no:xdist", f"--basetemp={tmp / ('bt-' + name)}", "-rx",
           *(f"--cni-report={out.with_suffix(s)}" for s in (".json", ".html", ".md")), *extra]
    return subprocess.run(cmd, cwd=tmp, check=False, capture_output=True, text=True, timeout=300), out


def kernel_test(path: Path) -> dict:
    return next(t for t in load(path)["runs"][0]["tests"] if t["name"] == "test_result_matches_kernel")


@pytest.fixture(scope="module")
def lying(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the lying plugin, the report of a run without a baseline)."""
    tmp = tmp_path_factory.mktemp("lying")
    plugin = lying_bridge(tmp)
    proc, out = run(tmp, plugin, "plain")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert kernel_test(out)["outcome"] == "fail" and kernel_test(out)["identity"]
    return plugin, out


def test_known_finding_does_not_fail(lying, tmp_path):
    plugin, baseline = lying
    proc, out = run(tmp_path, plugin, "again", f"--cni-baseline={baseline}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "known (baseline)" in proc.stdout
    t = kernel_test(out)
    assert t["outcome"] == "fail" and t["gate"] == {"status": "known"}  # the real outcome is kept
    assert load(out)["runs"][0]["gate"]["known"] == 2  # the MUST failure and the SHOULD warning
    assert "known (baseline)" in out.with_suffix(".md").read_text() and "known (baseline)" in out.with_suffix(".html").read_text()


def test_new_finding_fails_and_fixed_one_is_announced(lying, tmp_path):
    plugin, lying_report = lying
    proc, clean = run(tmp_path, require_go("bridge"), "clean", "-k", "not should_level")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the lying plugin against the clean baseline: its finding is new
    proc, out = run(tmp_path, plugin, "new", f"--cni-baseline={clean}")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert kernel_test(out)["gate"] == {"status": "new"}
    assert "new: " in proc.stdout
    # the Go bridge against the lying baseline: the finding is fixed
    proc, out = run(tmp_path, require_go("bridge"), "fixed", f"--cni-baseline={lying_report}", "-k", "not should_level")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fixed = load(out)["runs"][0]["gate"]["fixed"]
    assert fixed == [kernel_test(lying_report)["identity"]]
    assert "fixed: " + fixed[0] in proc.stdout
    assert "fixed" in out.with_suffix(".md").read_text()


def _waivers(tmp: Path, rule: str, expires: str) -> Path:
    path = tmp / "waivers.toml"
    path.write_text(f'[[waiver]]\nrule = "{rule}"\nreason = "the MAC is fixed in v2, see #7"\n{expires}\n')
    return path


def test_waived_finding_is_shown_with_its_reason(lying, tmp_path):
    plugin, baseline = lying
    rule = kernel_test(baseline)["rules"][0]
    proc, out = run(tmp_path, plugin, "waived", f"--cni-waivers={_waivers(tmp_path, rule.split('.')[0] + '.*', 'expires = 2999-01-01')}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    reason = "the MAC is fixed in v2, see #7"
    assert kernel_test(out)["gate"]["waiver"]["reason"] == reason
    assert kernel_test(out)["gate"]["status"] == "waived"
    assert reason in proc.stdout
    assert reason in out.with_suffix(".html").read_text()
    assert reason in out.with_suffix(".md").read_text()
    assert json.loads(out.read_text())["runs"][0]["gate"]["waivers"][0]["matched"] >= 1  # the glob may match the SHOULD rule too


def test_expired_waiver_fails_the_run(lying, tmp_path):
    plugin, baseline = lying
    rule = kernel_test(baseline)["rules"][0]
    proc, out = run(tmp_path, plugin, "expired", f"--cni-waivers={_waivers(tmp_path, rule, 'expires = 2001-01-01')}", "-k", "kernel")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"waiver '{rule}' expired on 2001-01-01" in proc.stdout
    assert load(out)["runs"][0]["gate"]["waivers"][0]["expired"] is True


def test_bad_waiver_file_is_a_usage_error(tmp_path):
    bad = tmp_path / "w.toml"
    bad.write_text("[[waiver]\nrule=")
    proc = subprocess.run([sys.executable, "-m", "pytest", "--co", "-p", "no:cacheprovider", f"--cni-waivers={bad}", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "--cni-waivers" in line]
    assert len(errors) == 1 and "not TOML" in errors[0], proc.stderr


def test_read_waivers_checks_entries(tmp_path):
    path = tmp_path / "w.toml"
    path.write_text('[[waiver]]\nrule = "a.*"\nreason = "r"\nexpires = "2030-02-03"\n[[waiver]]\nrule = "b"\nreason = "s"\n')
    got = read_waivers(path)
    assert [(w.rule, w.reason, str(w.expires)) for w in got] == [("a.*", "r", "2030-02-03"), ("b", "s", "None")]
    path.write_text('[[waiver]]\nrule = "a"\n')
    with pytest.raises(ValueError, match="reason"):
        read_waivers(path)


def test_identity_survives_noise():
    a = {"nodeid": "/x/suites/test_add.py::test_mac[1.0.0]", "version": "1.0.0", "rules": ["r.b", "r.a"],
         "message": "veth1a2b3c4d has 0a:58:0a:f4:00:05 not 12:34:56:78:9a:bc in /proc/123/fd/7 cnitest-00120003\n after 0.31 s at /tmp/pytest-of-root/x"}
    b = {"nodeid": "suites/test_add.py::test_mac[1.0.0]", "version": "1.0.0", "rules": ["r.a", "r.b"],
         "message": "vethffee0011 has 0a:58:0a:f4:00:09 not 12:34:56:78:9a:00 in /proc/9/fd/12 cnitest-77770001 after 2.5 s at /tmp/other"}
    assert identity.identity(a) == identity.identity(b)
    assert identity.identity(a).startswith("r.a,r.b @ 1.0.0 | test_add.py::test_mac | ")
    assert identity.identity({**b, "message": "10.1.0.3 is missing"}) != identity.identity({**b, "message": "10.1.0.4 is missing"})
    assert identity.normalize("the MAC differs\nassert not ['x'] + where {'PATH': '/a'}") == "the MAC differs"
    assert identity.test_key("s/t.py::f[1.0.0-bad-name]", "1.0.0") == "t.py::f[bad-name]"


def _write(tmp: Path, name: str, doc: dict) -> Path:
    path = tmp / name
    path.write_text(json.dumps(doc))
    return path


def test_report_diff(lying, tmp_path, capsys):
    from cnitest import cli

    _, old_path = lying
    old = load(old_path)
    tests = old["runs"][0]["tests"]
    kernel = next(t for t in tests if t["name"] == "test_result_matches_kernel")
    warn = next(t for t in tests if t["outcome"] == "warning")
    # noise only: the same findings
    noisy = json.loads(json.dumps(old))
    for t in noisy["runs"][0]["tests"]:
        if t["message"]:
            t["message"] = re.sub(r"cnitest-\d{8}", "cnitest-99990000", re.sub(r"(?:[0-9a-f]{2}:){5}[0-9a-f]{2}", "02:00:00:00:00:01", t["message"]))
    assert cli.main(["report", "diff", str(old_path), str(_write(tmp_path, "noisy.json", noisy))]) == 0
    assert capsys.readouterr().out.startswith("appeared: 0, disappeared: 0, changed level: 0")
    # the failure disappears and the warning becomes a failure
    new = json.loads(json.dumps(old))
    for t in new["runs"][0]["tests"]:
        if t["nodeid"] == kernel["nodeid"]:
            t["outcome"], t["message"] = "pass", None
        if t["nodeid"] == warn["nodeid"]:
            t["outcome"] = "fail"
    assert cli.main(["report", "diff", str(old_path), str(_write(tmp_path, "new.json", new))]) == 0
    out = capsys.readouterr().out
    assert "disappeared: 1" in out and "changed level: 1" in out and f"~ warning -> fail: {warn['rules'][0]}" in out
    # the other way round the failure appears: exit 1
    assert cli.main(["report", "diff", str(tmp_path / "new.json"), str(old_path)]) == 1
    assert "appeared:\n  + fail: " in capsys.readouterr().out
    # not a report: a usage error, one line
    assert cli.main(["report", "diff", str(old_path), str(_write(tmp_path, "bad.json", {"format": "x"}))]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a cnitest-report/1 report" in err
