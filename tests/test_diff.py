"""`cnitest diff`: differential runs of two builds of a plugin (cnitest.differential).

Proven both ways: a seeded behavioural difference (Debian's Go host-local
against a copy whose DEL does nothing) is found with a short reproducer for
both plugins, by the fixed sequence run before hypothesis draws any (whatever it
draws); a plugin against itself shows no difference
within the CI example budget. The normalization (what is compared by shape,
what by value) is tested on its own, cheaply.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cnitest import netns
from cnitest.differential import (
    PLUGIN_MAC,
    PLUGIN_NAME,
    _Context,
    _first_difference,
    address_shape,
    kernel_shape,
    normalize_result,
    observe,
)
from cnitest.runner import CniError, Invocation, Runner
from cnitest.strategies import allocatable

from .conftest import FAULTY, require_go

ROOT = Path(__file__).resolve().parent.parent
DEL_DOES_NOTHING = FAULTY / "del-keeps-address" / "host-local"  # a shell script (fast to start), not a tests/plugins/faulty wrapper


def cnitest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cnitest.cli", "diff", *args], capture_output=True, text=True,
                          timeout=240, cwd=cwd, check=False)


def one_address_config(tmp_path: Path) -> Path:
    """host-local on one address: ADD, DEL, ADD shows a DEL that releases nothing, and the
    address is compared by value (both plugins had no choice)."""
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"ipam": {"type": "host-local", "ranges": [[{"subnet": "10.9.0.0/29", "rangeStart": "10.9.0.2",
                                                                             "rangeEnd": "10.9.0.2"}]]}}))
    return path


def test_diff_finds_a_seeded_difference_with_a_short_reproducer(tmp_path):
    go = require_go("host-local")
    repro = tmp_path / "repro.sh"
    # CI budget: 6 steps a sequence, 40 s of shrinking (hypothesis's own bound is 5 minutes)
    proc = cnitest(str(go), str(DEL_DOES_NOTHING), "--config", str(one_address_config(tmp_path)), "--cni-version", "1.0.0",
                   "--steps", "6", "--shrink-seconds", "40", "--reproducer", str(repro), cwd=tmp_path)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    first = out.splitlines()[0]
    assert first.startswith("first difference, at step ") and "exit status" in first, out
    assert f"A ({go}): 'exit 0'" in out and f"B ({DEL_DOES_NOTHING}): 'exit 1'" in out, out
    script = repro.read_text()
    assert script.startswith("#!/usr/bin/env bash") and os.access(repro, os.X_OK)
    a, b = script.split("# ===== B: ")
    # short: found by the fixed sequence (release_and_refill) before any drawn one, so nothing else
    # ran: ADD, ADD (the range is exhausted) and its DEL, DEL, ADD (the address is still taken)
    total = int(out.rsplit("sequence(s), ", 1)[1].split()[0])
    for side in (a, b):
        assert 3 <= side.count("CNI_COMMAND=") <= 6 and side.count("CNI_COMMAND=") == total // 2, script
        assert side.count("CNI_COMMAND=DEL") >= 1, script
        assert "${T}/ipam" in side and "/proc/" not in side, script
    assert str(go) in a and str(DEL_DOES_NOTHING) in b
    assert not (tmp_path / ".hypothesis").exists(), "hypothesis left its directory in the working directory"


def test_diff_finds_no_difference_between_a_plugin_and_itself(tmp_path):
    go = require_go("host-local")
    proc = cnitest(str(go), str(go), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    line = proc.stdout.strip()
    assert line.startswith(f"no difference between {go} and {go} in ") and "cniVersion 1.0.0" in line, line
    sequences = int(line.split(" in ", 1)[1].split()[0])
    assert sequences >= 12, line  # the CI profile's budget was spent, not cut short
    assert not (tmp_path / ".hypothesis").exists()


def test_the_fixed_sequence_finds_a_leaking_del_whatever_hypothesis_draws(tmp_path):
    """Hypothesis draws one sequence of one step, too short for any difference: `release_and_refill` alone finds
    the seeded one, and each side's replay script ends every call as it did; a plugin against itself shows none."""
    from cnitest import hypothesis_settings
    from cnitest.differential import DiffTarget, make_machine, release_and_refill, run_diff

    go = require_go("host-local")
    nothing_drawn = hypothesis_settings.current(max_examples=1, stateful_step_count=1)
    found = run_diff(DiffTarget(go, DEL_DOES_NOTHING, "1.0.0", workdir=str(tmp_path)), nothing_drawn)
    diff = found.difference
    assert diff is not None and not found.flaky and found.examples == 1, found
    # a range of 2: ADD c1, ADD c2, ADD c3 (exhausted) and its DEL, DEL c1, ADD c4: B's address is still taken
    assert (diff.step, diff.what, diff.a, diff.b) == ("step 6 (ADD c4/eth0)", "exit status", "'exit 0'", "'exit 1'"), diff
    assert [side.count("CNI_COMMAND=") for side in diff.scripts] == [6, 6] and found.calls == 12, diff.reproducer
    for script in diff.scripts:
        done = subprocess.run(["bash", "-c", script], check=False, capture_output=True, text=True, timeout=120,
                              env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
        assert done.returncode == 1 and "=== the fault shows" in done.stdout, done.stdout + done.stderr
    same = DiffTarget(go, go, "1.0.0", workdir=str(tmp_path))
    release_and_refill(make_machine(same))  # no DifferenceFound
    assert same.stats == {"examples": 1, "calls": 12}, same.stats


@pytest.mark.parametrize("args, words", [
    (["/nonexistent", "/bin/true"], "PLUGIN_A /nonexistent: no such file"),
    (["/usr/lib/cni/host-local", "/etc/passwd"], "PLUGIN_B /etc/passwd: not executable"),
    (["/usr/lib/cni/host-local", "/usr/lib/cni/host-local", "--cni-version", "9.9.9"], "--cni-version 9.9.9: unknown"),
    (["/usr/lib/cni/loopback", "/usr/lib/cni/loopback"], "drives only host-local style IPAM"),
    (["/usr/lib/cni/host-local", "/usr/lib/cni/host-local", "--examples", "0"], "--examples must be at least 1"),
])
def test_usage_errors_are_one_line_and_exit_4(args, words, tmp_path):
    require_go("host-local")
    proc = cnitest(*args, cwd=tmp_path)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and words in proc.stderr, proc.stderr


# ---------------------------------------------------------------------- the normalization


def ctx(ipam, netns_path="/proc/1/fd/5", holders=None):
    return _Context(netns_path, frozenset({"eth0", "cni0", "lo"}), allocatable(ipam), holders or {})


RANGE = {"ranges": [[{"subnet": "10.9.0.0/24", "rangeStart": "10.9.0.10", "rangeEnd": "10.9.0.20"}]]}
ONE = {"ranges": [[{"subnet": "10.9.0.0/24", "rangeStart": "10.9.0.10", "rangeEnd": "10.9.0.10"}]]}


def test_addresses_the_plugin_chooses_compare_by_shape_and_by_value_when_there_is_no_choice():
    alloc = allocatable(RANGE)
    assert address_shape("10.9.0.11/24", alloc) == address_shape("10.9.0.17/24", alloc)
    assert address_shape("10.9.0.11/24", alloc) != address_shape("10.9.0.11/25", alloc)  # the prefix is not the plugin's choice
    assert "the gateway" in address_shape("10.9.0.1/24", alloc)
    assert "outside 10.9.0.10-10.9.0.20" in address_shape("10.9.0.30/24", alloc)
    assert "outside every configured subnet" in address_shape("10.8.0.30/24", alloc)
    assert address_shape("10.9.0.11/24", alloc, {ipaddress.ip_address("10.9.0.11"): ["c1/eth0"]}).endswith("also held by c1/eth0")
    assert address_shape("10.9.0.10/24", allocatable(ONE)) == "10.9.0.10/24"  # one address: both plugins had no choice


def test_a_result_is_normalized_by_what_the_spec_leaves_to_the_plugin():
    doc = {"cniVersion": "1.0.0",
           "interfaces": [{"name": "cni0", "mac": "0e:f0:57:24:4c:81"}, {"name": "veth1a2b3c4d", "mac": "ae:8d:d5:2e:ac:4f"},
                          {"name": "eth0", "mac": "7e:15:35:74:49:b8", "sandbox": "/proc/1/fd/5"}],
           "ips": [{"interface": 2, "address": "10.9.0.12/24", "gateway": "10.9.0.1"}], "dns": {}}
    norm = normalize_result(doc, ctx(RANGE))
    assert [i["name"] for i in norm["interfaces"]] == ["cni0", PLUGIN_NAME, "eth0"]
    assert {i["mac"] for i in norm["interfaces"]} == {PLUGIN_MAC}
    assert norm["interfaces"][2]["sandbox"] == "$CNI_NETNS"
    assert norm["ips"][0]["gateway"] == "10.9.0.1" and norm["ips"][0]["interface"] == 2
    assert norm["dns"] == {}  # an interface plugin's result keeps its sections as they are
    other = json.loads(json.dumps(doc).replace("10.9.0.12", "10.9.0.19").replace("veth1a2b3c4d", "vethffff0000").replace("/proc/1/fd/5", "/proc/1/fd/9"))
    assert normalize_result(other, ctx(RANGE, "/proc/1/fd/9")) == norm
    ipam = ctx(RANGE)
    ipam.ipam = True
    assert "dns" not in normalize_result(doc, ipam)  # "Delegated plugins may omit irrelevant sections"


def invocation(exit_code, code):
    return Invocation(verb="ADD", plugin="/p", env={}, stdin=b"{}", host_ns="h", cni_version="1.0.0", exit_code=exit_code,
                      error=CniError(code, "no addresses"))


def test_observation_compares_exit_status_and_code_strictly_unless_spec_equivalent():
    c100, c999 = invocation(1, 100), invocation(2, 999)
    strict = ctx(RANGE)
    assert observe(c100, strict) != observe(c999, strict)
    loose = ctx(RANGE)
    loose.spec_equivalent = True
    assert observe(c100, loose) == observe(c999, loose)  # any non-zero exit, any code 100+: what the spec fixes
    assert observe(invocation(1, 7), loose) != observe(c100, loose)  # well-known codes stay


def test_kernel_state_is_compared_by_shape_and_counts_repeats():
    def snap(veth):
        return netns.Snapshot(links=[netns.Link(1, "lo", None, "00:00:00:00:00:00", True, 65536, None, 0),
                                     netns.Link(2, "cni0", "bridge", "0e:f0:57:24:4c:81", True, 1500, None, 0),
                                     netns.Link(3, veth, "veth", "ae:8d:d5:2e:ac:4f", True, 1500, 2, 0)],
                              addresses=[netns.Address(2, "10.9.0.1", 24, 2), netns.Address(3, "fe80::1", 64, 10)],
                              routes=[netns.Route(2, "10.9.0.0/24", None, 2, 254), netns.Route(10, "fe80::/64", None, 3, 254)])
    alloc = allocatable(RANGE)
    fixed = frozenset({"lo", "cni0", "eth0"})
    a, b = kernel_shape(snap("veth1"), fixed, alloc), kernel_shape(snap("veth2"), fixed, alloc)
    assert a == b and f"link {PLUGIN_NAME} (veth) UP mtu 1500 master cni0" in a
    assert not any("fe80" in line for line in a)  # link-local: the kernel's, on its own schedule
    two = kernel_shape(netns.Snapshot(links=snap("veth1").links + [netns.Link(4, "veth9", "veth", None, True, 1500, 2, 0)]), fixed, alloc)
    assert _first_difference(two, kernel_shape(netns.Snapshot(links=snap("veth1").links), fixed, alloc))[0].endswith("master cni0")


# ---------------------------------------------------------------------- differences found, fixed in our plugins


def test_reference_plugins_print_an_empty_dns_section(sandbox, tmp_path):
    """Found by `cnitest diff` against Go: SPEC.md lists `dns` among the keys a successful ADD must output."""
    from cnitest.reference_plugins import plugins_dir

    runner = Runner(plugins_dir() / "host-local", sandbox)
    for version in ("0.2.0", "0.4.0", "1.0.0"):
        conf = {"cniVersion": version, "name": "dns", "ipam": {"type": "host-local", "subnet": "10.9.0.0/29", "dataDir": str(tmp_path)}}
        add = runner.invoke("ADD", conf, "None", "eth0", f"c{version.replace('.', '')}")
        assert add.succeeded and add.valid, add.describe()
        assert add.result["dns"] == {}, add.describe()


# ---------------------------------------------------------------------- the pytest option


def option_args(tmp_path: Path) -> tuple[str, ...]:
    from .conftest import SUITES

    conf = tmp_path / "conf.json"
    conf.write_text(json.dumps({"cniVersion": "1.0.0", "name": "d", **json.loads(one_address_config(tmp_path).read_text())}))
    return str(SUITES / "test_differential.py"), "--cni-version=1.0.0", f"--cni-config={conf}"


def test_pytest_option_adds_a_differential_test(tmp_path):
    from .conftest import run_suite

    go = require_go("host-local")
    same = run_suite(go, f"--cni-diff-against={go}", *option_args(tmp_path))
    assert same.passed() == ["test_no_difference_from_the_other_build[1.0.0]"], same
    unasked = run_suite(go, *option_args(tmp_path))
    assert [n for n, (o, _) in unasked.outcomes.items() if o == "skipped"] == ["test_no_difference_from_the_other_build[1.0.0]"], unasked
    bad = run_suite(go, "--cni-diff-against=/etc/passwd", *option_args(tmp_path))
    assert bad.returncode == 4 and "--cni-diff-against: /etc/passwd is not an executable file" in bad.output, bad


def test_pytest_option_fails_on_a_seeded_difference(tmp_path):
    """The fixed sequence the differential run starts with finds the leak at once (it was a slow test: a minute of shrinking)."""
    from .conftest import run_suite

    go = require_go("host-local")
    seeded = run_suite(go, f"--cni-diff-against={DEL_DOES_NOTHING}", *option_args(tmp_path))
    failure = seeded.failed().get("test_no_difference_from_the_other_build[1.0.0]", "")
    assert "first difference, at step" in failure and "exit status" in failure and str(DEL_DOES_NOTHING) in failure, seeded
