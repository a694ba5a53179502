"""The public API: `import cnitest` is cheap, and an Attachment builds the
CHECK/DEL config with prevResult the way a runtime does."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import cnitest
from cnitest.attachment import Attachment


def test_import_cnitest_loads_nothing_heavy():
    code = "import sys, cnitest; print(sorted(m for m in sys.modules if m.startswith(('cnitest.', 'hypothesis', 'pyroute2', 'pytest'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out


def test_all_names_resolve():
    for name in cnitest.__all__:
        assert getattr(cnitest, name) is not None


class _FakeRunner:
    """Records calls; every call 'succeeds' with the given result."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, Any, str | None, str | None]] = []

    def invoke(self, verb, config, ns, ifname, cid, **kw):
        self.calls.append((verb, config, ns, ifname, cid))
        self.kwargs = getattr(self, "kwargs", []) + [kw]
        result = {"cniVersion": "1.0.0", "ips": []} if verb == "ADD" else None
        return type("Inv", (), {"succeeded": True, "result": result, "exit_code": 0, "verb": verb})()


def test_attachment_passes_the_add_result_as_prev_result_and_always_deletes():
    runner = _FakeRunner()
    conf = {"cniVersion": "1.0.0", "name": "n", "type": "x", "prevResult": {"base": True}}
    with Attachment(runner, conf, "/proc/1/fd/3", "eth0", "c1") as att:  # type: ignore[arg-type]
        att.add()
        att.check()
    verbs = [c[0] for c in runner.calls]
    assert verbs == ["ADD", "CHECK", "DEL"]
    assert runner.calls[1][1]["prevResult"] == {"cniVersion": "1.0.0", "ips": []}
    assert runner.calls[2][1]["prevResult"] == {"cniVersion": "1.0.0", "ips": []}
    assert all(c[2:] == ("/proc/1/fd/3", "eth0", "c1") for c in runner.calls)


def test_no_prev_result_before_0_3_0_or_without_a_result():
    att = Attachment(_FakeRunner(), {"cniVersion": "0.2.0", "name": "n"}, None)  # type: ignore[arg-type]
    assert "prevResult" not in att.prev_config({"ip4": {}})
    att = Attachment(_FakeRunner(), {"cniVersion": "1.0.0", "name": "n", "prevResult": {}}, None)  # type: ignore[arg-type]
    assert "prevResult" not in att.prev_config()


def test_attachment_sends_its_cni_args_with_every_call():
    runner = _FakeRunner()
    with Attachment(runner, {"cniVersion": "1.0.0", "name": "n"}, None, cni_args="IgnoreUnknown=1") as att:  # type: ignore[arg-type]
        att.add()
        att.check(cni_args="IP=10.0.0.9")  # one call may override it
    assert [kw.get("cni_args") for kw in runner.kwargs] == ["IgnoreUnknown=1", "IP=10.0.0.9", "IgnoreUnknown=1"]


def test_lifecycle_is_add_check_and_the_dels_a_runtime_sends():
    runner = _FakeRunner()
    calls = Attachment(runner, {"cniVersion": "1.0.0", "name": "n"}, None).lifecycle(deletes=2)  # type: ignore[arg-type]
    assert [c.verb for c in calls] == ["ADD", "CHECK", "DEL", "DEL"]
    assert all(c[1]["prevResult"] == {"cniVersion": "1.0.0", "ips": []} for c in runner.calls[1:])
    old = Attachment(_FakeRunner(), {"cniVersion": "0.3.1", "name": "n"}, None)  # type: ignore[arg-type]
    assert [c.verb for c in old.lifecycle()] == ["ADD", "DEL"]  # no CHECK before 0.4.0


def test_an_add_of_raw_stdin_is_still_deleted_with_the_attachments_config():
    runner = _FakeRunner()
    conf = {"cniVersion": "1.0.0", "name": "n"}
    with Attachment(runner, conf, None) as att:  # type: ignore[arg-type]
        att.add(b"not { json")
    assert [(c[0], c[1]) for c in runner.calls] == [
        ("ADD", b"not { json"), ("DEL", {**conf, "prevResult": {"cniVersion": "1.0.0", "ips": []}})]


def test_require_exit_code_only_lets_the_test_judge_the_output():
    from cnitest.attachment import BlockedBy, require
    from cnitest.runner import Invocation

    def inv(code: int, stdout: bytes) -> Invocation:
        return Invocation(verb="DEL", plugin="p", env={}, stdin=b"", host_ns="h", cni_version=None, exit_code=code, stdout=stdout,
                          problems=["stdout is not JSON"] if stdout else [])

    noisy = inv(0, b"log line")
    assert require(noisy, "del.output.empty", exit_code_only=True) is noisy
    with pytest.raises(BlockedBy, match="blocked by chain.prevresult.del-accepted: DEL did not exit 0"):
        require(inv(1, b""), "chain.prevresult.del-accepted", exit_code_only=True)
    with pytest.raises(BlockedBy):
        require(noisy)  # without it, output that is not well-formed blocks too


