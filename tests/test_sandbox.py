"""The sandbox holds: a hostile plugin changes nothing on the machine, and what changes is caught.

Each plugin in tests/plugins/hostile/ is Debian's Go bridge with one hostile
act before its ADD. The act must be harmless (the run still conforms, since
the plugin's own work is unaffected) and the machine identical afterwards:
namespaces, links, addresses, routes, packet filter rules, mounts, processes,
and files outside temporary directories.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from cnitest import machine

from .conftest import FAULTY, SUITES, require_go, run_suite

HOSTILE = FAULTY / "hostile"
WATCHED_DIRS = ("/etc", "/run", "/var/lib")  # where a plugin's stray files would land


def files() -> set[str]:
    out = set()
    for top in WATCHED_DIRS:
        for dirpath, dirs, names in os.walk(top):
            dirs[:] = [d for d in dirs if not os.path.ismount(os.path.join(dirpath, d))]
            out.update(os.path.join(dirpath, n) for n in names)
    return out


def processes() -> set[str]:
    out = set()
    for pid in os.listdir("/proc"):
        try:
            out.add(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip())
        except OSError:
            continue
    return out


def machine_state() -> dict[str, object]:
    """What the hostile acts could leave. Names are the acts' own (cnitest-hostile, cnitest-pin), so
    that other tests running meanwhile (named namespaces, exec's result cache) are not counted."""
    named = sorted(n for n in os.listdir("/run/netns") if "cnitest-pin" in n) if os.path.isdir("/run/netns") else []
    legacy = subprocess.run(["iptables-legacy-save"], capture_output=True, text=True).stdout if os.path.exists("/usr/sbin/iptables-legacy-save") else ""
    return {"machine": machine.snapshot(), "netns": named, "files": {f for f in files() if "cnitest-hostile" in f},
            "legacy-iptables": sorted(l for l in legacy.splitlines() if not l.startswith("#"))}


@pytest.mark.parametrize("act", sorted(p.name for p in HOSTILE.iterdir()))
def test_hostile_act_is_harmless(act, tmp_path):
    require_go("bridge")
    before, procs_before = machine_state(), processes()
    report = tmp_path / "report.json"
    run = run_suite(HOSTILE / act / "bridge", str(SUITES / "test_smoke.py"), "--cni-version=1.0.0", f"--cni-report={report}")
    assert run.returncode == 0, f"the act should change nothing the plugin needs, so the run conforms\n{run!r}"
    after = machine_state()
    for key in before:
        assert after[key] == before[key], f"{act} changed the machine's {key}"
    survivors = {p for p in processes() - procs_before if "sleep 301" in p}
    assert not survivors, f"processes outlived the run: {survivors}"
    if act == "files":  # what it wrote in its private directories is listed, as information
        import json

        written = {f for t in json.loads(report.read_text())["runs"][0]["tests"] for f in t.get("sandbox_files", [])}
        assert {"/run/cnitest-hostile", "/var/lib/cni/cnitest-hostile/x"} <= written, written


def test_changing_the_machine_fails_the_test_and_is_undone(tmp_path):
    """Detection: whoever changes the machine during a test, the test fails under the sandbox rule."""
    require_go("bridge")
    if os.environ.get("CNITEST_USERNS"):
        pytest.skip("rootless: this test cannot change the machine to prove the detection")
    author_test = tmp_path / "test_mine.py"
    author_test.write_text(
        "from pyroute2 import IPRoute\n"
        "def test_leaves_a_link():\n"
        "    with IPRoute() as ipr:\n"
        "        ipr.link('add', ifname='cnitest-leak0', kind='veth', peer='cnitest-leak1')\n"
    )
    before = machine.snapshot()
    report = tmp_path / "r.json"
    run = run_suite("/usr/lib/cni/bridge", str(author_test), f"--cni-report={report}")
    assert run.returncode == 1, run
    assert "sandbox.host-untouched" in run.output and "cnitest-leak0" in run.output, run
    assert machine.snapshot() == before, "the link the test made was not undone"
    import json

    tests = json.loads(report.read_text())["runs"][0]["tests"]
    assert [t["rules"] for t in tests if t["outcome"] == "fail"] == [["sandbox.host-untouched"]], tests


def test_a_hanging_verb_does_not_multiply_the_run():
    """After CHECK timed out once, later CHECK tests are blocked at once: the run stays within 2x."""
    import time

    require_go("bridge")
    args = ("--cni-version=1.0.0", "--cni-timeout=4", "-p", "no:xdist")  # all suites
    start = time.monotonic()
    good = run_suite("/usr/lib/cni/bridge", *args)
    plain = time.monotonic() - start
    start = time.monotonic()
    hung = run_suite(FAULTY / "check-hangs" / "bridge", *args)
    took = time.monotonic() - start
    # the Go bridge's only failures are its known MUST departures (CNI_COMMAND empty or unset exits 0)
    assert set(good.failed()) <= {"test_unknown_command_fails[1.0.0-empty]", "test_unknown_command_fails[1.0.0-unset]"}, good
    assert hung.returncode == 1, hung
    assert "blocked: CHECK already timed out" in hung.output, hung
    assert took <= 2 * plain, f"{took:.1f}s with a hanging CHECK vs {plain:.1f}s without"
