"""A hypothesis state machine that drives an IPAM plugin through the Runner.

Each example draws a host-local style ``ipam`` section (cnitest.strategies),
gives it a fresh dataDir, and runs a random sequence of ADD, DEL, CHECK (from
0.4.0), ADD again after DEL, DEL of an attachment never added, parallel ADDs
and "ADD until exhausted". After every step it checks:

- each live attachment holds exactly one address per range set, inside its
  range (rangeStart..rangeEnd), never an IPv4 network/broadcast address and
  never the gateway;
- no two live attachments share an address;
- an ADD succeeds while every range set has a free address (so a DEL makes
  room again), and exhaustion is an error (non-zero exit and an error JSON);
- DEL succeeds, also for an attachment never added; CHECK of a live one does;
- every result validates against the requested version's schema and carries
  the configured gateway and routes.

It works on an IPAM plugin called directly (kind "ipam": the config is
``{"cniVersion", "name", "ipam"}`` and CNI_NETNS is "None" or a namespace) and
through an interface plugin (kind "interface", e.g. bridge, with one container
namespace per live attachment). A failure raises ``IpamInvariantError`` whose
message ends with the (shrunk) sequence as shell commands to paste.

With ``IpamRun.budget`` (a cnitest.budget.Budget) the run is bounded in wall
time: every example and every plugin call is charged to it, and when shrinking
runs out of time the failure with the fewest plugin calls found so far is raised.
"""

from __future__ import annotations

import ipaddress
import itertools
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import UnsatisfiedAssumption
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from . import hypothesis_settings, netns, strategies, versions
from .attachment import with_prev_result
from .budget import Budget
from .result import Result
from .runner import Blocked, Invocation, Runner
from .sequences import Step, all_at_once, example_config, ip_of, replay_script, small_range
from .target import Target

__all__ = [
    "CHECK_OK", "DEL_OK", "DEL_UNKNOWN", "EXHAUSTION", "FREE", "GATEWAY_ROUTES", "INVARIANTS", "IN_RANGE",
    "ONE_PER_SET", "RESERVED", "SCHEMA", "UNIQUE", "ConcurrencyOutcome", "IpamInvariantError", "IpamMachine", "IpamRun",
    "check_concurrent_adds", "make_machine", "release_and_refill", "run_machine",
]

# The invariants, by the words their failure messages start with.
ONE_PER_SET = "exactly one address per range set"
IN_RANGE = "every address inside its range"
RESERVED = "never the network, broadcast or gateway address"
UNIQUE = "no two live attachments share an address"
FREE = "ADD succeeds while every range set has a free address (DEL makes room again)"
EXHAUSTION = "exhaustion is an error (non-zero exit and an error JSON)"
DEL_OK = "DEL succeeds"
DEL_UNKNOWN = "DEL of an attachment never added succeeds"
CHECK_OK = "CHECK of a live attachment succeeds"
SCHEMA = "every result validates against the requested version's schema"
GATEWAY_ROUTES = "the result carries the configured gateway and routes"

INVARIANTS = (ONE_PER_SET, IN_RANGE, RESERVED, UNIQUE, FREE, EXHAUSTION, DEL_OK, DEL_UNKNOWN, CHECK_OK, SCHEMA, GATEWAY_ROUTES)


class IpamInvariantError(AssertionError):
    """An invariant broke; `invariant` is one of INVARIANTS, `reproducer` the shell script."""

    def __init__(self, invariant: str, detail: str, reproducer: str) -> None:
        self.invariant, self.detail, self.reproducer = invariant, detail, reproducer
        super().__init__(
            f"IPAM invariant violated: {invariant}\n{detail}\n\n"
            f"Reproduce (the shrunk sequence; paste into a root shell):\n{reproducer}"
        )


