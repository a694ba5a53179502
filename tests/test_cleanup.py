"""A run leaves the machine as it found it: after success, Ctrl-C and SIGKILL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import FAULTY, SUITES, require_go


def machine_state() -> dict[str, object]:
    """What a run could leave behind on this machine's own network."""
    from pyroute2 import IPRoute

    with IPRoute() as ipr:  # the machine's own namespace, read only
        links = sorted(l.get("ifname") for l in ipr.link("dump"))
    netns_dir = Path("/var/run/netns")
    iptables = {}
    for tool in ("iptables-save", "ip6tables-save"):
        if shutil.which(tool):
            out = subprocess.run([tool], capture_output=True, text=True).stdout
            iptables[tool] = sorted(l for l in out.splitlines() if not l.startswith("#"))
    return {
        "netns": sorted(os.listdir(netns_dir)) if netns_dir.is_dir() else [],
        "links": links,
        "mounts": sorted(l for l in Path("/proc/mounts").read_text().splitlines() if "netns" in l or "nsfs" in l),
        "iptables": iptables,
    }


def start_run(tmp_path: Path, plugin: Path = FAULTY / "slow" / "bridge") -> subprocess.Popen[bytes]:
    require_go("bridge")
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", str(SUITES / "test_smoke.py"), f"--cni-plugin={plugin}", "--cni-path=/usr/lib/cni", "-q",
         f"--basetemp={tmp_path / 'basetemp'}", f"--cni-report={tmp_path / 'report.json'}",
         f"--cni-report={tmp_path / 'report.html'}", f"--cni-report={tmp_path / 'report.md'}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # A run started in the background by a shell (CI, nohup) inherits SIGINT ignored,
        # and Python then never raises KeyboardInterrupt: give the run Ctrl-C as a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def settle(before: dict[str, object]) -> dict[str, object]:
    """The state once stray plugin processes finished (they exit by themselves)."""
    deadline = time.monotonic() + 10
    while True:
        after = machine_state()
        if after == before or time.monotonic() > deadline:
            return after
        time.sleep(0.2)


def private_copy(plugin: Path, tmp_path: Path) -> Path:
    """The plugin copied under tmp_path, so that its processes can be told from other runs' ones."""
    copy = tmp_path / "plugin" / plugin.name
    copy.parent.mkdir()
    shutil.copy2(plugin, copy)
    return copy


def wait_for_call(proc: subprocess.Popen[bytes], tmp_path: Path) -> None:
    """Until a plugin call of the run is under way (a loaded machine may take long to start pytest)."""
    deadline = time.monotonic() + 120
    while not plugin_processes(tmp_path):
        assert proc.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no plugin call started"
        time.sleep(0.02)


def plugin_processes(tmp_path: Path) -> set[int]:
    """Processes still running this test's copy of the plugin."""
    mark = str(tmp_path / "plugin").encode()
    out = set()
    for pid in os.listdir("/proc"):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if mark in cmd and b"\x00-m\x00pytest\x00" not in cmd:  # the run itself names the plugin too
            out.add(int(pid))
    return out


@pytest.mark.parametrize("how", ["complete", "sigint", "sigterm", "sigkill"])
def test_nothing_left_behind(tmp_path, how):
    before = machine_state()
    proc = start_run(tmp_path, private_copy(FAULTY / "slow" / "bridge", tmp_path))
    if how == "complete":
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out.decode()[-3000:]
    else:
        wait_for_call(proc, tmp_path)
        proc.send_signal({"sigint": signal.SIGINT, "sigterm": signal.SIGTERM, "sigkill": signal.SIGKILL}[how])
        out, _ = proc.communicate(timeout=60)
    assert settle(before) == before
    deadline = time.monotonic() + 5
    while plugin_processes(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not plugin_processes(tmp_path), "plugin processes outlived the run"
    if how in ("sigint", "sigterm"):
        import json

        assert proc.returncode == pytest.ExitCode.INTERRUPTED, out.decode()[-3000:]
        assert "incomplete" in out.decode(), out.decode()[-3000:]
        run = json.loads((tmp_path / "report.json").read_text())["runs"][0]
        assert run["interrupted"] and {v["verdict"] for v in run["verdicts"]} <= {"incomplete", "does-not-conform"}, run["verdicts"]
        # every report format says so, not just the JSON and the terminal
        assert "incomplete (run interrupted)" in (tmp_path / "report.md").read_text()
        assert 'class="badge v-incomplete">incomplete (run interrupted)' in (tmp_path / "report.html").read_text()


@pytest.mark.parametrize("how", ["sigint", "sigkill"])
def test_hanging_call_dies_with_the_run(tmp_path, how):
    """The plugin hangs in ADD and pytest is stopped meanwhile: the hung call goes with it."""
    before = machine_state()
    proc = start_run(tmp_path, private_copy(FAULTY / "hostile-hang" / "bridge", tmp_path))
    wait_for_call(proc, tmp_path)
    proc.send_signal(signal.SIGINT if how == "sigint" else signal.SIGKILL)
    out, _ = proc.communicate(timeout=60)
    deadline = time.monotonic() + 5
    while plugin_processes(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not plugin_processes(tmp_path), "the hung plugin outlived the run"
    assert settle(before) == before
    if how == "sigint":
        assert "incomplete" in out.decode(), out.decode()[-3000:]


def test_state_left_by_a_sigkilled_run_is_swept(tmp_path):
    """A SIGKILLed process cannot remove its own state directory; the next one removes it."""
    from cnitest.sandbox import sweep_stale

    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f"cnitest-sandbox-{dead.pid}-abc"
    live = tmp_path / f"cnitest-sandbox-{os.getppid()}-def"
    other = tmp_path / "cnitest-sandbox-notapid"
    for d in (stale, live, other):
        (d / "run").mkdir(parents=True)
    sweep_stale(tmp_path, "cnitest-sandbox-")
    assert not stale.exists() and live.exists() and other.exists()


def test_sandbox_state_is_on_tmpfs_or_under_the_fallback(tmp_path, monkeypatch):
    """A test's sandbox state goes under the process's own /dev/shm directory (named with
    its pid, so that sweep_stale removes it after a SIGKILL) when that is a writable tmpfs,
    else under the fallback directory."""
    from cnitest import sandbox

    state = sandbox.test_state(tmp_path)
    if sandbox._writable_tmpfs("/dev/shm"):
        assert state.parent.name.startswith(f"cnitest-sandbox-{os.getpid()}-") and state.parent.parent == Path("/dev/shm")
    else:
        assert state.parent == tmp_path
    assert state.is_dir() and not any(state.iterdir())
    monkeypatch.setattr(sandbox, "_state_root", None)
    monkeypatch.setattr(sandbox, "_no_tmpfs", False)
    monkeypatch.setattr(sandbox, "STATE_ROOTS", (str(tmp_path),))  # not a tmpfs mount point
    assert sandbox.test_state(tmp_path).parent == tmp_path
    assert sandbox._no_tmpfs  # decided once: the next test does not read mountinfo again
    assert sandbox.test_state(tmp_path).parent == tmp_path