def test_one_address_pool_leaves_the_tests_config_alone():
    from cnitest import config

    conf = {"name": "n", "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.9.0.0/24"}]]}}
    shrunk = config.with_one_address_pool(conf)
    assert shrunk is not None
    assert shrunk[1] == ["10.9.0.5"] and shrunk[0]["ipam"]["ranges"] == [[{"subnet": "10.9.0.0/24", "rangeStart": "10.9.0.5", "rangeEnd": "10.9.0.5"}]]
    assert conf["ipam"]["ranges"] == [[{"subnet": "10.9.0.0/24"}]]
    assert config.with_one_address_pool({"name": "n", "ipam": {"type": "static"}}) is None


def test_a_pytest_run_without_cni_plugin_loads_no_hypothesis(tmp_path):
    """The pytest11 entry point is loaded in every pytest run on the machine: it must cost nothing."""
    (tmp_path / "test_unrelated.py").write_text(
        "import sys\n\n"
        "def test_nothing_heavy_loaded():\n"
        "    heavy = [m for m in ('hypothesis', 'pyroute2', 'cnitest.report', 'cnitest.runner', 'cnitest.netns',\n"
        "                         'cnitest.sandbox', 'cnitest.config', 'cnitest.rules', 'cnitest.target') if m in sys.modules]\n"
        "    assert 'cnitest.plugin' in sys.modules and not heavy, heavy\n"
    )
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(tmp_path)],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_find_plugin_takes_the_first_cni_path_entry_and_can_skip_itself(tmp_path):
    from cnitest.lookup import find_plugin

    first, second = tmp_path / "a", tmp_path / "b"
    for d in (first, second):
        d.mkdir()
        (d / "host-local").write_text("#!/bin/sh\n")
    (first / "dir-not-file").mkdir()
    assert find_plugin("host-local", [str(first), str(second)]) == first / "host-local"
    assert find_plugin("host-local", f"{first}::{second}", skip=first / "host-local") == second / "host-local"
    assert find_plugin("dir-not-file", [str(first)]) is None
    assert find_plugin("missing", "") is None


def test_one_decision_for_the_result_kind():
    from cnitest.profiles import infer_kind, result_kind

    assert infer_kind({"ipam": {"type": "host-local"}}) == "ipam"
    assert infer_kind({"type": "bridge", "ipam": {}}) == "interface"
    assert infer_kind({"type": "portmap"}, [{"type": "ptp"}]) == "chained"
    assert [result_kind(k) for k in ("ipam", "interface", "chained")] == ["ipam-result", "result", "result"]


def test_a_target_without_pytest_options(tmp_path):
    from cnitest.target import Target, UnknownPlugin

    plugin = tmp_path / "bridge"
    plugin.write_text("#!/bin/sh\n")
    target = Target.of(plugin, "interface", cni_path=["/opt/cni/bin"])
    assert target.template.plugin["type"] == "bridge"  # the built-in profile's template
    assert target.cni_path == [str(tmp_path), "/opt/cni/bin"]
    ipam = Target.of(tmp_path / "my-ipam", "ipam", {"ipam": {"type": "my-ipam"}})
    assert ipam.profile.kind == "ipam" and ipam.profile.ifname == "eth0"
    with pytest.raises(UnknownPlugin, match="my-ipam"):
        Target.of(tmp_path / "my-ipam")  # no profile, no template


def test_host_local_state_is_read_one_way(tmp_path):
    from cnitest import host_local

    net = tmp_path / "data" / "net1"
    net.mkdir(parents=True)
    (net / "10.1.0.5").write_text("c1\neth0")
    (net / "fd00::5").write_text("c2\neth0")
    (net / "last_reserved_ip.0").write_text("10.1.0.5")
    (net / "lock").write_text("")
    conf = {"name": "net1", "ipam": {"type": "host-local", "dataDir": str(tmp_path / "data")}}
    assert host_local.for_config(conf) == {"10.1.0.5": "c1\neth0", "fd00::5": "c2\neth0"}
    assert host_local.for_config({**conf, "ipam": {"type": "static"}}) is None
    assert [p.name for p in host_local.state_files(tmp_path / "data")] == ["10.1.0.5", "fd00::5"]
    assert [p.name for p in host_local.state_files(tmp_path / "data", "10.1.0.5")] == ["10.1.0.5", "fd00::5", "last_reserved_ip.0"]
    assert host_local.state_files(tmp_path / "nothing") == []


