"""The runner turns whatever a plugin does into an Invocation, never a hang or a crash."""

from __future__ import annotations

import os
import time

import pytest

from cnitest import netns
from cnitest.runner import Runner, parse_stdout

from .conftest import faulty, require_go


def run(sandbox, name, verb="ADD", config=None, timeout=5.0, env=None, **kw):
    runner = Runner(faulty(name), sandbox, timeout=timeout, **kw)
    return runner.invoke(verb, config if config is not None else {"cniVersion": "1.0.0", "name": "n", "type": name}, env=env)


def test_hang_is_killed_at_the_timeout(sandbox):
    start = time.monotonic()
    inv = run(sandbox, "hang", timeout=0.5)
    assert inv.timed_out and inv.exit_code is None
    assert time.monotonic() - start < 3
    assert any("no answer within" in p for p in inv.problems)


def test_child_holding_stdout_dies_with_the_call(sandbox, tmp_path):
    mark = tmp_path / "survived"
    start = time.monotonic()
    inv = run(sandbox, "fork-holds-stdout", timeout=5, env={"CNITEST_MARK": str(mark)})
    assert time.monotonic() - start < 3, "the runner waited for the grandchild"
    assert inv.succeeded, inv.describe()
    time.sleep(1.5)
    assert not mark.exists(), "a setsid grandchild outlived the call"


def test_flood_is_capped_and_reported(sandbox):
    inv = run(sandbox, "flood", max_output=1 << 20)
    assert inv.truncated and len(inv.stdout) == 1 << 20
    assert any("exceeded" in p for p in inv.problems)


@pytest.mark.parametrize(
    "name, words",
    [
        ("not-utf8", "not UTF-8"),
        ("two-documents", "more than one JSON document"),
        ("truncated", "truncated JSON"),
        ("crash", "without an error document"),
        ("silent-add", "printed no result"),
    ],
)
def test_bad_output_is_named_with_the_raw_bytes(sandbox, name, words):
    inv = run(sandbox, name)
    assert not inv.succeeded
    assert any(words in p for p in inv.problems), inv.problems
    assert words in inv.describe()


def test_crash_keeps_stderr_and_signal(sandbox):
    inv = run(sandbox, "crash")
    assert inv.exit_code == -11
    assert b"segfault" in inv.stderr


def test_environment_and_stdin_reach_the_plugin_inside_the_sandbox(sandbox):
    with netns.new("c") as container:
        runner = Runner(faulty("echo-env"), sandbox, cni_path=["/opt/x"])
        inv = runner.invoke("DEL", {"cniVersion": "0.4.0", "name": "n"}, container, "eth7", "cid-1", cni_args={"K": "V", "IgnoreUnknown": "1"})
        container_path = container.path
    assert inv.failed_cleanly and inv.error.code == 100
    details = dict(kv.split("=", 1) for kv in inv.error.details.split(" ") if "=" in kv)
    assert details["cmd"] == "DEL" and details["id"] == "cid-1" and details["ifname"] == "eth7"
    assert details["netns"] == container_path
    assert details["path"] == f"{faulty('x').parent}:/opt/x"
    assert details["args"] == "K=V;IgnoreUnknown=1"
    # The plugin ran in the sandbox host namespace, not in this machine's own.
    assert details["self"] == f"net:[{sandbox.inode}]"
    assert details["self"] != os.readlink("/proc/self/ns/net")
    assert inv.error.details.endswith('stdin={  "cniVersion": "0.4.0",  "name": "n"}')


def test_env_overrides_remove_and_replace(sandbox):
    runner = Runner(faulty("echo-env"), sandbox)
    inv = runner.invoke("ADD", {"cniVersion": "1.0.0"}, None, "eth0", "c", env={"CNI_IFNAME": None, "CNI_CONTAINERID": ""})
    assert "ifname= " in inv.error.details and "id= " in inv.error.details
    assert "CNI_IFNAME" not in inv.env and inv.env["CNI_CONTAINERID"] == ""