@dataclass
class IpamRun:
    """One run of the machine: the plugin under test (a cnitest Target: binary, kind,
    config template, CNI_PATH, time-out, the verbs that already timed out) and what
    the machine adds to it.

    The target's template is the plugin's config entry without cniVersion/name: for
    kind "ipam" ``{"ipam": {"type": ...}}``, for "interface" e.g. a bridge config;
    each example's ipam section replaces its ``ipam`` (keeping ``type``). Outside
    pytest make the target with ``Target.of(plugin, "ipam", {"ipam": {"type": "host-local"}})``.
    """

    target: Target
    cni_version: str
    host_ns: netns.Namespace | None = None  # shared by all examples; else one per example
    workdir: str | None = None  # where the per-example dataDirs go
    budget: Budget | None = None  # wall-clock budget of run_machine (None: hypothesis's counts only)
    fill_limit: int | None = None  # most ADDs one "fill" step makes (default 24 ipam, 8 interface)
    ipam_configs: st.SearchStrategy[dict[str, Any]] | None = None  # default: valid_ipam_configs(...)
    ifnames: tuple[str, ...] = ("eth0", "eth1")
    container_netns: bool = False  # kind "ipam": give a real namespace instead of "None"

    @property
    def kind(self) -> str:
        """The target profile's kind: "ipam" (called directly) or "interface"."""
        return self.target.profile.kind

    @property
    def plugin(self) -> Path:
        return self.target.plugin

    @property
    def template(self) -> dict[str, Any]:
        return self.target.template.plugin

    @property
    def ipam_type(self) -> str:
        ipam = self.template.get("ipam")
        return str((ipam.get("type") if isinstance(ipam, dict) else None) or self.plugin.name)

    def runner(self, host: netns.Namespace) -> Runner:
        """The target's runner in `host` (its result kind, CNI_PATH, time-out and hung verbs)."""
        return self.target.runner(host)

    def configs(self) -> st.SearchStrategy[dict[str, Any]]:
        if self.ipam_configs is not None:
            return self.ipam_configs
        if self.kind == "ipam":
            return strategies.valid_ipam_configs(self.cni_version, self.ipam_type)
        # Through an interface plugin: one range per family. The Go bridge with isGateway
        # puts each gateway on the bridge and refuses a second one of the same family; its
        # CHECK wants a route without gw in the table as given, but ADD installed it via the gateway.
        return strategies.valid_ipam_configs(self.cni_version, self.ipam_type, max_range_sets=1, max_ranges=1, route_gw=True)


@dataclass
class LiveAttachment:
    """An attachment the model holds: what its ADD returned, and where it lives."""

    container_id: str
    ifname: str
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address]
    result: dict[str, Any]
    ns: netns.Namespace | None
    ns_name: str | None = None  # the namespace's name in the reproducer