def test_result_view_of_a_1_0_0_result():
    import ipaddress

    doc = {
        "cniVersion": "1.0.0",
        "interfaces": [{"name": "cni0", "mac": "aa:bb:cc:dd:ee:ff"}, {"name": "eth0", "sandbox": "/proc/1/fd/3", "mtu": 1500}],
        "ips": [{"address": "10.1.0.5/24", "gateway": "10.1.0.1", "interface": 1}, {"address": "fd00::5/64", "interface": 1}],
        "routes": [{"dst": "0.0.0.0/0"}, {"dst": "10.9.0.7/16", "gw": "10.1.0.1", "priority": 5}],
        "dns": {"nameservers": ["10.1.0.53"], "domain": "example", "search": ["example"], "options": ["ndots:2"]},
    }
    res = cnitest.Result.read(doc)
    assert res.cni_version == "1.0.0"
    assert [i.name for i in res.interfaces] == ["cni0", "eth0"] and res.interfaces[1].mtu == 1500
    assert res.container_interfaces("/proc/1/fd/3") == [1]
    assert res.ips[0].address == ipaddress.ip_interface("10.1.0.5/24") and res.ips[0].gateway == ipaddress.ip_address("10.1.0.1")
    assert [ip.version for ip in res.ips] == [4, 6] and res.interface_of(res.ips[1]) == res.interfaces[1]
    assert res.addresses() == [ipaddress.ip_address("10.1.0.5"), ipaddress.ip_address("fd00::5")]
    assert res.routes[1].dst == ipaddress.ip_network("10.9.0.0/16") and res.routes[1].priority == 5 and res.routes[0].gw is None
    assert res.dns.nameservers == ("10.1.0.53",) and res.dns.domain == "example" and res.dns.options == ("ndots:2",)
    assert res.unreadable == {}


def test_result_view_of_a_legacy_result():
    doc = {"cniVersion": "0.2.0", "ip4": {"ip": "10.1.0.5/24", "gateway": "10.1.0.1", "routes": [{"dst": "0.0.0.0/0"}]},
           "ip6": {"ip": "fd00::5/64"}, "dns": {"nameservers": ["10.1.0.53"]}}
    res = cnitest.Result.read(doc)
    assert [str(ip.address) for ip in res.ips] == ["10.1.0.5/24", "fd00::5/64"] and res.ips[0].interface is None
    assert [(str(r.dst), r.where) for r in res.routes] == [("0.0.0.0/0", "ip4.routes[0]")] and res.interfaces == ()
    assert res.dns.nameservers == ("10.1.0.53",)


def test_result_view_never_raises_and_names_what_it_could_not_read():
    doc = {"interfaces": ["not an object", {"name": 7}], "ips": [{"address": "10.1.0.300/24"}, {"address": 5}, "x",
                                                                  {"address": "10.1.0.5/24", "interface": True}],
           "routes": [{"dst": "10.0.0.0/8", "gw": "nope"}, {"dst": None}], "dns": ["wrong"]}
    res = cnitest.Result.read(doc)
    assert [i.name for i in res.interfaces] == [None, None]  # kept in place: ips[].interface indexes stay right
    assert [(str(ip.address), ip.where) for ip in res.ips] == [("10.1.0.5/24", "ips[3]")] and res.ips[0].interface is None
    assert res.routes == () and res.dns == cnitest.result.DNS()
    assert res.unreadable == {"ips[0].address": "'10.1.0.300/24' is not an address", "routes[0].gw": "'nope' is not an address"}
    assert res.unreadable_at("routes") == ["routes[0].gw 'nope' is not an address"]
    for junk in (None, [], "text", 3):
        assert cnitest.Result.read(junk) == cnitest.Result()


def test_kernel_checks_read_results_through_the_view():
    """checks.address_mismatches reports an unreadable address instead of crashing on it."""
    from cnitest import checks
    from cnitest.netns import Snapshot

    snap = Snapshot(links=[], addresses=[], routes=[])
    problems = checks.address_mismatches({"ips": [{"address": "bad/24"}, {"address": "10.1.0.5/24"}]}, snap, "eth0", "/ns")
    assert problems == ["ips[0].address 'bad/24' is not an address", "ips[1] 10.1.0.5/24 is not assigned to eth0 in the container"]


PYTEST_SIDE = {"cnitest.plugin", "cnitest.fixtures", "cnitest.report.collect", "cnitest.report.gate"}  # the pytest plugin's modules


def test_no_library_module_imports_pytest():
    """Every module but the pytest plugin's own is usable without pytest (a Target, the
    options' checked form, the IPAM machine...): importing them all loads no pytest."""
    code = (
        "import importlib, pkgutil, sys, cnitest\n"
        f"side = {sorted(PYTEST_SIDE)!r}\n"
        "for m in pkgutil.walk_packages(cnitest.__path__, 'cnitest.'):\n"
        "    if not m.name.startswith('cnitest.suites') and m.name not in side:\n"
        "        importlib.import_module(m.name)\n"
        "        if 'pytest' in sys.modules or '_pytest' in sys.modules:\n"
        "            print(m.name)\n"
        "            break\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "", f"{out.strip()} imports pytest"
