"""The `cnitest` command, and the CI files shipped for plugin authors."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cnitest import cli, report

from .conftest import require_go
from .test_report import SUITE

ROOT = Path(__file__).resolve().parent.parent


def bridge_conf(tmp: Path, version: str = "1.0.0") -> Path:
    conf = {
        "cniVersion": version,
        "name": "cli-test",
        "type": "bridge",
        "bridge": "clibr0",
        "isGateway": True,
        "ipam": {"type": "host-local", "subnet": "10.77.0.0/24", "dataDir": str(tmp / "ipam")},
    }
    path = tmp / "conf.json"
    path.write_text(json.dumps(conf))
    return path


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cnitest.cli", *args], check=False, capture_output=True, text=True, timeout=300, cwd=cwd)


def test_exec_add_new_netns_shows_result_and_container(tmp_path):
    plugin = require_go("bridge")
    proc = run_cli("exec", "ADD", str(plugin), "--config", str(bridge_conf(tmp_path)), "--new-netns")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "exit 0" in out
    assert "valid: a well-formed 1.0.0 result document" in out
    assert '"ips"' in out and "10.77.0.2/24" in out
    container = out.split("container namespace after ADD:", 1)[1]
    assert "eth0" in container and "10.77.0.2/24" in container
    assert "vanishes at exit" in out


def test_exec_explains_error_codes(tmp_path):
    plugin = require_go("bridge")
    conf = bridge_conf(tmp_path)
    doc = json.loads(conf.read_text())
    doc["cniVersion"] = "0.0.7"  # a version the plugin does not support: code 1
    conf.write_text(json.dumps(doc))
    proc = run_cli("exec", "ADD", str(plugin), "--config", str(conf), "--new-netns")
    assert proc.returncode == 1
    assert "error code 1: Incompatible CNI version" in proc.stdout


def test_exec_version_needs_no_netns(tmp_path):
    proc = run_cli("exec", "version", str(require_go("bridge")), "--config", str(bridge_conf(tmp_path)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "supportedVersions" in proc.stdout and "valid: a well-formed" in proc.stdout


def test_explain_code_table():
    assert cli.explain_code(7).startswith("Invalid network config")
    assert "plugin-specific" in cli.explain_code(123)
    assert "reserved" in cli.explain_code(42)
    assert "STATUS" in cli.explain_code(50) and "STATUS" in cli.explain_code(51)


@pytest.mark.parametrize(
    "args, message",
    [
        (["exec", "ADD", "/usr/lib/cni/bridge", "--config", "{conf}"], "--netns PATH or --new-netns"),
        (["exec", "ADD", "/nonexistent/plugin", "--config", "{conf}", "--new-netns"], "no such file"),
        (["exec", "ADD", "/usr/lib/cni/bridge", "--config", "/nonexistent.json", "--new-netns"], "--config /nonexistent.json"),
        (["exec", "ADD", "/usr/lib/cni/bridge", "--config", "{conf}", "--new-netns", "--cni-version", "9.9.9"], "unknown"),
        (["exec", "FROB", "/usr/lib/cni/bridge", "--config", "{conf}"], "invalid choice"),
        (["exec", "ADD", "/usr/lib/cni/bridge", "--config", "{conf}", "--netns", "/x", "--new-netns"], "not allowed with"),
        (["exec", "ADD", "/usr/lib/cni/bridge", "--config", "{conf}", "--new-netns", "--bogus"], "unrecognized arguments"),
        (["exec", "ADD", "/usr/lib/cni/bridge", "--config", "{conf}", "--netns", "/nonexistent/ns"], "--netns /nonexistent/ns: no such file"),
        (["exec", "ADD", "/usr/lib/cni/bridge", "--config", "{conf}", "--new-netns", "--valid-attachment", "a/eth0"], "is for GC"),
        (["exec", "GC", "/usr/lib/cni/bridge", "--config", "{conf}", "--valid-attachment", "a"], "expected CONTAINERID/IFNAME"),
        (["exec", "GC", "/usr/lib/cni/bridge", "--config", "{conf}", "--valid-attachment", "a/b/c"], "expected CONTAINERID/IFNAME"),
        (["exec", "GC", "--config", "{conf}"], "give VERB, PLUGIN and --config"),
        (["exec", "--cleanup", "/tmp"], "--cleanup: '/tmp' is not a namespace name"),
        (["exec", "--cleanup", ".."], "is not a namespace name"),
        (["exec", "VERSION", "/usr/lib/cni/bridge", "--config", "{conf}", "--host-netns", "a/b"], "--host-netns: 'a/b' is not"),
        (["exec", "GC", "--config", "{list}"], "give --cni-path DIRS (or PLUGIN)"),
        (["exec", "GC", "/nonexistent/dir", "--config", "{list}"], "PLUGIN /nonexistent/dir: no such file or directory"),
        (["exec", "GC", "--config", "{list}", "--cni-path", "/nonexistent"], "plugin type 'bridge' not found in CNI_PATH /nonexistent"),
        (["exec", "VERSION", "--config", "{list}", "--cni-path", "/usr/lib/cni"], "VERSION asks one plugin"),
        (["exec", "ADD", "--config", "{list}", "--cni-path", "/usr/lib/cni", "--new-netns", "--prev-result", "{conf}"], "for CHECK and DEL"),
        (["exec", "GC", "--config", "{badlist}", "--cni-path", "/usr/lib/cni"], "'name' must be a non-empty string"),
        (["exec", "STATUS", "--config", "{list}", "--cni-path", "/usr/lib/cni", "--prev-result", "/nonexistent.json"], "--prev-result /nonexistent.json"),
        (["run"], "the following arguments are required: PLUGIN"),
        (["explain"], "the following arguments are required: RULE"),
        (["rules", "extra"], "unrecognized arguments: extra"),
        (["plugins-dir", "extra"], "unrecognized arguments: extra"),
        (["report", "merge", "{conf}"], "the following arguments are required: -o/--output"),
        (["report", "diff", "{conf}"], "the following arguments are required: NEW.json"),
        (["report", "bogus"], "invalid choice"),
        (["run", "/nonexistent/plugin"], "no such file"),
        (["run", "/usr/lib/cni/bridge", "--report", "out.txt"], "extension"),
        (["report", "merge", "{conf}", "-o", "x.html"], "not a cnitest-report/1 report"),
        (["report", "merge", "{conf}", "-o", "x.pdf"], "extension"),
        (["report"], "give a subcommand"),
        (["nonsense"], "invalid choice"),
        ([], "give a command"),
        (["exec", "ADD", "/usr/lib/cni/bridge", "--config", "{conf}", "--new-netns", "--timeout", "x"], "invalid float"),
        (["exec", "ADD", "/usr/lib/cni/bridge", "--config", "{conf}", "--new-netns", "--timeout", "0"], "positive"),
        (["--bogus"], "unrecognized arguments"),
        (["exec", "ADD", "/usr/lib/cni/bridge"], "give VERB, PLUGIN and --config"),
        (["exec", "ADD", "/usr/lib/cni/bridge", "--config", "{conf}", "--new-netns", "--args", "novalue"], "expected K=V"),
        (["exec", "ADD", "/usr/lib/cni/bridge", "--config", "{conf}", "--new-netns", "--cap-args", "{"], "not JSON"),
        (["exec", "ADD", "/usr/lib/cni/bridge", "--config", "{conf}", "--new-netns", "--runtime-config", "[]"], "not a JSON object"),
        (["explain", "del.idempotnt"], "unknown rule id"),
        (["rules", "--level", "SOMETIMES"], "invalid choice"),
        (["rules", "--version", "9.9"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_4_with_one_line(tmp_path, capsys, args, message):
    conf = str(bridge_conf(tmp_path))
    files = {"{conf}": conf, "{list}": str(tmp_path / "net.conflist"), "{badlist}": str(tmp_path / "bad.conflist")}
    single = json.loads(Path(conf).read_text())
    Path(files["{list}"]).write_text(json.dumps({"cniVersion": "1.0.0", "name": "cli-list", "plugins": [single]}))
    Path(files["{badlist}"]).write_text(json.dumps({"cniVersion": "1.0.0", "plugins": [single]}))
    assert cli.main([files.get(a, a) for a in args]) == 4
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("cnitest"), captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    "option",
    ["--cni-plugin=/nonexistent", "--cni-version=9.9", "--cni-timeout=abc", "--cni-timeout=-1", "--cni-timeout=nan",
     "--cni-config=/nonexistent.json", "--cni-hypothesis-profile=bogus"],
)
def test_bad_pytest_options_exit_4_with_one_line(tmp_path, option):
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", option, str(tmp_path)],
                          check=False, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and option.split("=")[0] in lines[0], proc.stderr


def test_version_prints_only_the_version(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.strip() == importlib.metadata.version("cnitest")


def test_closed_stdout_pipe_ends_quietly(tmp_path):
    plugin = require_go("bridge")
    cmd = f"{sys.executable} -m cnitest.cli exec VERSION {plugin} --config {bridge_conf(tmp_path)} | head -c 1"
    proc = subprocess.run(["bash", "-c", cmd], check=False, capture_output=True, text=True, timeout=60)
    assert proc.stdout == "V"
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("command", [[], ["run"], ["exec"], ["plugins-dir"], ["report"], ["report", "merge"]])
def test_help_has_examples(capsys, command):
    with pytest.raises(SystemExit) as exc:
        cli.main([*command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out and "usage: cnitest" in out


def test_no_command_is_a_usage_error(capsys):
    assert cli.main([]) == 4
    assert "give a command" in capsys.readouterr().err


def test_rules_lists_and_filters(capsys):
    from cnitest import rules

    assert cli.main(["rules"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(rules.RULES)
    assert cli.main(["rules", "--version", "0.3.1", "--kind", "ipam", "--level", "should"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(" SHOULD " in line for line in lines)
    assert not any(line.startswith("del.idempotent ") for line in lines)


def test_explain_names_section_levels_notes_and_tests(capsys):
    assert cli.main(["explain", "del.idempotent"]) == 0
    out = capsys.readouterr().out
    assert "DEL: Remove container" in out and "1.0.0: MUST" in out and "0.4.0 asked" in out
    assert "test_delete.py::test_del_twice" in out


def test_plugins_dir(capsys):
    code = cli.main(["plugins-dir"])
    captured = capsys.readouterr()
    try:
        from cnitest.reference_plugins import plugins_dir  # type: ignore[attr-defined]  # noqa: F401
    except ImportError:
        assert code == 1 and "reference plugins are not available" in captured.err
        return
    assert code == 0
    path = Path(captured.out.strip())
    assert path.is_dir()


def test_run_passes_pytest_options_and_exit_code(tmp_path):
    require_go("bridge")
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_sample.py").write_text(SUITE)
    out = tmp_path / "r.json"
    proc = run_cli(
        "run", "/usr/lib/cni/bridge", "--report", str(out), "--", str(suite), "--cni-path=/usr/lib/cni", "--cni-version=1.0.0",
        "-k", "kernel or profile", "-p", "no:cacheprovider", f"--basetemp={tmp_path / 'bt'}", cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = report.load(out)
    assert [t["outcome"] for t in doc["runs"][0]["tests"]] == ["pass", "pass"]
    assert "spec 1.0.0" in proc.stdout


def test_report_merge(tmp_path):
    def run(name: str, outcome: str) -> dict:
        return {
            "plugin": {"path": f"/x/{name}", "name": name, "sha256": None, "profile": name, "kind": "interface", "version_answer": None},
            "harness_version": "0", "environment": {"kernel": "6"}, "date": "2026-01-01T00:00:00Z", "duration": 1.0,
            "options": {"versions": [], "strict": False, "workers": 0}, "versions": ["1.0.0"],
            "tests": [{"nodeid": f"t.py::t[{name}]", "name": "t", "rules": ["del.idempotent"], "profile_check": None, "version": "1.0.0",
                       "outcome": outcome, "message": "boom" if outcome == "fail" else None, "reproducer": None, "duration": 0.1}],
        }

    a, b = tmp_path / "a.json", tmp_path / "b.json"
    report.write(report.document([run("bridge", "pass")]), a)
    report.write(report.document([run("ptp", "fail")]), b)
    for ext in ("json", "html", "md"):
        out = tmp_path / f"all.{ext}"
        proc = run_cli("report", "merge", str(a), str(b), "-o", str(out))
        assert proc.returncode == 0, proc.stderr
        assert "merged 2 run(s)" in proc.stdout
    merged = report.load(tmp_path / "all.json")
    assert [r["plugin"]["name"] for r in merged["runs"]] == ["bridge", "ptp"]
    assert [r["verdicts"][0]["verdict"] for r in merged["runs"]] == ["conforms", "does-not-conform"]
    assert "does not conform" in (tmp_path / "all.md").read_text()
    assert "boom" in (tmp_path / "all.html").read_text()


# --- CI files ------------------------------------------------------------------


def vendored_schema(name: str) -> dict:
    """A JSON Schema vendored by check-jsonschema (installed, so nothing is fetched)."""
    pytest.importorskip("check_jsonschema", reason="check-jsonschema (test extra) is not installed")
    from importlib import resources

    return json.loads(resources.files("check_jsonschema.builtin_schemas.vendor").joinpath(name).read_text())


def load_yaml(path: Path) -> object:
    yaml = pytest.importorskip("ruamel.yaml", reason="ruamel.yaml comes with check-jsonschema")
    return yaml.YAML(typ="safe", pure=True).load(path.read_text())


@pytest.mark.parametrize(
    "path, schema",
    [(ROOT / ".github/workflows/tests.yml", "github-workflows.json"), (ROOT / "action.yml", "github-actions.json")],
)
def test_ci_files_match_published_schemas(path, schema):
    from jsonschema import Draft7Validator

    doc = load_yaml(path)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft7Validator(vendored_schema(schema)).iter_errors(doc)]
    assert not errors, errors


def test_action_inputs_and_steps():
    doc = load_yaml(ROOT / "action.yml")
    assert isinstance(doc, dict)
    assert set(doc["inputs"]) >= {"plugin", "cni-path", "config", "versions", "strict"}
    assert doc["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text()
    assert "actions/upload-artifact@" in text and "cnitest-report.html" in text and "cnitest-report.json" in text
    workflow = load_yaml(ROOT / ".github/workflows/tests.yml")
    assert isinstance(workflow, dict)
    steps = " ".join(str(s.get("run", "")) for s in workflow["jobs"]["tests"]["steps"])
    assert "containernetworking-plugins" in steps and "scripts/test" in steps and "sudo" in steps


def test_exec_add_check_del_in_three_processes(tmp_path):
    """A persistent host namespace and the result cache make ADD, CHECK, DEL work across calls;
    the DEL of the last attachment in the host namespace removes it (as --cleanup would)."""
    plugin = require_go("bridge")
    conf = str(bridge_conf(tmp_path))
    host, container = f"cnit-h{os.getpid()}", f"cnit-c{os.getpid()}"
    env = {**os.environ, "CNITEST_RESULTS_DIR": str(tmp_path / "results")}
    subprocess.run(["ip", "netns", "add", container], check=True)

    def cnitest_exec(verb: str, container_id: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cnitest.cli", "exec", verb, str(plugin), "--config", conf, "--netns",
                               f"/run/netns/{container}", "--ifname", f"eth-{container_id}", "--container-id", container_id,
                               "--host-netns", host, "--json", "--args", "IgnoreUnknown=1"],
                              check=False, capture_output=True, text=True, timeout=120, env=env)

    try:
        docs = {}
        for verb in ("ADD", "CHECK", "DEL"):
            proc = cnitest_exec(verb, "one")
            assert proc.returncode == 0, f"{verb}: {proc.stderr}"
            docs[verb] = json.loads(proc.stdout) if proc.stdout.strip() else None
            if verb != "ADD":
                assert "prevResult: the cached ADD result" in proc.stderr
            if verb == "ADD":  # a second attachment in the same host namespace
                assert cnitest_exec("ADD", "two").returncode == 0
        assert docs["ADD"]["ips"][0]["address"] == "10.77.0.2/24"
        assert docs["CHECK"] is None and docs["DEL"] is None
        assert Path(f"/run/netns/{host}").exists(), "attachment 'two' is still there: the host namespace stays"
        assert [p.name for p in (tmp_path / "results" / host).glob("*.json")] == ["cli-test-two-eth-two.json"], "DEL forgets its result"
        proc = cnitest_exec("DEL", "two")
        assert proc.returncode == 0, proc.stderr
        assert f"that was the last attachment in the host namespace {host}: removed /run/netns/{host}" in proc.stderr
        assert not Path(f"/run/netns/{host}").exists() and not (tmp_path / "results" / host).exists()
    finally:
        proc = subprocess.run([sys.executable, "-m", "cnitest.cli", "exec", "--cleanup", host],
                              check=False, capture_output=True, text=True, env=env)
        subprocess.run(["ip", "netns", "delete", container], check=False)
    assert proc.returncode == 0 and proc.stdout == "", "nothing was left for --cleanup"


def test_exec_cleanup_removes_the_host_namespace_and_its_cache(tmp_path):
    plugin = require_go("bridge")
    host = f"cnit-k{os.getpid()}"
    env = {**os.environ, "CNITEST_RESULTS_DIR": str(tmp_path / "results")}
    try:
        proc = subprocess.run([sys.executable, "-m", "cnitest.cli", "exec", "ADD", str(plugin), "--config", str(bridge_conf(tmp_path)),
                               "--new-netns", "--host-netns", host], check=False, capture_output=True, text=True, timeout=120, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "it stays until `cnitest exec --cleanup" in proc.stdout
    finally:
        proc = subprocess.run([sys.executable, "-m", "cnitest.cli", "exec", "--cleanup", host],
                              check=False, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [f"removed /run/netns/{host}", f"removed {tmp_path / 'results' / host}"]
    assert not Path(f"/run/netns/{host}").exists()


def test_exec_json_cap_args_and_runtime_config(tmp_path):
    plugin = require_go("bridge")
    doc = json.loads(bridge_conf(tmp_path).read_text())
    doc["capabilities"] = {"mac": True}
    conf = tmp_path / "caps.json"
    conf.write_text(json.dumps(doc))
    proc = run_cli("exec", "ADD", str(plugin), "--config", str(conf), "--new-netns", "--json",
                   "--cap-args", '{"mac": "c2:11:22:33:44:55", "ips": ["10.77.0.9/24"]}', "--runtime-config", '{"x": 1}')
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert "c2:11:22:33:44:55" in [i.get("mac") for i in result["interfaces"]]
    assert "CNI_COMMAND=ADD" in proc.stderr and "CNI_COMMAND" not in proc.stdout  # the rest went to stderr


def test_exec_gc_sends_the_valid_attachments(tmp_path):
    """GC of one plugin gets --valid-attachment under both keys (SPEC 1.1.0's cni.dev/attachments, libcni's cni.dev/valid-attachments)."""
    conf = tmp_path / "gc.json"
    conf.write_text(json.dumps({"cniVersion": "1.1.0", "name": "gcnet", "type": "echo-env"}))
    proc = run_cli("exec", "GC", str(ROOT / "tests" / "plugins" / "echo-env"), "--config", str(conf), "--json",
                   "--valid-attachment", "ctr1/eth0", "--valid-attachment", "ctr2/net1")
    assert proc.returncode == 1, proc.stderr  # echo-env always fails, printing what it got
    details = json.loads(proc.stdout)["details"]
    stdin = json.loads(details.split("stdin=", 1)[1].replace('\\"', '"'))
    expected = [{"containerID": "ctr1", "ifname": "eth0"}, {"containerID": "ctr2", "ifname": "net1"}]
    assert stdin["cni.dev/valid-attachments"] == stdin["cni.dev/attachments"] == expected
    assert "cmd=GC id= netns= ifname= " in details, "GC has no attachment parameters"
