"""Hostile output never crashes the harness: each plugin in tests/plugins/hostile-output/
prints one thing a parser or a report writer could choke on, and the harness turns
it into a readable finding (issue #9, item 5)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cnitest.runner import MAX_DEPTH, Runner, nesting_depth, parse_stdout

from .conftest import FAULTY, SUITES, faulty, require_go, run_suite

HOSTILE = FAULTY / "hostile-output"


def hostile(name: str) -> Path:
    require_go("host-local")
    return HOSTILE / name / "host-local"


def add(sandbox, name):
    conf = {"cniVersion": "1.0.0", "name": "n", "ipam": {"type": "host-local", "subnet": "10.1.0.0/24"}}
    return Runner(hostile(name), sandbox, timeout=10).invoke("ADD", conf)


@pytest.mark.parametrize("data", [b"[" * 1_000_000, b"[" * 1_000_000 + b"]" * 1_000_000, b'{"a":' * 100_000])
def test_deep_nesting_is_an_output_problem(data):
    doc, problems = parse_stdout(data)
    assert doc is None and problems == [problems[0]]
    assert f"nests JSON deeper than {MAX_DEPTH} levels" in problems[0]


def test_brackets_inside_strings_do_not_count():
    assert nesting_depth('{"a": "[[[[[[", "b": "\\"[[["}') == 1
    assert parse_stdout(b'{"a": "' + b"[" * 1000 + b'"}') == ({"a": "[" * 1000}, [])


@pytest.mark.parametrize("text", [b'{"a": NaN}', b"[Infinity]", b'{"x": -Infinity}', b"[1e999]", b"[" + b"7" * 5000 + b"]"])
def test_non_json_numbers_are_not_json(text):
    doc, problems = parse_stdout(text)
    assert doc is None and len(problems) == 1 and "stdout is not JSON" in problems[0], problems


def test_nested_add_is_a_readable_finding(sandbox):
    inv = add(sandbox, "nested-json-add")
    assert not inv.succeeded and inv.result is None
    assert any("nests JSON deeper" in p for p in inv.problems)
    text = inv.describe()
    assert "nests JSON deeper" in text and len(text) < 5000, len(text)
    assert inv.schema_errors == [] and repr(inv)


def test_nan_result_is_not_passed_on(sandbox):
    inv = add(sandbox, "nan-result")
    assert not inv.succeeded and inv.result is None
    assert any("NaN is not a JSON value" in p for p in inv.problems), inv.problems


def test_lone_surrogate_error_is_kept_and_described(sandbox):
    inv = add(sandbox, "lone-surrogate")
    assert inv.failed_cleanly and "\ud800" in inv.error.msg
    inv.describe().encode("utf-8", "backslashreplace")


def test_signal_and_timeout_in_words(sandbox):
    crash = Runner(faulty("crash"), sandbox).invoke("ADD", {"cniVersion": "1.0.0", "name": "n"})
    assert "killed by signal SIGSEGV" in crash.describe()
    hang = Runner(faulty("hang"), sandbox, timeout=0.5).invoke("ADD", {"cniVersion": "1.0.0", "name": "n"})
    assert "killed by the harness after the 0.5 s timeout" in hang.describe()
    assert "exit None" not in hang.describe() and "exit -9" not in hang.describe()


def _reports(tmp_path):
    return [tmp_path / f"r.{ext}" for ext in ("html", "md", "json")]


def _assert_reports(paths):
    for path in paths:
        assert path.is_file() and path.stat().st_size > 0, path
    json.loads(paths[-1].read_text())


@pytest.mark.parametrize("name, words", [
    ("nested-json-add", "nests JSON deeper"),
    ("nan-result", "is not a JSON value"),
    ("lone-surrogate", "ud800"),
])
def test_suite_reports_the_finding_without_crashing(tmp_path, name, words):
    paths = _reports(tmp_path)
    run = run_suite(hostile(name), str(SUITES / "test_smoke.py"), "--cni-version=1.0.0", *(f"--cni-report={p}" for p in paths))
    assert run.returncode == 1, run
    assert "Traceback" not in run.output and "INTERNALERROR" not in run.output, run
    assert any(words in msg for msg in run.failed().values()), run
    _assert_reports(paths)
    assert words in paths[0].read_text() or words in paths[1].read_text()


@pytest.mark.parametrize("name", ["nested-json-version", "version-non-string"])
def test_bad_version_answer_is_a_finding_not_a_collection_error(tmp_path, name):
    paths = _reports(tmp_path)
    run = run_suite(hostile(name), str(SUITES / "test_version.py"), str(SUITES / "test_smoke.py"),
                    *(f"--cni-report={p}" for p in paths))
    assert run.returncode in (0, 1), run
    assert "RecursionError" not in run.output and "TypeError" not in run.output and "INTERNALERROR" not in run.output, run
    assert run.outcomes and not any("collection" in n for n in run.outcomes), run
    _assert_reports(paths)


def test_exec_prints_a_lone_surrogate(tmp_path):
    conf = tmp_path / "conf.json"
    conf.write_text(json.dumps({"cniVersion": "1.0.0", "name": "n", "ipam": {"type": "host-local", "subnet": "10.1.0.0/24"}}))
    done = subprocess.run([sys.executable, "-m", "cnitest.cli", "exec", "ADD", str(hostile("lone-surrogate")), "--config", str(conf), "--new-netns"],
                          capture_output=True, text=True, errors="replace", timeout=60)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "ud800" in done.stdout, done


@pytest.mark.parametrize("result", [
    {"interfaces": 5, "ips": "10.0.0.2/24", "routes": 7},
    {"interfaces": [1, None], "ips": [{"address": 3}, {"address": "10.0.0.2/24", "gateway": 4, "interface": "0"}], "routes": [{"dst": 1}]},
    {"ip4": {"ip": "10.0.0.2/24", "routes": 3, "gateway": []}},
    [1, 2],
])
def test_checks_tolerate_fields_of_the_wrong_type(sandbox, result):
    from cnitest import checks

    snap = sandbox.snapshot()
    assert isinstance(checks.kernel_mismatches(result, snap, "eth0", "/x"), list)
    checks.addresses_of(result)


def test_ipam_property_suite_leaves_no_file_in_the_working_directory(tmp_path):
    """pytest runs in an empty directory; after the IPAM property suite it is still empty (no .hypothesis/)."""
    import os
    import tempfile

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    with tempfile.TemporaryDirectory(prefix="cnitest-cwd-") as work:
        done = subprocess.run([sys.executable, "-m", "pytest", f"--cni-plugin={require_go('host-local')}", "--cni-path=/usr/lib/cni",
                               "-q", "-p", "no:cacheprovider", f"--basetemp={tmp_path}/t", "--cni-version=1.0.0",
                               str(SUITES / "test_ipam_properties.py"), "-k", "invalid_ipam_config"],
                              cwd=work, capture_output=True, text=True, timeout=300, env=env)
        left = sorted(p.name for p in Path(work).iterdir())
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert left == [], left


@pytest.mark.parametrize("name, expected", [("nested-json-version", None), ("version-non-string", ["0.4.0", "1.0.0"])])
def test_version_is_asked_once_and_read_safely(monkeypatch, name, expected):
    """Target.versions() asks VERSION once, whatever the answer, and ignores entries that are not strings."""
    from cnitest import versions
    from cnitest.options import Settings
    from cnitest.target import Target

    target = Target.from_settings(Settings(plugin=hostile(name), cni_path=["/usr/lib/cni"]))
    asked = []
    real = target._ask_versions
    monkeypatch.setattr(target, "_ask_versions", lambda: asked.append(1) or real())
    first = target.versions()
    assert target.versions() == first and len(asked) == 1
    assert first == (expected or [versions.LATEST])  # no usable list: the default config's version only (Target.config_versions)
    answer = target.version_answer
    assert answer is not None
    if expected is None:
        assert any("nests JSON deeper" in p for p in answer.problems), answer.problems


@pytest.mark.parametrize("config, expected", [
    ({"cniVersion": "0.4.0", "name": "n", "type": "host-local", "subnet": "10.1.0.0/24"}, ["0.4.0"]),
    ({"cniVersion": "0.4.0", "name": "n", "plugins": [{"type": "host-local", "subnet": "10.1.0.0/24"}]}, ["0.4.0"]),
    (None, None),
])
def test_failed_version_tests_only_the_configured_versions(tmp_path, config, expected):
    """When VERSION gives no list, the versions tested are the ones the configuration names
    (a config file's cniVersion; the built-in profile's config: the version VERSION was asked at)."""
    from cnitest import versions
    from cnitest.options import Settings
    from cnitest.target import Target

    path = None
    if config is not None:
        path = tmp_path / "conf.json"
        path.write_text(json.dumps(config))
    target = Target.from_settings(Settings(plugin=hostile("nested-json-version"), cni_path=["/usr/lib/cni"], config=path))
    assert target.versions() == (expected or [versions.LATEST])
    assert target.versions_why.startswith("the plugin's VERSION call gave no usable supportedVersions"), target.versions_why


def test_failed_version_is_reported_and_narrows_the_run():
    """A run whose VERSION call fails tests one version, not every known one, and says why."""
    from cnitest import versions

    run = run_suite(hostile("nested-json-version"), str(SUITES / "test_version.py"), "-k", "test_version_result_shape")
    assert set(run.outcomes) == {f"test_version_result_shape[{versions.LATEST}]"}, run
    assert run.outcomes[f"test_version_result_shape[{versions.LATEST}]"][0] == "failed", run  # the VERSION failure itself
    assert f"cnitest: tested at {versions.LATEST}: the plugin's VERSION call gave no usable supportedVersions" in run.output, run
