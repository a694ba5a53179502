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
         f"--basetemp={tmp_path / 'basetemp'}"],
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


@pytest.mark.parametrize("how", ["complete", "sigint", "sigkill"])
def test_nothing_left_behind(tmp_path, how):
    before = machine_state()
    proc = start_run(tmp_path)
    if how == "complete":
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out.decode()[-3000:]
    else:
        time.sleep(2.5)  # several tests in, with a plugin call under way
        assert proc.poll() is None, "the run ended before it could be interrupted"
        proc.send_signal(signal.SIGINT if how == "sigint" else signal.SIGKILL)
        proc.communicate(timeout=60)
    assert settle(before) == before
