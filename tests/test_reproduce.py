"""Reproducers (cnitest.reproduce): a replay that runs, pastes safely and says whether the fault shows.

Calls of two faulty bridges (CHECK always fails; CHECK prints a result) are
made through the Runner as a suite makes them, turned into scripts, and then:
run as scripts (exit 1 on the faulty plugin, 0 with CNITEST_PLUGIN pointing at
the correct Go bridge, which also proves CHECK and DEL got the *replayed* ADD's
result: the Go bridge's CHECK refuses a prevResult whose MAC is not the
interface's), and pasted one after the other into one interactive bash under a
pty, which must survive both with nothing left behind.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path

import pytest

from cnitest import netns, reproduce
from cnitest.runner import Invocation, Runner

from .conftest import FAULTY, require_go

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the replay makes named network namespaces: root only")


def faulty_calls(fault: str, tmp_path: Path) -> list[Invocation]:
    """ADD, CHECK, DEL of tests/plugins/faulty/<fault>/bridge, as a suite makes them."""
    require_go("bridge")
    conf = {
        "cniVersion": "1.0.0", "name": "repro-net", "type": "bridge", "bridge": "cbrrepro0", "isGateway": True,
        "ipam": {"type": "host-local", "subnet": "10.77.0.0/24", "dataDir": str(tmp_path / "ipam")},
    }
    with netns.new("repro-host") as host, netns.new("repro-cont") as cont:
        runner = Runner(FAULTY / "faulty" / fault / "bridge", host, ["/usr/lib/cni"])
        att = runner.attach(conf, cont, "eth0", "repro-1", "1.0.0")
        att.add()
        att.check()
        att.delete()
        return list(runner.history)


def reproducer(fault: str, tmp_path: Path) -> str:
    calls = faulty_calls(fault, tmp_path)
    assert [c.verb for c in calls] == ["ADD", "CHECK", "DEL"], [c.describe() for c in calls]
    return reproduce.script(calls, title=f"faulty {fault}", tmp_dirs=[str(tmp_path)])


def namespaces_of(output: str) -> list[str]:
    found = re.findall(r"=== namespaces: (.*) \(deleted on exit\)", output)
    assert found, output
    return [name for line in found for name in line.split()]


def left_behind(names: list[str]) -> list[str]:
    listed = subprocess.run(["ip", "netns", "list"], check=False, capture_output=True, text=True).stdout
    present = {line.split()[0] for line in listed.splitlines() if line.strip()}
    return [n for n in names if n in present]


def test_the_script_holds_nothing_of_the_harness(tmp_path):
    text = reproducer("check-always-fails", tmp_path)
    assert os.environ["PATH"] not in text, "the harness's PATH must not be baked in"
    assert 'PATH="$PATH"' in text
    assert "/proc/" not in text and str(tmp_path) not in text
    assert text.splitlines()[text.splitlines().index("(")] == "(" and text.rstrip().endswith(")")
    # CHECK and DEL are fed the replayed ADD's output, not the failing run's ADD result
    assert text.count('cni_py prev "$T/1.out"') == 2, text
    lines = [line for line in text.splitlines() if not line.startswith("#") and "'" not in line]
    assert not any("!" in line for line in lines), "a ! outside single quotes is history-expanded when pasted"


@pytest.mark.parametrize("fault", ["check-always-fails", "check-prints-result"])
def test_exit_1_on_the_fault_0_on_the_fixed_plugin(fault, tmp_path):
    """Usable with `git bisect run`: 1 when the fault shows, 0 when it does not."""
    text = reproducer(fault, tmp_path)
    path = tmp_path / "repro.sh"
    path.write_text(text)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(tmp_path)}
    bad = subprocess.run(["bash", str(path)], check=False, capture_output=True, text=True, timeout=120, env=env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "=== the fault shows" in bad.stdout
    good = subprocess.run(["bash", str(path)], check=False, capture_output=True, text=True, timeout=120,
                          env={**env, "CNITEST_PLUGIN": str(require_go("bridge"))})
    assert good.returncode == 0, good.stdout + good.stderr
    assert "=== the fault does not show; 2/3 CHECK ended: exit 0, empty stdout" in good.stdout, good.stdout
    assert left_behind(namespaces_of(bad.stdout) + namespaces_of(good.stdout)) == []


class Shell:
    """An interactive bash on a pty, fed text as a person pasting it."""

    def __init__(self, home: Path) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(home), "TERM": "dumb", "PS1": "$ "}
            os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)
        self.seen = ""

    def _read(self, wait: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if ready:
            try:
                self.seen += os.read(self.fd, 65536).decode("utf-8", "replace")
            except OSError:
                pass

    def paste(self, text: str) -> None:
        data = text.encode()
        for i in range(0, len(data), 256):
            os.write(self.fd, data[i : i + 256])
            self._read(0.01)

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match[str]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = re.search(pattern, self.seen)
            if m:
                return m
            self._read(0.2)
        raise AssertionError(f"no {pattern!r} within {timeout} s; the shell printed:\n{self.seen[-4000:]}")

    def close(self) -> int:
        try:
            os.write(self.fd, b"exit 0\n")
        except OSError:
            pass
        end = time.monotonic() + 10
        while time.monotonic() < end:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            self._read(0.1)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        return -9


def test_two_reproducers_pasted_into_one_interactive_shell(tmp_path):
    first = reproducer("check-always-fails", tmp_path / "a")
    second = reproducer("check-prints-result", tmp_path / "b")
    shell = Shell(tmp_path)
    try:
        shell.paste("echo READY\n")
        shell.wait_for(r"\nREADY")
        shell.paste(first + 'echo "RC1=$?"\n')
        shell.wait_for(r"RC1=(\d+)")
        shell.paste(second + 'echo "RC2=$?"\n')
        shell.wait_for(r"RC2=(\d+)")
        # the shell is still there, without the scripts' set -u or traps
        shell.paste('echo "ALIVE $$ ${NOT_SET_ANYWHERE:-unset-ok}"; trap -p EXIT; echo TRAPS-DONE\n')
        shell.wait_for(r"TRAPS-DONE\r?\n")
    finally:
        status = shell.close()
    out = shell.seen
    assert re.search(r"RC1=1\b", out) and re.search(r"RC2=1\b", out), out[-6000:]
    assert "ALIVE" in out and "unset-ok" in out
    assert "trap -- " not in out.split("ALIVE", 1)[1], "the EXIT trap attached to the interactive shell"
    assert "File exists" not in out and "event not found" not in out, out
    assert status == 0, f"the interactive shell ended with {status}"
    names = [n for n in namespaces_of(out) if not n.startswith("$")]  # not the echoed paste
    assert len(set(names)) == 4, names  # two per script, none shared
    assert left_behind(names) == []


def test_outcome_words_match_the_helper(tmp_path):
    """outcome() (the failing run) and the script's helper (the replay) word a call alike."""
    cases = [(0, b""), (0, b'{"cniVersion": "1.0.0"}'), (0, b"{} {}"), (1, b'{"code": 7, "msg": "x"}'), (2, b"oops")]
    helper = reproduce._HELPER.strip()
    for code, stdout in cases:
        inv = Invocation(verb="ADD", plugin="/p", env={}, stdin=b"", host_ns="h", cni_version="1.0.0", exit_code=code, stdout=stdout)
        from cnitest.runner import _interpret

        _interpret(inv, "result")
        out = tmp_path / "out"
        out.write_bytes(stdout)
        replay = subprocess.run(["python3", "-c", helper, "outcome", str(out), str(code)], check=True, capture_output=True, text=True).stdout.strip()
        assert replay == reproduce.outcome(inv), (stdout, replay)
    conf = tmp_path / "conf"
    (tmp_path / "add").write_text(json.dumps({"cniVersion": "1.0.0", "ips": []}))
    conf.write_text(json.dumps({"name": "n", "prevResult": {"old": 1}}))
    fed = subprocess.run(["python3", "-c", helper, "prev", str(tmp_path / "add")], input=conf.read_text(), check=True, capture_output=True, text=True).stdout
    assert json.loads(fed)["prevResult"] == {"cniVersion": "1.0.0", "ips": []}