class IpamMachine(RuleBasedStateMachine):
    """The machine; `make_machine(run)` binds it to one plugin and version."""

    run: IpamRun

    attachments = Bundle("attachments")
    released = Bundle("released")

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[tuple[str, str], LiveAttachment] = {}
        self.steps: list[Step] = []
        self.ids = itertools.count(1)
        self.ns_names = itertools.count(1)
        self.example_dir: str | None = None
        self.own_host: netns.Namespace | None = None
        self.open_ns: list[netns.Namespace] = []
        self.conf: dict[str, Any] = {}
        self.ipam: dict[str, Any] = {}
        self.alloc: list[strategies.AllocatableSet] = []

    # ------------------------------------------------------------------ setup

    def setup_example(self, ipam: dict[str, Any]) -> None:
        """Fresh dataDir (and host namespace unless shared) and the config of one example."""
        t = self.run
        if t.budget is not None:
            t.budget.begin_example()
        self.example_dir = tempfile.mkdtemp(prefix="cnitest-ipam-", dir=t.workdir)
        host = t.host_ns
        if host is None:
            host = self.own_host = netns.new("ipam-host")
        self.conf = example_config(t.template, ipam, t.ipam_type, t.cni_version, self.example_dir)
        self.ipam = self.conf["ipam"]
        self.alloc = strategies.allocatable(self.ipam)
        self.runner = t.runner(host)

    def teardown(self) -> None:
        # hypothesis calls teardown in a `finally`: the example's exception, if any, is in flight.
        # Every failure counts for the budget, not only invariants: a harness error being
        # shrunk must not pass when the time runs out.
        failure = sys.exc_info()[1]
        if self.run.budget is not None and isinstance(failure, Exception) and not isinstance(failure, (UnsatisfiedAssumption, Blocked)):
            self.run.budget.failed(failure, sum(len(s.calls) for s in self.steps))
        for ns in self.open_ns:
            ns.close()
        self.open_ns.clear()
        if self.own_host is not None:
            self.own_host.close()
        if self.example_dir:
            shutil.rmtree(self.example_dir, ignore_errors=True)

    # ------------------------------------------------------------------ calls

    def _container(self) -> tuple[netns.Namespace | str, str | None, netns.Namespace | None]:
        """CNI_NETNS for a new attachment, its reproducer name, and the namespace to close later."""
        if self.run.kind == "ipam" and not self.run.container_netns:
            return "None", None, None
        ns = netns.new("ipam-container")
        self.open_ns.append(ns)
        if self.run.kind == "interface":
            ns.no_dad()
        return ns, f"cnitest-c{next(self.ns_names)}", ns

    def _conf_with_prev(self, result: dict[str, Any] | None) -> dict[str, Any]:
        return with_prev_result(self.conf, result, self.run.cni_version)

    def _call(self, verb: str, cid: str, ifname: str, where: netns.Namespace | str, conf: dict[str, Any], charge: bool = True) -> Invocation:
        """One plugin call; `charge=False` for a call of a batch charged at once (from a worker thread)."""
        if charge:
            self._charge()
        return self.runner.invoke(verb, conf, where, ifname, cid)

    def _charge(self) -> None:
        if self.run.budget is not None:
            self.run.budget.charge()

    def _close(self, ns: netns.Namespace | None) -> None:
        if ns is not None:
            ns.close()
            if ns in self.open_ns:
                self.open_ns.remove(ns)

    # ------------------------------------------------------------------ the model

    def used(self, index: int) -> int:
        return sum(1 for a in self.live.values() if len(a.addresses) > index)

    def free(self) -> list[int]:
        """Free addresses per range set, by the model."""
        return [max(0, len(s) - self.used(i)) for i, s in enumerate(self.alloc)]

    def fail(self, invariant: str, detail: str) -> None:
        raise IpamInvariantError(invariant, detail, self.script())

    def script(self) -> str:
        """The sequence so far as a replay script (cnitest.reproduce) a person can run or paste."""
        return replay_script(self.steps, self.ipam.get("dataDir", ""), title=f"the shrunk IPAM sequence of {self.run.plugin}",
                             tmp_dirs=[self.example_dir] if self.example_dir else [])

    # ------------------------------------------------------------------ checks of one ADD

    def _check_success(self, inv: Invocation, cid: str, ifname: str, full: list[int]) -> list[Any]:
        """Check a successful ADD against the model; the addresses, in range-set order."""
        res = Result.read(inv.result)
        where = f"ADD {cid}/{ifname}"
        unreadable = [f"{path} {why}" for path, why in res.unreadable.items() if path.endswith((".address", ".ip"))]
        if unreadable:
            self.fail(SCHEMA, f"{where}: {'; '.join(unreadable)} (an address in CIDR form):\n{inv.describe()}")
        if full and not res.ips:
            sets = ", ".join(f"{i} ({self.alloc[i].describe()})" for i in full)
            self.fail(EXHAUSTION, f"{where} exited 0 although range set {sets} had no free address:\n{inv.describe()}")
        per_set: dict[int, list[Any]] = {}
        for ip in res.ips:
            addr = ip.address.ip
            index = next((i for i, s in enumerate(self.alloc) if s.range_for(addr) is not None), None)
            if index is None:
                self.fail(IN_RANGE, f"{where} returned {addr}, outside every configured subnet ({self._sets()}):\n{inv.describe()}")
            assert index is not None
            rng = self.alloc[index].range_for(addr)
            assert rng is not None
            what = rng.reserved().get(addr)
            if what:
                self.fail(RESERVED, f"{where} handed out {what} {addr} of {rng.subnet} (range {rng.describe()}):\n{inv.describe()}")
            if not int(rng.start) <= int(addr) <= int(rng.end):
                self.fail(IN_RANGE, f"{where} returned {addr}, outside rangeStart..rangeEnd {rng.start}-{rng.end} of {rng.subnet}:\n{inv.describe()}")
            if ip.address.network.prefixlen != rng.subnet.prefixlen:
                self.fail(IN_RANGE, f"{where} returned {ip.address}; the prefix length must be the subnet's ({rng.subnet}):\n{inv.describe()}")
            for other in self.live.values():
                if addr in other.addresses:
                    self.fail(UNIQUE, f"{where} got {addr}, which {other.container_id}/{other.ifname} still holds:\n{inv.describe()}")
            if ip.gateway is None or ip.gateway != rng.gateway:
                self.fail(GATEWAY_ROUTES, f"{where}: {addr} comes with gateway {ip.gateway}, the range's gateway is {rng.gateway}:\n{inv.describe()}")
            per_set.setdefault(index, []).append(addr)
        if full:
            sets = ", ".join(str(i) for i in full)
            self.fail(EXHAUSTION, f"{where} exited 0 although range set {sets} had no free address:\n{inv.describe()}")
        counts = [len(per_set.get(i, [])) for i in range(len(self.alloc))]
        if any(c != 1 for c in counts):
            self.fail(ONE_PER_SET, f"{where} returned {counts} addresses for the range sets {self._sets()}:\n{inv.describe()}")
        if not inv.valid:
            self.fail(SCHEMA, f"{where}: the result is not a valid {self.run.cni_version} result:\n{inv.describe()}")
        have = {(r.dst, r.gw) for r in res.routes}
        missing = [r for r in strategies.routes_of(self.ipam) if _route_key(r) not in have]
        if missing:
            self.fail(GATEWAY_ROUTES, f"{where}: configured routes missing from the result: {missing}:\n{inv.describe()}")
        return [per_set[i][0] for i in range(len(self.alloc))]

    def _sets(self) -> str:
        return "; ".join(f"[{s.describe()}]" for s in self.alloc)

    def _settle_add(self, inv: Invocation, cid: str, ifname: str, ns: netns.Namespace | None, name: str | None) -> LiveAttachment | None:
        """Judge one ADD (successes must be judged before failures of the same batch)."""
        full = [i for i, f in enumerate(self.free()) if f == 0]
        if inv.succeeded:
            addrs = self._check_success(inv, cid, ifname, full)
            att = LiveAttachment(cid, ifname, addrs, inv.result or {}, ns, name)
            self.live[(cid, ifname)] = att
            return att
        if not full:
            self.fail(FREE, f"ADD {cid}/{ifname} failed while every range set had a free address "
                      f"(free: {self.free()} in {self._sets()}):\n{inv.describe()}")
        if not inv.failed_cleanly:
            self.fail(EXHAUSTION, f"ADD {cid}/{ifname} on an exhausted range set did not fail with a non-zero exit "
                      f"and an error JSON:\n{inv.describe()}")
        self._close(ns)
        return None

    # ------------------------------------------------------------------ steps (public: the rules and the fixed sequences use them)

    def add_container(self, ifname: str = "eth0", cid: str | None = None, title: str = "ADD {cid}/{ifname}") -> LiveAttachment | None:
        """ADD one container (a new id unless `cid`), recorded as the step `title`, judged
        against the model: the live attachment, or None when the ADD failed as it should."""
        cid = cid or f"c{next(self.ids)}"
        where, name, ns = self._container()
        inv = self._call("ADD", cid, ifname, where, self.conf)
        self.steps.append(Step(title.format(cid=cid, ifname=ifname), [(inv, name)]))
        return self._settle_add(inv, cid, ifname, ns, name)

    def add_at_once(self, cids: Sequence[str], title: str) -> list[Invocation]:
        """ADDs (on eth0) of the containers `cids`, released together on threads and charged
        as one call; one parallel step `title`, judged successes first (a failure is only
        right once the successes have filled the range). The ADDs' Invocations, in order."""
        self._charge()
        batch = [(cid, self._container()) for cid in cids]
        out: list[Invocation | None] = [None] * len(batch)

        def add(i: int) -> None:
            cid, (where, _, _) = batch[i]
            out[i] = self._call("ADD", cid, "eth0", where, self.conf, charge=False)

        all_at_once(add, len(batch))
        invs = [inv for inv in out if inv is not None]
        self.steps.append(Step(title, [(inv, b[1][1]) for inv, b in zip(invs, batch)], parallel=True))
        for i in sorted(range(len(invs)), key=lambda i: 0 if invs[i].exit_code == 0 else 1):
            cid, (_, name, ns) = batch[i]
            self._settle_add(invs[i], cid, "eth0", ns, name)
        return invs

    def delete_at_once(self, atts: Sequence[LiveAttachment], title: str) -> None:
        """DELs of the live attachments `atts` (each with its ADD result as prevResult),
        released together; each must succeed, and each leaves the model."""
        self._charge()
        atts = list(atts)
        dels: list[Invocation | None] = [None] * len(atts)

        def delete(i: int) -> None:
            att = atts[i]
            where: netns.Namespace | str = att.ns if att.ns is not None else "None"
            dels[i] = self._call("DEL", att.container_id, att.ifname, where, self._conf_with_prev(att.result), charge=False)

        all_at_once(delete, len(atts))
        self.steps.append(Step(title, [(d, a.ns_name) for d, a in zip(dels, atts) if d is not None], parallel=True))
        for att, d in zip(atts, dels):
            assert d is not None
            if not d.succeeded:
                self.fail(DEL_OK, f"concurrent DEL {att.container_id} failed:\n{d.describe()}")
            self.live.pop((att.container_id, att.ifname), None)

    # ------------------------------------------------------------------ rules

    def add_new(self, ifname: str) -> Any:
        """ADD a new container (the `add` rule; bound to the run's ifnames in make_machine)."""
        att = self.add_container(ifname)
        return att if att is not None else multiple()

    @rule(target=attachments, key=consumes(released))
    def add_again(self, key: tuple[str, str]) -> Any:
        cid, ifname = key
        att = self.add_container(ifname, cid, "ADD {cid}/{ifname} again, after its DEL")
        return att if att is not None else multiple()

    @rule(target=released, att=consumes(attachments))
    def delete(self, att: LiveAttachment) -> tuple[str, str]:
        where: netns.Namespace | str = att.ns if att.ns is not None else "None"
        inv = self._call("DEL", att.container_id, att.ifname, where, self._conf_with_prev(att.result))
        self.steps.append(Step(f"DEL {att.container_id}/{att.ifname}", [(inv, att.ns_name)]))
        if not inv.succeeded:
            self.fail(DEL_OK, f"DEL {att.container_id}/{att.ifname} failed:\n{inv.describe()}")
        self.live.pop((att.container_id, att.ifname), None)
        self._close(att.ns)
        return (att.container_id, att.ifname)

    @rule()
    def delete_unknown(self) -> None:
        cid = f"never-added-{next(self.ids)}"
        where, name, ns = self._container()
        inv = self._call("DEL", cid, "eth0", where, self.conf)
        self.steps.append(Step(f"DEL {cid}/eth0 (never added)", [(inv, name)]))
        self._close(ns)
        if not inv.succeeded:
            self.fail(DEL_UNKNOWN, f"DEL of {cid}, never added, failed:\n{inv.describe()}")

    @precondition(lambda self: bool(self.conf) and versions.has_check(self.run.cni_version))
    @rule(att=attachments)
    def check(self, att: LiveAttachment) -> None:
        where: netns.Namespace | str = att.ns if att.ns is not None else "None"
        inv = self._call("CHECK", att.container_id, att.ifname, where, self._conf_with_prev(att.result))
        self.steps.append(Step(f"CHECK {att.container_id}/{att.ifname}", [(inv, att.ns_name)]))
        if not inv.succeeded:
            self.fail(CHECK_OK, f"CHECK {att.container_id}/{att.ifname} failed:\n{inv.describe()}")

    @precondition(lambda self: bool(self.alloc) and min(self.free()) <= self._fill_limit())
    @rule()
    def add_until_exhausted(self) -> None:
        """ADD new containers until the plugin says the range is exhausted."""
        for _ in range(min(self.free()) + 1):
            if self.add_container("eth0", title="ADD {cid}/{ifname} (filling the range)") is None:
                return
        self.fail(EXHAUSTION, f"ADD kept succeeding past the capacity of the range sets {self._sets()}")

    @rule(count=st.integers(2, 6))
    def add_parallel(self, count: int) -> None:
        """Several ADDs for different containers at once."""
        self.add_at_once([f"c{next(self.ids)}" for _ in range(count)], f"{count} ADDs at once")

    @invariant()
    def model_consistent(self) -> None:
        seen: dict[Any, tuple[str, str]] = {}
        for key, att in self.live.items():
            for a in att.addresses:
                if a in seen:
                    self.fail(UNIQUE, f"{key} and {seen[a]} both hold {a}")
                seen[a] = key

    # ------------------------------------------------------------------ helpers

    def _fill_limit(self) -> int:
        t = self.run
        return t.fill_limit if t.fill_limit is not None else (24 if t.kind == "ipam" else 8)



