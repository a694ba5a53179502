"""The IPAM state machine catches each faulty IPAM plugin, and passes Go host-local.

The faulty plugins live in tests/plugins/ipam/ (one fault each, sharing a small
host-local look-alike). Each must fail with the right invariant and a printed,
shrunk reproducer a person can paste.
"""

from __future__ import annotations

import ipaddress
import os
import time

import pytest
from hypothesis import given

from cnitest import hypothesis_settings, ipam_machine, strategies
from cnitest.budget import Budget
from cnitest.ipam_machine import IpamInvariantError, IpamRun, check_concurrent_adds, run_machine
from cnitest.runner import Runner
from cnitest.target import Target

from .conftest import FAULTY, SUITES, require_go, run_suite

GO_VERSIONS = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0")
BRIDGE = {"type": "bridge", "bridge": "cni0", "isGateway": True, "ipMasq": False, "ipam": {"type": "host-local"}}


@pytest.fixture(autouse=True)
def fast_python(monkeypatch):
    """The faulty plugins are `#!/usr/bin/env python3`: find the system one first (no pyenv shim)."""
    if os.access("/usr/bin/python3", os.X_OK):
        monkeypatch.setenv("PATH", "/usr/bin:" + os.environ.get("PATH", ""))


def ipam_run(plugin, version="1.0.0", kind="ipam", template=None, cni_path=(), **kw) -> IpamRun:
    """The machine's run on `plugin` at `version` (a host-local config unless `template`)."""
    return IpamRun(Target.of(plugin, kind, template or {"ipam": {"type": "host-local"}}, cni_path), version, **kw)


def fake(name: str) -> str:
    return str(FAULTY / "ipam" / name)


def v4_only(version: str = "1.0.0"):
    return strategies.valid_ipam_configs(version, max_range_sets=1, max_ranges=2, families=("4",), v4_prefixes=(28, 30))


FAULTS = [
    ("same-address", ipam_machine.UNIQUE, "which c"),
    ("hands-out-gateway", ipam_machine.RESERVED, "the gateway"),
    ("ignores-range", ipam_machine.IN_RANGE, "outside rangeStart..rangeEnd"),
    ("hands-out-network", ipam_machine.RESERVED, "the network address"),
    ("no-release", ipam_machine.FREE, "failed while every range set had a free address"),
    ("exhaustion-exit-0", ipam_machine.EXHAUSTION, "exited 0"),
    ("no-locking", ipam_machine.UNIQUE, "still holds"),
]


@pytest.mark.parametrize("name, invariant, words", FAULTS, ids=[f[0] for f in FAULTS])
def test_faulty_plugin_is_caught_with_a_shrunk_reproducer(name, invariant, words, sandbox, tmp_path):
    run = ipam_run(fake(name), "1.0.0", host_ns=sandbox, ipam_configs=v4_only(), workdir=str(tmp_path), fill_limit=4)
    with pytest.raises(IpamInvariantError) as caught:
        run_machine(run, hypothesis_settings.current(max_examples=150, stateful_step_count=12))
    err = caught.value
    assert err.invariant == invariant, str(err)
    assert words in err.detail, str(err)
    assert "CNI_COMMAND=ADD" in err.reproducer and "<<CNI_STDIN" in err.reproducer, err.reproducer
    assert "${T}/ipam" in err.reproducer and "/proc/" not in err.reproducer, err.reproducer
    # shrunk: a handful of calls, not the whole random run
    assert err.reproducer.count("CNI_COMMAND=") <= 8, err.reproducer


def test_release_and_refill_finds_a_leak_in_five_calls(sandbox, tmp_path):
    """The fixed sequence run before the random examples: a DEL that releases nothing is
    caught whatever hypothesis would draw, and a correct plugin passes it."""
    run = ipam_run(fake("no-release"), "1.0.0", host_ns=sandbox, workdir=str(tmp_path))
    with pytest.raises(IpamInvariantError) as caught:
        ipam_machine.release_and_refill(run)
    assert caught.value.invariant == ipam_machine.FREE, str(caught.value)
    assert caught.value.reproducer.count("CNI_COMMAND=") == 5, caught.value.reproducer
    ipam_machine.release_and_refill(ipam_run(fake("good"), "1.0.0", host_ns=sandbox, workdir=str(tmp_path)))


