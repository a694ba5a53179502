"""cnitest.conflist runs a conflist as libcni does (SPEC section 3), and `cnitest exec` runs one across calls.

The library tests use a recording runner (every config the list runner sends is
kept, each plugin answers as told); the command tests run real plugins: the Go
bridge+portmap+tuning through ADD, CHECK, GC and DEL in separate processes, and
the Python reference bridge at 1.1.0, whose GC reaches host-local.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from cnitest import conflist
from cnitest.conflist import AttachmentParams, CachedAttachment, NetworkList
from cnitest.runner import CniError, Invocation

from .conftest import require_go

# --- the library, with a recording runner --------------------------------------------


class Recorder:
    """A RunnerFor whose plugins answer as `answers[type]` says: a result dict, or an int error code."""

    def __init__(self, answers: Mapping[str, Any] | None = None, missing: tuple[str, ...] = ()) -> None:
        self.answers = dict(answers or {})
        self.missing = missing
        self.calls: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []  # (type, verb, config, call args)

    def __call__(self, plugin_type: str) -> Any:
        if plugin_type in self.missing:
            raise conflist.PluginNotFound(f"plugin type {plugin_type!r} not found")
        recorder = self

        class One:
            def invoke(self, verb: str, config: Any = None, container_ns: Any = None, ifname: Any = "eth0",
                       container_id: Any = "cnitest", cni_args: Any = None) -> Invocation:
                recorder.calls.append((plugin_type, verb, dict(config),
                                       {"netns": container_ns, "ifname": ifname, "id": container_id, "cni_args": cni_args}))
                answer = recorder.answers.get((plugin_type, verb), recorder.answers.get(plugin_type))
                inv = Invocation(verb, plugin_type, {}, json.dumps(config).encode(), "host", config.get("cniVersion"), exit_code=0)
                if isinstance(answer, int):
                    inv.exit_code = 1
                    inv.document = {"code": answer, "msg": f"{plugin_type} failed"}
                    inv.error = CniError(answer, f"{plugin_type} failed")
                elif verb == "ADD":
                    inv.document = inv.result = answer if answer is not None else {"cniVersion": config["cniVersion"], "from": plugin_type}
                return inv

        return One()

    def verbs(self) -> list[tuple[str, str]]:
        return [(t, v) for t, v, _, _ in self.calls]


def netlist(version: str = "1.0.0", **flags: Any) -> NetworkList:
    doc = {"cniVersion": version, "name": "net", **flags, "plugins": [
        {"type": "a", "capabilities": {"portMappings": True, "mac": False}, "runtimeConfig": {"stale": 1}, "cni.dev/x": 1},
        {"type": "b", "prevResult": {"bogus": True}},
        {"type": "c"},
    ]}
    return NetworkList.from_doc(doc)


PARAMS = AttachmentParams("ctr1", "eth0", "/run/netns/x", "K=V", {"portMappings": [{"hostPort": 1}], "mac": "c2:00:00:00:00:01"}, {})


def test_add_passes_each_result_on_and_keeps_the_last():
    rec = Recorder()
    run = conflist.add(netlist(), rec, PARAMS)
    assert run.ok and rec.verbs() == [("a", "ADD"), ("b", "ADD"), ("c", "ADD")]
    configs = [c for _, _, c, _ in rec.calls]
    assert "prevResult" not in configs[0], "the first ADD of a chain gets no prevResult"
    assert configs[1]["prevResult"] == {"cniVersion": "1.0.0", "from": "a"}  # not the config's own prevResult
    assert configs[2]["prevResult"] == {"cniVersion": "1.0.0", "from": "b"}
    assert run.result == run.document == {"cniVersion": "1.0.0", "from": "c"}
    assert all(c["name"] == "net" and c["cniVersion"] == "1.0.0" for c in configs)
    assert all(args == {"netns": "/run/netns/x", "ifname": "eth0", "id": "ctr1", "cni_args": "K=V"} for *_, args in rec.calls)


def test_request_config_derives_runtime_config_and_drops_reserved_keys():
    rec = Recorder()
    conflist.add(netlist(), rec, PARAMS)
    first = rec.calls[0][2]
    assert "capabilities" not in first, "spec 1.0.0: capabilities must be removed"
    assert first["runtimeConfig"] == {"portMappings": [{"hostPort": 1}]}, "only capabilities the plugin declares true"
    assert "cni.dev/x" not in first
    assert "runtimeConfig" not in rec.calls[1][2], "no capability declared: no runtimeConfig"


def test_add_halts_at_the_first_failure():
    rec = Recorder({"b": 7})
    run = conflist.add(netlist(), rec, PARAMS)
    assert not run.ok and rec.verbs() == [("a", "ADD"), ("b", "ADD")]
    assert run.result is None and run.document == {"code": 7, "msg": "b failed"}
    assert run.errors == ["b (plugins[1]): code 7: b failed"]


def test_a_missing_plugin_is_an_error_of_its_step():
    run = conflist.add(netlist(), Recorder(missing=("b",)), PARAMS)
    assert not run.ok and run.steps[1].invocation is None and "not found" in run.errors[0]


def test_check_in_order_with_the_cached_result():
    rec = Recorder()
    cached = {"cniVersion": "1.0.0", "final": True}
    run = conflist.check(netlist(), rec, PARAMS, cached)
    assert run.ok and rec.verbs() == [("a", "CHECK"), ("b", "CHECK"), ("c", "CHECK")]
    assert all(c["prevResult"] == cached for _, _, c, _ in rec.calls)


@pytest.mark.parametrize("flag", [True, "true", "True"])
def test_disable_check_calls_nothing_and_succeeds(flag):
    rec = Recorder()
    run = conflist.check(netlist(disableCheck=flag), rec, PARAMS, {"x": 1})
    assert run.ok and rec.calls == [] and "disableCheck" in (run.skipped or "")


def test_check_before_0_4_0_or_without_a_cached_result_is_refused():
    rec = Recorder()
    assert not conflist.check(netlist("0.3.1"), rec, PARAMS, {"x": 1}).ok
    assert not conflist.check(netlist(), rec, PARAMS, None).ok
    assert rec.calls == []


def test_del_in_reverse_order_with_the_cached_result():
    rec = Recorder()
    cached = {"cniVersion": "1.0.0", "final": True}
    run = conflist.delete(netlist(), rec, PARAMS, cached)
    assert run.ok and rec.verbs() == [("c", "DEL"), ("b", "DEL"), ("a", "DEL")]
    assert all(c["prevResult"] == cached for _, _, c, _ in rec.calls)


def test_del_before_0_4_0_sends_no_prev_result_and_halts_at_a_failure():
    rec = Recorder({"b": 11})
    run = conflist.delete(netlist("0.3.1"), rec, PARAMS, {"final": True})
    assert not run.ok and rec.verbs() == [("c", "DEL"), ("b", "DEL")]
    assert all("prevResult" not in c for _, _, c, _ in rec.calls)


def test_gc_dels_stale_attachments_then_gcs_every_plugin_past_failures():
    rec = Recorder({("a", "GC"): 100, ("c", "GC"): 101})
    stale = CachedAttachment(AttachmentParams("old", "eth1", "/run/netns/gone"), {"cniVersion": "1.1.0", "old": True})
    kept = CachedAttachment(AttachmentParams("ctr1", "eth0", "/run/netns/x"), {"cniVersion": "1.1.0"})
    run = conflist.gc(netlist("1.1.0"), rec, [("ctr1", "eth0"), ("ctr1", "eth0")], [stale, kept])
    assert rec.verbs() == [("c", "DEL"), ("b", "DEL"), ("a", "DEL"), ("a", "GC"), ("b", "GC"), ("c", "GC")]
    dels = [(c, args) for _, v, c, args in rec.calls if v == "DEL"]
    assert all(c["prevResult"] == stale.result and args["id"] == "old" and args["ifname"] == "eth1" for c, args in dels)
    gcs = [(c, args) for _, v, c, args in rec.calls if v == "GC"]
    for c, args in gcs:
        assert c["cni.dev/valid-attachments"] == c["cni.dev/attachments"] == [{"containerID": "ctr1", "ifname": "eth0"}]
        assert "prevResult" not in c and args["netns"] is None and args["id"] is None
    assert not run.ok and len(run.errors) == 2, "GC goes on past a failure and returns every error"
    assert run.document == {"code": 100, "msg": "a failed"}


def test_gc_before_1_1_0_only_dels_stale_attachments_and_disable_gc_does_nothing():
    rec = Recorder()
    stale = CachedAttachment(AttachmentParams("old", "eth0", None), None)
    run = conflist.gc(netlist("1.0.0"), rec, [], [stale])
    assert run.ok and rec.verbs() == [("c", "DEL"), ("b", "DEL"), ("a", "DEL")] and "1.1.0" in (run.skipped or "")
    rec = Recorder()
    run = conflist.gc(netlist("1.1.0", disableGC=True), rec, [], [stale])
    assert run.ok and rec.calls == [] and "disableGC" in (run.skipped or "")


def test_status_in_order_stops_at_a_failure_and_is_skipped_before_1_1_0():
    rec = Recorder({("b", "STATUS"): 50})
    run = conflist.status(netlist("1.1.0"), rec)
    assert not run.ok and rec.verbs() == [("a", "STATUS"), ("b", "STATUS")]
    assert all("runtimeConfig" not in c and "prevResult" not in c for _, _, c, _ in rec.calls)
    rec = Recorder()
    assert conflist.status(netlist("1.0.0"), rec).ok and rec.calls == []


def test_the_highest_known_version_is_selected():
    doc = {"cniVersion": "0.4.0", "cniVersions": ["1.0.0", "0.3.1", "9.9.9"], "name": "n", "plugins": [{"type": "a"}]}
    assert NetworkList.from_doc(doc).cni_version == "1.0.0"
    assert NetworkList.from_doc(doc, "0.3.1").cni_version == "0.3.1"


@pytest.mark.parametrize(
    "doc, message",
    [
        ([], "JSON object"),
        ({"name": "n", "cniVersion": "1.0.0"}, "'plugins'"),
        ({"name": "n", "cniVersion": "1.0.0", "plugins": [{"type": "a"}, 3]}, "plugins[1]"),
        ({"name": "n", "cniVersion": "1.0.0", "plugins": [{"type": "../bridge"}]}, "not a file name"),
        ({"cniVersion": "1.0.0", "plugins": [{"type": "a"}]}, "'name'"),
        ({"name": "n", "cniVersion": "7.0.0", "plugins": [{"type": "a"}]}, "no known cniVersion"),
        ({"name": "n", "cniVersion": "1.0.0", "disableCheck": "yes", "plugins": [{"type": "a"}]}, "disableCheck"),
    ],
)
def test_bad_conflists_are_readable_errors(doc, message):
    with pytest.raises(conflist.ConflistError, match=message.replace("[", r"\[").replace("]", r"\]")):
        NetworkList.from_doc(doc)


def test_find_plugin_follows_the_path_order(tmp_path):
    for d in ("one", "two"):
        (tmp_path / d).mkdir()
        exe = tmp_path / d / "p"
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
    (tmp_path / "one" / "q").write_text("not executable")
    dirs = [str(tmp_path / "zero"), str(tmp_path / "one"), str(tmp_path / "two")]
    assert conflist.find_plugin("p", dirs) == tmp_path / "one" / "p"
    with pytest.raises(conflist.PluginNotFound, match="'q' not found"):
        conflist.find_plugin("q", dirs)


# --- `cnitest exec` with a conflist, across processes --------------------------------


def netns_names() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def root_links() -> set[str]:
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
    return {line.split(":")[1].strip().split("@")[0] for line in out.splitlines() if line.strip()}


HOST_SIDE = re.compile(r'"name": "([^"]+)",\s*"mac": "[^"]*"(?:,\s*"mtu": \d+)?\s*}')  # a result's interface without "sandbox"


class Lab:
    """Separate `cnitest exec` processes sharing a results cache, named container namespaces, and cleanup.

    It remembers every link name the plugins reported, to find them afterwards (other
    tests on the machine make and remove namespaces and links meanwhile: only ours count)."""

    def __init__(self, tmp: Path, tag: str) -> None:
        self.tmp = tmp
        self.prefix = f"cnil{os.getpid()}-{tag}"
        self.host = f"{self.prefix}-host"
        self.env = {**os.environ, "CNITEST_RESULTS_DIR": str(tmp / "results")}
        self.containers: list[str] = []
        self.links: set[str] = set()

    def container(self, name: str) -> str:
        full = f"{self.prefix}-{name}"
        subprocess.run(["ip", "netns", "add", full], check=True)
        self.containers.append(full)
        return f"/run/netns/{full}"

    def exec(self, *args: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([sys.executable, "-m", "cnitest.cli", "exec", *args], check=False, capture_output=True,
                              text=True, timeout=180, env=self.env)
        for text in (proc.stdout, proc.stderr):
            self.links |= set(HOST_SIDE.findall(text))
        return proc

    def close(self) -> None:
        self.exec("--cleanup", self.host)
        for name in self.containers:
            subprocess.run(["ip", "netns", "delete", name], check=False)


@pytest.fixture
def lab(tmp_path, request):
    if os.geteuid() != 0:
        pytest.skip("named namespaces (ip netns add) need root")
    lab = Lab(tmp_path, request.node.name[5:17].replace("_", ""))
    try:
        yield lab
    finally:
        lab.close()
    assert not {n for n in netns_names() if n.startswith(lab.prefix)}, "a named namespace was left behind"
    assert lab.links, "the plugins reported no link: nothing was checked"
    assert not lab.links & root_links(), "a link was left in the machine's namespace"


def go_conflist(tmp: Path, version: str = "1.0.0") -> Path:
    doc = {"cniVersion": version, "name": "golist", "plugins": [
        {"type": "bridge", "bridge": "cnilbr0", "isGateway": True,
         "ipam": {"type": "host-local", "subnet": "10.79.0.0/24", "dataDir": str(tmp / "ipam")}},
        {"type": "portmap", "capabilities": {"portMappings": True}},
        {"type": "tuning", "mtu": 1400, "sysctl": {"net.ipv4.conf.eth0.arp_filter": "1"}},
    ]}
    path = tmp / "golist.conflist"
    path.write_text(json.dumps(doc))
    return path


def test_go_bridge_portmap_tuning_add_check_gc_del_with_json(lab):
    """Every verb in its own process; stdout is only the final document, and nothing is left afterwards."""
    require_go("bridge")
    conf = str(go_conflist(lab.tmp))
    common = ["--config", conf, "--cni-path", "/usr/lib/cni", "--host-netns", lab.host, "--json"]
    ctr1, ctr2 = lab.container("a"), lab.container("b")
    cache = lab.tmp / "results" / lab.host

    adds = {}
    for cid, ns in (("ctr1", ctr1), ("ctr2", ctr2)):
        proc = lab.exec("ADD", *common, "--netns", ns, "--container-id", cid)
        assert proc.returncode == 0, proc.stderr
        adds[cid] = json.loads(proc.stdout)
        assert [line for line in proc.stderr.splitlines() if line.startswith("[")] == [
            "[1/3] ADD bridge (network golist, cniVersion 1.0.0)", "[2/3] ADD portmap (network golist, cniVersion 1.0.0)",
            "[3/3] ADD tuning (network golist, cniVersion 1.0.0)"]
    assert {a["ips"][0]["address"] for a in adds.values()} == {"10.79.0.2/24", "10.79.0.3/24"}
    assert json.loads((cache / "golist-ctr1-eth0.json").read_text())["result"] == adds["ctr1"]
    mtu = subprocess.run(["ip", "-n", Path(ctr1).name, "-j", "link", "show", "eth0"], capture_output=True, text=True, check=True)
    assert json.loads(mtu.stdout)[0]["mtu"] == 1400, "tuning ran after bridge, on its result"

    proc = lab.exec("CHECK", *common, "--netns", ctr1, "--container-id", "ctr1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and "prevResult: the cached ADD result" in proc.stderr
    assert "CHECK succeeded" in proc.stderr

    # GC at 1.1.0: the Go plugins 1.1.1 know no GC, each fails; GC goes on and prints the first error as JSON
    proc = lab.exec("GC", *common, "--cni-version", "1.1.0", "--valid-attachment", "ctr1/eth0", "--valid-attachment", "ctr2/eth0")
    assert proc.returncode == 1, proc.stderr
    error = json.loads(proc.stdout)
    assert isinstance(error["code"], int) and error["msg"]
    assert [line.split(" (")[0] for line in proc.stderr.splitlines() if line.startswith("[")] == [
        "[1/3] GC bridge", "[2/3] GC portmap", "[3/3] GC tuning"], "GC goes on past a failure"
    assert "attachment" not in proc.stderr.split("[1/3]")[0], "both attachments are valid: nothing is DELed"

    # GC at 1.0.0 (as libcni): ctr2 is cached but not valid, so it is DELed; no plugin GC before 1.1.0
    proc = lab.exec("GC", *common, "--valid-attachment", "ctr1/eth0")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "attachment ctr2/eth0 is cached but not valid: DEL" in proc.stderr
    assert [line.split(" (")[0] for line in proc.stderr.splitlines() if line.startswith("[")] == [
        "[3/3] DEL tuning", "[2/3] DEL portmap", "[1/3] DEL bridge"]
    assert not (cache / "golist-ctr2-eth0.json").exists() and (cache / "golist-ctr1-eth0.json").exists()
    assert Path(f"/run/netns/{lab.host}").exists(), "ctr1 is still attached: the host namespace stays"
    links = subprocess.run(["ip", "-n", Path(ctr2).name, "-o", "link"], capture_output=True, text=True, check=True).stdout
    assert "eth0" not in links

    proc = lab.exec("DEL", *common, "--netns", ctr1, "--container-id", "ctr1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "prevResult: the cached ADD result" in proc.stderr
    assert f"that was the last attachment in the host namespace {lab.host}" in proc.stderr
    assert not Path(f"/run/netns/{lab.host}").exists() and not cache.exists()


def test_portmap_gets_port_mappings_from_cap_args(lab):
    """--cap-args reaches the plugin that declares the capability, as runtimeConfig; DEL removes the rules."""
    require_go("portmap")
    conf = str(go_conflist(lab.tmp))
    ns = lab.container("pm")
    caps = json.dumps({"portMappings": [{"hostPort": 18080, "containerPort": 80, "protocol": "tcp"}]})
    proc = lab.exec("ADD", "--config", conf, "--cni-path", "/usr/lib/cni", "--host-netns", lab.host, "--netns", ns, "--cap-args", caps)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    nat = subprocess.run(["ip", "netns", "exec", lab.host, "iptables", "-t", "nat", "-S"], capture_output=True, text=True, check=True).stdout
    assert "--dport 18080" in nat and "10.79.0.2:80" in nat
    proc = lab.exec("DEL", "--config", conf, "--cni-path", "/usr/lib/cni", "--host-netns", lab.host, "--netns", ns, "--cap-args", caps)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not Path(f"/run/netns/{lab.host}").exists()


def test_disable_check_calls_no_plugin(lab):
    require_go("bridge")
    doc = json.loads(go_conflist(lab.tmp).read_text())
    doc["disableCheck"] = True
    conf = lab.tmp / "nocheck.conflist"
    conf.write_text(json.dumps(doc))
    ns = lab.container("dc")
    common = ["--config", str(conf), "--cni-path", "/usr/lib/cni", "--host-netns", lab.host, "--netns", ns]
    assert lab.exec("ADD", *common).returncode == 0
    proc = lab.exec("CHECK", *common)
    assert proc.returncode == 0 and "disableCheck" in proc.stdout and "CHECK /usr/lib/cni" not in proc.stdout, proc.stdout
    assert lab.exec("DEL", *common).returncode == 0


def test_reference_plugins_gc_and_status_at_1_1_0(lab):
    """At 1.1.0 GC reaches every plugin with the valid attachments: host-local frees what no runtime remembers."""
    try:
        from cnitest.reference_plugins import plugins_dir  # type: ignore[attr-defined]
    except ImportError as exc:
        pytest.skip(f"the bundled reference plugins are not installed ({exc})")
    bindir = plugins_dir()
    ipam = lab.tmp / "ipam"
    doc = {"cniVersion": "1.1.0", "name": "reflist", "plugins": [
        {"type": "bridge", "bridge": "cnirbr0", "ipam": {"type": "host-local", "subnet": "10.80.0.0/24", "dataDir": str(ipam)}}]}
    conf = lab.tmp / "ref.conflist"
    conf.write_text(json.dumps(doc))
    common = ["--config", str(conf), "--cni-path", str(bindir), "--host-netns", lab.host, "--json"]
    ctr1, ctr2 = lab.container("r1"), lab.container("r2")
    for cid, ns in (("ctr1", ctr1), ("ctr2", ctr2)):
        proc = lab.exec("ADD", *common, "--netns", ns, "--container-id", cid)
        assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (ipam / "reflist").iterdir() if p.name.startswith("10.")) == ["10.80.0.2", "10.80.0.3"]
    # a runtime that lost ctr2 (its cache entry and its namespace): only GC can free its address
    (lab.tmp / "results" / lab.host / "reflist-ctr2-eth0.json").unlink()
    subprocess.run(["ip", "netns", "delete", Path(ctr2).name], check=True)
    lab.containers.remove(Path(ctr2).name)

    proc = lab.exec("STATUS", *common)
    assert proc.returncode == 0 and proc.stdout == "", proc.stderr
    assert "[1/1] STATUS bridge" in proc.stderr

    proc = lab.exec("GC", *common, "--valid-attachment", "ctr1/eth0")
    assert proc.returncode == 0 and proc.stdout == "", proc.stderr
    assert sorted(p.name for p in (ipam / "reflist").iterdir() if p.name.startswith("10.")) == ["10.80.0.2"]

    proc = lab.exec("DEL", *common, "--netns", ctr1, "--container-id", "ctr1")
    assert proc.returncode == 0, proc.stderr
    assert not Path(f"/run/netns/{lab.host}").exists()