def _route_key(route: dict[str, Any]) -> tuple[Any, Any]:
    """A configured route as (dst network, gateway or None): the form cnitest.Result reads a result's route in."""
    dst: Any
    try:
        dst = ipaddress.ip_network(route.get("dst"), strict=False)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        dst = route.get("dst")
    gw = route.get("gw")
    return dst, ip_of(gw) if gw else None


def make_machine(run: IpamRun) -> type[IpamMachine]:
    """A machine class bound to `run` (hypothesis needs a class)."""
    ifnames = run.ifnames if run.kind == "ipam" else ("eth0",)

    class Bound(IpamMachine):
        @initialize(ipam=run.configs())
        def setup(self, ipam: dict[str, Any]) -> None:
            self.setup_example(ipam)

        @rule(target=IpamMachine.attachments, ifname=st.sampled_from(ifnames))
        def add(self, ifname: str) -> Any:
            return self.add_new(ifname)

    Bound.run = run
    Bound.__name__ = Bound.__qualname__ = "IpamMachine"
    return Bound


def run_machine(run: IpamRun, settings: Any = None) -> None:
    """Run the machine on `run`; raises IpamInvariantError (shrunk) on a failure.

    `settings` defaults to the chosen cnitest hypothesis profile (cnitest-ci).
    With `run.budget`, the run ends when the budget does (see cnitest.budget).
    """
    machine = make_machine(run)
    chosen = settings or hypothesis_settings.current()

    def test() -> None:
        if run.ipam_configs is None:
            release_and_refill(run)
        run_state_machine_as_test(machine, settings=chosen)

    if run.budget is None:
        test()
    else:
        run.budget.run(test)


