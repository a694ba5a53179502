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


def start_run(tmp_path: Path) -> subprocess.Popen[bytes]:
    require_go("bridge")
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", str(SUITES / "test_smoke.py"), f"--cni-plugin={FAULTY / 'slow' / 'bridge'}", "--cni-path=/usr/lib/cni", "-q",
         f"--basetemp={tmp_path / 'basetemp'}", f"--cni-report={tmp_path / 'report.json'}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def settle(before: dict[str, object]) -> dict[str, object]:
    """The state once stray plugin processes finished (they exit by themselves)."""
    deadline = time.monotonic() + 10
    while True:
        after = machine_state()
        if after == before or time.monotonic() > deadline:
            return after
        time.sleep(0.2)


def plugin_processes() -> set[int]:
    """Processes running a plugin of this test (the slow bridge, the Go bridge or host-local it calls)."""
    out = set()
    for pid in os.listdir("/proc"):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"/usr/lib/cni/" in cmd or b"slow/bridge" in cmd:
            out.add(int(pid))
    return out


@pytest.mark.parametrize("how", ["complete", "sigint", "sigterm", "sigkill"])
def test_nothing_left_behind(tmp_path, how):
    before = machine_state()
    proc = start_run(tmp_path)
    if how == "complete":
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out.decode()[-3000:]
    else:
        time.sleep(2.5)  # several tests in, with a plugin call under way
        assert proc.poll() is None, "the run ended before it could be interrupted"
        proc.send_signal({"sigint": signal.SIGINT, "sigterm": signal.SIGTERM, "sigkill": signal.SIGKILL}[how])
        out, _ = proc.communicate(timeout=60)
    assert settle(before) == before
    deadline = time.monotonic() + 5
    while plugin_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not plugin_processes(), "plugin processes outlived the run"
    if how in ("sigint", "sigterm"):
        import json

        assert proc.returncode == pytest.ExitCode.INTERRUPTED, out.decode()[-3000:]
        assert "incomplete" in out.decode(), out.decode()[-3000:]
        run = json.loads((tmp_path / "report.json").read_text())["runs"][0]
        assert run["interrupted"] and {v["verdict"] for v in run["verdicts"]} <= {"incomplete", "does-not-conform"}, run["verdicts"]