def test_the_shrunk_reproducer_replays_as_a_script(sandbox, tmp_path):
    """The IPAM machine's reproducer is a cnitest.reproduce script: run, it ends every call as the failing run did (exit 1)."""
    import subprocess

    run = ipam_run(fake("same-address"), "1.0.0", host_ns=sandbox, ipam_configs=v4_only(), workdir=str(tmp_path), fill_limit=4)
    with pytest.raises(IpamInvariantError) as caught:
        run_machine(run, hypothesis_settings.current(max_examples=150, stateful_step_count=12))
    done = subprocess.run(["bash", "-c", caught.value.reproducer], check=False, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    assert done.returncode == 1 and "=== the fault shows" in done.stdout, done.stdout + done.stderr


def test_good_fake_passes(sandbox, tmp_path):
    run = ipam_run(fake("good"), "1.0.0", host_ns=sandbox, ipam_configs=v4_only(), workdir=str(tmp_path))
    run_machine(run, hypothesis_settings.current(max_examples=4, stateful_step_count=8))


@pytest.mark.parametrize("version", GO_VERSIONS)
def test_go_host_local_passes(version, sandbox, tmp_path):
    run = ipam_run(require_go("host-local"), version, host_ns=sandbox, workdir=str(tmp_path))
    run_machine(run)


@pytest.mark.parametrize("version", GO_VERSIONS)
def test_go_bridge_with_host_local_passes(version, sandbox, tmp_path):
    require_go("host-local")
    run = ipam_run(require_go("bridge"), version, kind="interface", template=BRIDGE,
                   cni_path=[str(require_go("host-local").parent)], host_ns=sandbox, workdir=str(tmp_path))
    run_machine(run, hypothesis_settings.current(max_examples=6, stateful_step_count=8))


def test_concurrent_adds_on_go_host_local(sandbox, tmp_path):
    run = ipam_run(require_go("host-local"), "1.0.0", host_ns=sandbox, workdir=str(tmp_path))
    out = check_concurrent_adds(run, attempts=32, capacity=20)
    assert len(out.addresses) == 20 == len(set(out.addresses)) and out.failures == 12


def test_concurrent_adds_through_go_bridge(sandbox, tmp_path):
    run = ipam_run(require_go("bridge"), "1.0.0", kind="interface", template=BRIDGE,
                   cni_path=[str(require_go("host-local").parent)], host_ns=sandbox, workdir=str(tmp_path))
    out = check_concurrent_adds(run, attempts=32, capacity=24)
    assert len(set(out.addresses)) == 24 and out.failures == 8


def test_concurrent_adds_catch_no_locking(sandbox, tmp_path):
    run = ipam_run(fake("no-locking"), "1.0.0", host_ns=sandbox, workdir=str(tmp_path))
    with pytest.raises(IpamInvariantError) as caught:
        check_concurrent_adds(run, attempts=32, capacity=20)
    assert caught.value.invariant == ipam_machine.UNIQUE
    assert "} &\n" in caught.value.reproducer and "\nwait" in caught.value.reproducer


def test_concurrent_adds_pass_on_the_good_fake(sandbox, tmp_path):
    run = ipam_run(fake("good"), "0.4.0", host_ns=sandbox, workdir=str(tmp_path))
    out = check_concurrent_adds(run, attempts=32, capacity=16)
    assert out.failures == 16


INVALID = sorted(set(strategies.INVALID_KINDS) - strategies.GO_ACCEPTS)


@pytest.mark.parametrize("version", ["0.2.0", "1.0.0"])
@pytest.mark.parametrize("kind", INVALID)
def test_go_host_local_refuses_invalid_configs(kind, version, sandbox, tmp_path):
    runner = Runner(require_go("host-local"), sandbox, timeout=10)
    counter = iter(range(10**6))

    @hypothesis_settings.current(max_examples=8)
    @given(bad=strategies.invalid_ipam_configs(version, kinds=[kind]))
    def refuses(bad):
        data_dir = tmp_path / f"d{next(counter)}"
        conf = {"cniVersion": version, "name": "invalid", "ipam": {**bad.ipam, "dataDir": str(data_dir)}}
        inv = runner.invoke("ADD", conf, "None", "eth0", "c1")
        assert inv.failed_cleanly and inv.error.code is not None, f"{bad.reason}: ADD must fail with an error JSON:\n{inv.describe()}"
        assert not strategies.address_files(str(data_dir)), f"{bad.reason}: addresses reserved: {strategies.address_files(str(data_dir))}"

    refuses()


def test_go_host_local_accepts_a_gateway_outside_the_subnet(sandbox, tmp_path):
    """A known departure, kept out of invalid_ipam_configs() by default (GO_ACCEPTS)."""
    runner = Runner(require_go("host-local"), sandbox)
    ipam = {"type": "host-local", "dataDir": str(tmp_path), "ranges": [[{"subnet": "10.1.0.0/30", "gateway": "10.9.0.1"}]]}
    inv = runner.invoke("ADD", {"cniVersion": "1.0.0", "name": "n", "ipam": ipam}, "None", "eth0", "c1")
    assert inv.succeeded, inv.describe()


# ---------------------------------------------------------------------- time budgets

LEAKY = FAULTY / "leaky" / "host-local"  # Go host-local, 0.3 s a call, a DEL that releases nothing
CI = hypothesis_settings.LIMITS["cnitest-ci"]
SLACK = 30  # pytest start-up, collection, the example in flight when the time ran out


def test_ipam_suite_on_a_slow_leaking_plugin_ends_within_its_budget():
    """The property suite against a slow, leaking host-local: a verdict (a failure and a
    reproducer) within the ci profile's budget, not a shrink of many minutes."""
    require_go("host-local")
    start = time.monotonic()
    run = run_suite(LEAKY, str(SUITES / "test_ipam_properties.py"), "--cni-version=1.0.0", "-p", "no:xdist")
    took = time.monotonic() - start
    print(f"IPAM property suite at 1.0.0 against the slow leaking host-local: {took:.1f} s")
    assert run.returncode == 1, run
    (name,) = [n for n in run.failed() if n.startswith("test_ipam_state_machine[") and "1.0.0" in n]
    message = run.failed()[name]
    assert ipam_machine.FREE in message, message
    assert "Reproduce" in message and "CNI_COMMAND=DEL" in message and "CNI_COMMAND=ADD" in message, message
    assert took <= CI.generate_seconds + CI.shrink_seconds + 30 + SLACK, f"{took:.1f} s"


def test_ipam_suite_passes_on_go_host_local():
    require_go("host-local")
    start = time.monotonic()
    run = run_suite(require_go("host-local"), str(SUITES / "test_ipam_properties.py"), "--cni-version=1.0.0", "-p", "no:xdist")
    print(f"IPAM property suite at 1.0.0 against Go host-local: {time.monotonic() - start:.1f} s")
    assert run.returncode == 0, run
    assert len(run.passed()) == 3, run


def test_teardown_counts_any_failure_of_an_example_for_the_budget(sandbox, tmp_path):
    """A harness error (not an invariant) in flight at teardown is a failure to the budget, so
    running out of time while hypothesis shrinks it raises it instead of passing."""
    budget = Budget(generate=0, shrink=60)
    run = ipam_run(fake("good"), "1.0.0", host_ns=sandbox, workdir=str(tmp_path), budget=budget)
    machine = ipam_machine.make_machine(run)()
    with pytest.raises(KeyError):
        try:
            raise KeyError("harness bug")
        finally:
            machine.teardown()
    assert isinstance(budget.best, KeyError)


# ---------------------------------------------------------------------- the strategies themselves


def addrs(*texts):
    return {ipaddress.ip_address(t) for t in texts}


@pytest.mark.parametrize(
    "rng, expected",
    [
        ({"subnet": "10.0.0.0/30"}, addrs("10.0.0.2")),  # .1 is the default gateway, .3 broadcast
        ({"subnet": "10.0.0.0/30", "gateway": "10.0.0.2"}, addrs("10.0.0.1")),
        ({"subnet": "10.0.0.0/29", "rangeStart": "10.0.0.3", "rangeEnd": "10.0.0.5", "gateway": "10.0.0.4"}, addrs("10.0.0.3", "10.0.0.5")),
        ({"subnet": "fd00::/126"}, addrs("fd00::2", "fd00::3")),  # no broadcast in IPv6
    ],
)
def test_allocatable_follows_go_host_local(rng, expected):
    (only,) = strategies.allocatable({"ranges": [[rng]]})
    assert set(only) == expected and len(only) == len(expected)


@hypothesis_settings.current(max_examples=60)
@given(ipam=strategies.valid_ipam_configs("0.2.0"))
def test_valid_configs_keep_old_versions_to_one_range_set_per_family(ipam):
    fams = [s.version for s in strategies.allocatable(ipam)]
    assert len(fams) == len(set(fams))
    for s in strategies.allocatable(ipam):
        for r in s.ranges:
            assert r.subnet.network_address < r.start <= r.end and r.end in r.subnet


def test_unknown_invalid_kind_is_refused():
    with pytest.raises(ValueError):
        strategies.invalid_ipam_configs(kinds=["nonsense"])