CHECK_FAILS = '''
def after(env, stdin, code, stdout):
    if env.get("CNI_COMMAND") == "CHECK":
        return 1, b'{"code": 999, "msg": "something is wrong"}'
    return code, stdout
'''


def test_a_chained_replay_feeds_each_prev_result_from_the_replay(tmp_path):
    """ptp, then tuning whose CHECK fails: the chained ADD gets the replayed ptp result, CHECK the replayed tuning one;
    CNITEST_PLUGIN replaces the plugin under test only."""
    for name in ("ptp", "tuning", "host-local"):
        require_go(name)
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "fault.py").write_text(CHECK_FAILS)
    (fake / "tuning").symlink_to(FAULTY / "faulty" / "wrapper.py")
    base_conf = {"cniVersion": "1.0.0", "name": "chain-net", "type": "ptp",
                 "ipam": {"type": "host-local", "subnet": "10.78.0.0/24", "dataDir": str(tmp_path / "ipam")}}
    tuning_conf = {"cniVersion": "1.0.0", "name": "chain-net", "type": "tuning", "sysctl": {"net.ipv4.conf.eth0.accept_redirects": "0"}}
    with netns.new("repro-host") as host, netns.new("repro-cont") as cont:
        base = Runner("/usr/lib/cni/ptp", host, ["/usr/lib/cni"])
        chained = Runner(fake / "tuning", host, ["/usr/lib/cni"])
        first = base.invoke("ADD", base_conf, cont, "eth0", "chain-1")
        assert first.succeeded, first.describe()
        add = chained.invoke("ADD", {**tuning_conf, "prevResult": first.result}, cont, "eth0", "chain-1")
        assert add.succeeded, add.describe()
        check = chained.invoke("CHECK", {**tuning_conf, "prevResult": add.result}, cont, "eth0", "chain-1")
        assert not check.succeeded
        chained.invoke("DEL", {**tuning_conf, "prevResult": add.result}, cont, "eth0", "chain-1")
        base.invoke("DEL", {**base_conf, "prevResult": first.result}, cont, "eth0", "chain-1")
        calls = sorted(base.history + chained.history, key=lambda inv: inv.started)
    text = reproduce.script(calls, title="a chain", tmp_dirs=[str(tmp_path)], plugin=str(fake / "tuning"))
    assert 'cni_py prev "$T/1.out"' in text and 'cni_py prev "$T/2.out"' in text, text
    assert text.count('"$P"') == 3 and text.count("/usr/lib/cni/ptp") == 2, text
    path = tmp_path / "repro.sh"
    path.write_text(text)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(tmp_path)}
    bad = subprocess.run(["bash", str(path)], check=False, capture_output=True, text=True, timeout=120, env=env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    good = subprocess.run(["bash", str(path)], check=False, capture_output=True, text=True, timeout=120,
                          env={**env, "CNITEST_PLUGIN": "/usr/lib/cni/tuning"})
    assert good.returncode == 0 and "3/5 CHECK ended: exit 0, empty stdout" in good.stdout, good.stdout + good.stderr
    assert left_behind(namespaces_of(bad.stdout) + namespaces_of(good.stdout)) == []


def test_hostile_text_cannot_escape_comments_or_echoes(tmp_path):
    """A plugin's error text or a test's odd input ends up in comments and echoes: never a command."""
    marker = tmp_path / "pwned"
    evil = f"x\ntouch {marker}\n$(touch {marker}) `touch {marker}` !ls"
    inv = Invocation(verb=f"ADD$(touch {marker})", plugin="/bin/true", env={"CNI_COMMAND": "ADD", "CNI_ARGS": evil},
                     stdin=json.dumps({"cniVersion": evil, "x": evil}).encode(), host_ns="h", cni_version=evil, exit_code=0)
    text = reproduce.script([reproduce.Step(evil, [inv])], title=evil)
    assert all(line.startswith("# ") and "\n" not in line and "!" not in line for line in text.splitlines() if "touch" in line and line.startswith("#"))
    proc = subprocess.run(["bash", "-c", text], check=False, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    assert not marker.exists(), proc.stdout + proc.stderr
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr


def test_prev_result_is_fed_through_printf_input_too(tmp_path):
    """A config a heredoc cannot carry (here a `!`) goes through printf, and still gets the replayed ADD's result."""
    plugin = tmp_path / "plugin"
    plugin.write_text('#!/bin/sh\nif [ "$CNI_COMMAND" = ADD ]; then echo \'{"cniVersion": "1.0.0", "replayed": 1}\'; else cat; fi\n')
    plugin.chmod(0o755)
    old = {"cniVersion": "1.0.0", "recorded": 1}
    add = Invocation(verb="ADD", plugin=str(plugin), env={"CNI_COMMAND": "ADD"}, stdin=b'{"cniVersion": "1.0.0", "name": "n"}',
                     host_ns="h", cni_version="1.0.0", exit_code=0, stdout=json.dumps(old).encode(), result=old, document=old)
    conf = {"cniVersion": "1.0.0", "name": "n!", "prevResult": old}
    dele = Invocation(verb="DEL", plugin=str(plugin), env={"CNI_COMMAND": "DEL"}, stdin=json.dumps(conf).encode(),
                      host_ns="h", cni_version="1.0.0", exit_code=0)
    text = reproduce.script([add, dele])
    assert "printf '" in text and 'cni_py prev "$T/1.out" |' in text, text
    out = subprocess.run(["bash", "-c", text], check=False, capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}).stdout
    fed = re.search(r"=== 2/2 DEL: stdout\n(.*?)\n=== 2/2 DEL ended", out, re.DOTALL)
    assert fed, out
    doc = json.loads(fed.group(1))
    assert doc["prevResult"] == {"cniVersion": "1.0.0", "replayed": 1} and doc["name"] == "n!"


def test_the_replay_keeps_plugin_state_private_as_the_sandbox_does(tmp_path):
    """host-local without a dataDir writes /var/lib/cni/networks: in the replay that is $T's, never the machine's."""
    require_go("host-local")
    before = Path("/var/lib/cni/networks/repro-private").exists()
    conf = {"cniVersion": "1.0.0", "name": "repro-private", "ipam": {"type": "host-local", "subnet": "10.79.0.0/24"}}
    with netns.new("repro-host") as host:
        runner = Runner("/usr/lib/cni/host-local", host, result_kind="ipam-result")
        runner.invoke("ADD", conf, "None", "eth0", "p-1")
        runner.invoke("ADD", conf, "None", "eth1", "p-2")  # the second address: the state of the first is kept
        calls = list(runner.history)
    assert [c.result["ips"][0]["address"] for c in calls] == ["10.79.0.2/24", "10.79.0.3/24"]
    done = subprocess.run(["bash", "-c", reproduce.script(calls)], check=False, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    assert done.returncode == 1, done.stdout + done.stderr  # both ADDs ended as before
    assert '"address": "10.79.0.3/24"' in done.stdout, done.stdout
    assert Path("/var/lib/cni/networks/repro-private").exists() == before