def test_large_stdin_to_a_plugin_that_never_reads_it(sandbox):
    inv = run(sandbox, "ignores-stdin", verb="VERSION", config=b" " * (1 << 20))
    assert inv.exit_code == 0 and inv.result == {"cniVersion": "1.0.0", "supportedVersions": ["1.0.0"]}


def test_missing_binary_is_a_problem_not_a_crash(sandbox, tmp_path):
    inv = Runner(tmp_path / "nope", sandbox).invoke("VERSION", {})
    assert inv.problems and "could not execute" in inv.problems[0]


def test_history_and_reproducer(sandbox):
    runner = Runner(faulty("echo-env"), sandbox)
    inv = runner.invoke("ADD", {"cniVersion": "1.0.0", "name": "n"}, "/var/run/netns/x", "eth0", "c1")
    assert runner.history == [inv]
    text = inv.reproducer()
    assert "CNI_COMMAND=ADD" in text and "CNI_NETNS=/var/run/netns/x" in text and '"name": "n"' in text


def test_go_host_local_result_is_parsed_and_validated(sandbox, tmp_path):
    plugin = require_go("host-local")
    conf = {"cniVersion": "1.0.0", "name": "n", "ipam": {"type": "host-local", "subnet": "10.1.0.0/24", "dataDir": str(tmp_path)}}
    inv = Runner(plugin, sandbox, result_kind="ipam-result").invoke("ADD", conf, "None", "None", "c1")
    assert inv.succeeded and inv.valid, inv.describe()
    assert inv.result["ips"][0]["address"] == "10.1.0.2/24"
    bad = Runner(plugin, sandbox).invoke("ADD", {**conf, "cniVersion": "9.9.9"}, "None", "None", "c2")
    assert bad.failed_cleanly and bad.error.code == 1


@pytest.mark.parametrize(
    "data, doc, problem",
    [
        (b"", None, None),
        (b'  {"a": 1}\n', {"a": 1}, None),
        (b'{"a": 1} x', {"a": 1}, "text after"),
        (b"[1,", None, "truncated"),
        (b"hello", None, "not JSON"),
    ],
)
def test_parse_stdout(data, doc, problem):
    got, problems = parse_stdout(data)
    assert got == doc
    assert (problem is None and not problems) or (problem and problem in problems[0])


def test_named_namespaces_made_and_deleted_meanwhile_do_not_break_calls(sandbox, tmp_path):
    """bwrap remounts every mount it copies; one that `ip netns del` removes meanwhile
    (another xdist worker's test) made the call fail. The sandbox hides them all."""
    import subprocess
    import threading
    import uuid

    from cnitest import sandbox as sandbox_mod

    host_local = require_go("host-local")
    runner = Runner(host_local, sandbox, sandbox=sandbox_mod.Sandbox(tmp_path / "state", writable=[tmp_path]),
                    result_kind="ipam-result")
    conf = {"cniVersion": "1.0.0", "name": "race", "type": "host-local",
            "ipam": {"type": "host-local", "subnet": "10.253.0.0/24", "dataDir": str(tmp_path / "data")}}
    stop = threading.Event()
    names = [f"cnitest-race-{uuid.uuid4().hex[:6]}-{i}" for i in range(4)]

    def churn() -> None:
        while not stop.is_set():
            for name in names:
                subprocess.run(["ip", "netns", "add", name], capture_output=True)
            for name in names:
                subprocess.run(["ip", "netns", "del", name], capture_output=True)

    with netns.new("race-cont") as cont:
        worker = threading.Thread(target=churn)
        worker.start()
        try:
            failed = []
            for i in range(40):
                inv = runner.invoke("ADD" if i % 2 == 0 else "DEL", conf, cont, "eth0", "race")
                if not inv.succeeded:
                    failed.append(inv.describe())
        finally:
            stop.set()
            worker.join()
            for name in names:
                subprocess.run(["ip", "netns", "del", name], capture_output=True)
    assert not failed, failed[0]