def release_and_refill(run: IpamRun, capacity: int = 2) -> None:
    """The shortest sequence that proves a DEL releases: fill a `capacity`-address range,
    DEL one attachment, ADD again (which must succeed).

    `run_machine` runs it before the random examples with the default configs: which
    examples hypothesis draws depends on its seed (derandomized, from the test's source),
    and a leak must be found within the first seconds whatever it draws.
    """
    m = make_machine(run)()
    try:
        m.setup_example(small_range(run.ipam_type, "10.78.0.0/24", capacity))
        m.add_until_exhausted()
        m.delete(next(iter(m.live.values())))
        m.add_new("eth0")
    finally:
        m.teardown()


# ---------------------------------------------------------------------- concurrency


@dataclass
class ConcurrencyOutcome:
    attempts: int
    capacity: int
    addresses: list[str]
    failures: int
    seconds: float


def check_concurrent_adds(
    run: IpamRun,
    attempts: int = 32,
    capacity: int = 20,
    host_ns: netns.Namespace | None = None,
) -> ConcurrencyOutcome:
    """`attempts` ADDs at once (different containers) on a range with `capacity` addresses.

    Exactly `capacity` must succeed with distinct addresses, the rest fail with an
    error JSON; then DELs of all at once free everything, so one more ADD gets an
    address. Raises IpamInvariantError with a reproducer on a violation.
    """
    import time

    if capacity >= attempts:
        raise ValueError("capacity must be smaller than the number of attempts")
    ipam = small_range(run.ipam_type, "10.77.0.0/24", capacity)
    m = make_machine(replace(run, host_ns=host_ns or run.host_ns, ipam_configs=st.just(ipam)))()
    start = time.monotonic()
    try:
        m.setup_example(ipam)
        invs = m.add_at_once([f"c{n}" for n in range(1, attempts + 1)], f"{attempts} ADDs at once on {capacity} addresses")
        ok = sum(1 for inv in invs if inv.exit_code == 0)
        if ok != capacity:
            m.fail(FREE, f"{ok} of {attempts} concurrent ADDs succeeded; the range holds {capacity}")
        addresses = sorted(str(a) for att in m.live.values() for a in att.addresses)
        m.delete_at_once(list(m.live.values()), f"{len(m.live)} DELs at once")
        if m.add_container("eth0", "after-all-deleted", "one more ADD after every DEL") is None:
            m.fail(FREE, "ADD after the concurrent DELs failed")
        return ConcurrencyOutcome(attempts, capacity, addresses, attempts - ok, time.monotonic() - start)
    finally:
        m.teardown()
