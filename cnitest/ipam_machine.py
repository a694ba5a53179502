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

With ``IpamTarget.budget`` (a cnitest.budget.Budget) the run is bounded in wall
time: every example and every plugin call is charged to it, and when shrinking
runs out of time the failure with the fewest plugin calls found so far is raised.
"""

from __future__ import annotations

import ipaddress
import itertools
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass, field
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

from . import checks, hypothesis_settings, netns, strategies, versions
from .budget import Budget
from .runner import Blocked, Invocation, Runner
from .sequences import Step, all_at_once, example_config, ip_of, no_dad, replay_script

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
class IpamTarget:
    """What the machine drives.

    `template` is the plugin's config entry without cniVersion/name: for kind
    "ipam" ``{"ipam": {"type": ...}}``, for "interface" e.g. a bridge config;
    each example's ipam section replaces its ``ipam`` (keeping ``type``).
    """

    plugin: str | Path
    cni_version: str
    kind: str = "ipam"  # "ipam" or "interface"
    template: dict[str, Any] = field(default_factory=dict)
    cni_path: list[str] = field(default_factory=list)
    timeout: float = 10.0
    host_ns: netns.Namespace | None = None  # shared by all examples; else one per example
    container_netns: bool = False  # kind "ipam": give a real namespace instead of "None"
    ipam_configs: st.SearchStrategy[dict[str, Any]] | None = None  # default: valid_ipam_configs(...)
    ifnames: tuple[str, ...] = ("eth0", "eth1")
    fill_limit: int | None = None  # most ADDs one "fill" step makes (default 24 ipam, 8 interface)
    workdir: str | None = None  # where the per-example dataDirs go
    hung: dict[str, Any] | None = None  # shared Runner.hung: a verb that timed out once is not waited for again
    budget: Budget | None = None  # wall-clock budget of run_machine (None: hypothesis's counts only)

    @property
    def ipam_type(self) -> str:
        ipam = self.template.get("ipam")
        return str((ipam.get("type") if isinstance(ipam, dict) else None) or Path(self.plugin).name)

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
class Attachment:
    container_id: str
    ifname: str
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address]
    result: dict[str, Any]
    ns: netns.Namespace | None
    ns_name: str | None = None  # the namespace's name in the reproducer


class IpamMachine(RuleBasedStateMachine):
    """The machine; `make_machine(target)` binds it to one plugin and version."""

    target: IpamTarget

    attachments = Bundle("attachments")
    released = Bundle("released")

    def __init__(self) -> None:
        super().__init__()
        self.live: dict[tuple[str, str], Attachment] = {}
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
        t = self.target
        if t.budget is not None:
            t.budget.begin_example()
        self.example_dir = tempfile.mkdtemp(prefix="cnitest-ipam-", dir=t.workdir)
        host = t.host_ns
        if host is None:
            host = self.own_host = netns.new("ipam-host")
        self.conf = example_config(t.template, ipam, t.ipam_type, t.cni_version, self.example_dir)
        self.ipam = self.conf["ipam"]
        self.alloc = strategies.allocatable(self.ipam)
        kind = "ipam-result" if t.kind == "ipam" else "result"
        self.runner = Runner(t.plugin, host, t.cni_path, timeout=t.timeout, result_kind=kind)
        self.runner.hung = t.hung

    def teardown(self) -> None:
        # hypothesis calls teardown in a `finally`: the example's exception, if any, is in flight.
        # Every failure counts for the budget, not only invariants: a harness error being
        # shrunk must not pass when the time runs out.
        failure = sys.exc_info()[1]
        if self.target.budget is not None and isinstance(failure, Exception) and not isinstance(failure, (UnsatisfiedAssumption, Blocked)):
            self.target.budget.failed(failure, sum(len(s.calls) for s in self.steps))
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
        if self.target.kind == "ipam" and not self.target.container_netns:
            return "None", None, None
        ns = netns.new("ipam-container")
        self.open_ns.append(ns)
        if self.target.kind == "interface":
            no_dad(ns)
        return ns, f"cnitest-c{next(self.ns_names)}", ns

    def _conf_with_prev(self, result: dict[str, Any] | None) -> dict[str, Any]:
        if result is not None and versions.has_prev_result(self.target.cni_version):
            return {**self.conf, "prevResult": result}
        return self.conf

    def _call(self, verb: str, cid: str, ifname: str, where: netns.Namespace | str, conf: dict[str, Any], charge: bool = True) -> Invocation:
        """One plugin call; `charge=False` for a call of a batch charged at once (from a worker thread)."""
        if charge:
            self._charge()
        return self.runner.invoke(verb, conf, where, ifname, cid)

    def _charge(self) -> None:
        if self.target.budget is not None:
            self.target.budget.charge()

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
        return replay_script(self.steps, self.ipam.get("dataDir", ""), title=f"the shrunk IPAM sequence of {self.target.plugin}",
                             tmp_dirs=[self.example_dir] if self.example_dir else [])

    # ------------------------------------------------------------------ checks of one ADD

    def _check_success(self, inv: Invocation, cid: str, ifname: str, full: list[int]) -> list[Any]:
        """Check a successful ADD against the model; the addresses, in range-set order."""
        result = inv.result if isinstance(inv.result, dict) else {}
        norm = checks.normalize(result)
        where = f"ADD {cid}/{ifname}"
        if full and not norm.ips:
            sets = ", ".join(f"{i} ({self.alloc[i].describe()})" for i in full)
            self.fail(EXHAUSTION, f"{where} exited 0 although range set {sets} had no free address:\n{inv.describe()}")
        per_set: dict[int, list[Any]] = {}
        for ip in norm.ips:
            try:
                iface = ipaddress.ip_interface(ip.address)
            except ValueError:
                self.fail(SCHEMA, f"{where} returned {ip.address!r}, not an address in CIDR form:\n{inv.describe()}")
            addr = iface.ip
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
            if iface.network.prefixlen != rng.subnet.prefixlen:
                self.fail(IN_RANGE, f"{where} returned {ip.address}; the prefix length must be the subnet's ({rng.subnet}):\n{inv.describe()}")
            for other in self.live.values():
                if addr in other.addresses:
                    self.fail(UNIQUE, f"{where} got {addr}, which {other.container_id}/{other.ifname} still holds:\n{inv.describe()}")
            if ip.gateway is None or ip_of(ip.gateway) != rng.gateway:
                self.fail(GATEWAY_ROUTES, f"{where}: {addr} comes with gateway {ip.gateway}, the range's gateway is {rng.gateway}:\n{inv.describe()}")
            per_set.setdefault(index, []).append(addr)
        if full:
            sets = ", ".join(str(i) for i in full)
            self.fail(EXHAUSTION, f"{where} exited 0 although range set {sets} had no free address:\n{inv.describe()}")
        counts = [len(per_set.get(i, [])) for i in range(len(self.alloc))]
        if any(c != 1 for c in counts):
            self.fail(ONE_PER_SET, f"{where} returned {counts} addresses for the range sets {self._sets()}:\n{inv.describe()}")
        if not inv.valid:
            self.fail(SCHEMA, f"{where}: the result is not a valid {self.target.cni_version} result:\n{inv.describe()}")
        have = {_route_key(r) for r in norm.routes}
        missing = [r for r in strategies.routes_of(self.ipam) if _route_key(r) not in have]
        if missing:
            self.fail(GATEWAY_ROUTES, f"{where}: configured routes missing from the result: {missing}:\n{inv.describe()}")
        return [per_set[i][0] for i in range(len(self.alloc))]

    def _sets(self) -> str:
        return "; ".join(f"[{s.describe()}]" for s in self.alloc)

    def _add_one(self, ifname: str, cid: str | None = None) -> tuple[Invocation, str, str | None, Any]:
        cid = cid or f"c{next(self.ids)}"
        where, name, ns = self._container()
        inv = self._call("ADD", cid, ifname, where, self.conf)
        return inv, cid, name, ns

    def _settle_add(self, inv: Invocation, cid: str, ifname: str, ns: netns.Namespace | None, name: str | None) -> Attachment | None:
        """Judge one ADD (successes must be judged before failures of the same batch)."""
        full = [i for i, f in enumerate(self.free()) if f == 0]
        if inv.exit_code == 0 and not inv.problems:
            addrs = self._check_success(inv, cid, ifname, full)
            att = Attachment(cid, ifname, addrs, inv.result or {}, ns, name)
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

    # ------------------------------------------------------------------ rules

    def add_new(self, ifname: str) -> Any:
        """ADD a new container (the `add` rule; bound to the target's ifnames in make_machine)."""
        inv, cid, name, ns = self._add_one(ifname)
        self.steps.append(Step(f"ADD {cid}/{ifname}", [(inv, name)]))
        att = self._settle_add(inv, cid, ifname, ns, name)
        return att if att is not None else multiple()

    @rule(target=attachments, key=consumes(released))
    def add_again(self, key: tuple[str, str]) -> Any:
        cid, ifname = key
        inv, _, name, ns = self._add_one(ifname, cid)
        self.steps.append(Step(f"ADD {cid}/{ifname} again, after its DEL", [(inv, name)]))
        att = self._settle_add(inv, cid, ifname, ns, name)
        return att if att is not None else multiple()

    @rule(target=released, att=consumes(attachments))
    def delete(self, att: Attachment) -> tuple[str, str]:
        where: netns.Namespace | str = att.ns if att.ns is not None else "None"
        inv = self._call("DEL", att.container_id, att.ifname, where, self._conf_with_prev(att.result))
        self.steps.append(Step(f"DEL {att.container_id}/{att.ifname}", [(inv, att.ns_name)]))
        if inv.exit_code != 0 or inv.problems:
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
        if inv.exit_code != 0 or inv.problems:
            self.fail(DEL_UNKNOWN, f"DEL of {cid}, never added, failed:\n{inv.describe()}")

    @precondition(lambda self: bool(self.conf) and versions.has_check(self.target.cni_version))
    @rule(att=attachments)
    def check(self, att: Attachment) -> None:
        where: netns.Namespace | str = att.ns if att.ns is not None else "None"
        inv = self._call("CHECK", att.container_id, att.ifname, where, {**self.conf, "prevResult": att.result})
        self.steps.append(Step(f"CHECK {att.container_id}/{att.ifname}", [(inv, att.ns_name)]))
        if inv.exit_code != 0 or inv.problems:
            self.fail(CHECK_OK, f"CHECK {att.container_id}/{att.ifname} failed:\n{inv.describe()}")

    @precondition(lambda self: bool(self.alloc) and min(self.free()) <= self._fill_limit())
    @rule()
    def add_until_exhausted(self) -> None:
        """ADD new containers until the plugin says the range is exhausted."""
        for _ in range(min(self.free()) + 1):
            inv, cid, name, ns = self._add_one("eth0")
            self.steps.append(Step(f"ADD {cid}/eth0 (filling the range)", [(inv, name)]))
            if self._settle_add(inv, cid, "eth0", ns, name) is None:
                return
        self.fail(EXHAUSTION, f"ADD kept succeeding past the capacity of the range sets {self._sets()}")

    @rule(count=st.integers(2, 6))
    def add_parallel(self, count: int) -> None:
        """Several ADDs for different containers at once."""
        self._charge()
        batch = [(f"c{next(self.ids)}", self._container()) for _ in range(count)]
        out: list[Invocation | None] = [None] * count

        def run(i: int) -> None:
            cid, (where, _, _) = batch[i]
            out[i] = self._call("ADD", cid, "eth0", where, self.conf, charge=False)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        invs = [inv for inv in out if inv is not None]
        self.steps.append(Step(f"{count} ADDs at once", [(inv, b[1][1]) for inv, b in zip(invs, batch)], parallel=True))
        order = sorted(range(count), key=lambda i: 0 if invs[i].exit_code == 0 else 1)
        for i in order:
            cid, (_, name, ns) = batch[i]
            self._settle_add(invs[i], cid, "eth0", ns, name)

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
        t = self.target
        return t.fill_limit if t.fill_limit is not None else (24 if t.kind == "ipam" else 8)



def _route_key(route: dict[str, Any]) -> tuple[Any, Any]:
    dst: Any
    try:
        dst = ipaddress.ip_network(route.get("dst"), strict=False)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        dst = route.get("dst")
    gw = route.get("gw")
    return dst, ip_of(gw) if gw else None


def make_machine(target: IpamTarget) -> type[IpamMachine]:
    """A machine class bound to `target` (hypothesis needs a class)."""
    ifnames = target.ifnames if target.kind == "ipam" else ("eth0",)

    class Bound(IpamMachine):
        @initialize(ipam=target.configs())
        def setup(self, ipam: dict[str, Any]) -> None:
            self.setup_example(ipam)

        @rule(target=IpamMachine.attachments, ifname=st.sampled_from(ifnames))
        def add(self, ifname: str) -> Any:
            return self.add_new(ifname)

    Bound.target = target
    Bound.__name__ = Bound.__qualname__ = "IpamMachine"
    return Bound


def run_machine(target: IpamTarget, settings: Any = None) -> None:
    """Run the machine against `target`; raises IpamInvariantError (shrunk) on a failure.

    `settings` defaults to the chosen cnitest hypothesis profile (cnitest-ci).
    With `target.budget`, the run ends when the budget does (see cnitest.budget).
    """
    machine = make_machine(target)
    chosen = settings or hypothesis_settings.current()

    def test() -> None:
        if target.ipam_configs is None:
            release_and_refill(target)
        run_state_machine_as_test(machine, settings=chosen)

    if target.budget is None:
        test()
    else:
        target.budget.run(test)


def release_and_refill(target: IpamTarget, capacity: int = 2) -> None:
    """The shortest sequence that proves a DEL releases: fill a `capacity`-address range,
    DEL one attachment, ADD again (which must succeed).

    `run_machine` runs it before the random examples with the default configs: which
    examples hypothesis draws depends on its seed (derandomized, from the test's source),
    and a leak must be found within the first seconds whatever it draws.
    """
    ipam = {"type": target.ipam_type, "ranges": [[{"subnet": "10.78.0.0/24", "rangeStart": "10.78.0.10",
                                                    "rangeEnd": str(ipaddress.ip_address("10.78.0.10") + capacity - 1)}]]}
    m = make_machine(target)()
    try:
        m.setup_example(ipam)
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
    target: IpamTarget,
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
    # one /24; rangeStart .10, rangeEnd .10+capacity-1; the default gateway (.1) is outside the range
    ipam = {"type": target.ipam_type, "ranges": [[{"subnet": "10.77.0.0/24", "rangeStart": "10.77.0.10",
                                                    "rangeEnd": str(ipaddress.ip_address("10.77.0.10") + capacity - 1)}]]}
    bound = IpamTarget(**{**target.__dict__, "host_ns": host_ns or target.host_ns, "ipam_configs": st.just(ipam)})
    m = make_machine(bound)()
    start = time.monotonic()
    try:
        m.setup_example(ipam)
        batch = [(f"c{n}", m._container()) for n in range(1, attempts + 1)]
        out: list[Invocation | None] = [None] * attempts

        def add(i: int) -> None:
            cid, (where, _, _) = batch[i]
            out[i] = m._call("ADD", cid, "eth0", where, m.conf, charge=False)

        all_at_once(add, attempts)
        invs = [inv for inv in out if inv is not None]
        m.steps.append(Step(f"{attempts} ADDs at once on {capacity} addresses", [(inv, b[1][1]) for inv, b in zip(invs, batch)], parallel=True))
        ok = [i for i in range(attempts) if invs[i].exit_code == 0]
        for i in sorted(range(attempts), key=lambda i: 0 if invs[i].exit_code == 0 else 1):
            cid, (_, name, ns) = batch[i]
            m._settle_add(invs[i], cid, "eth0", ns, name)
        if len(ok) != capacity:
            m.fail(FREE, f"{len(ok)} of {attempts} concurrent ADDs succeeded; the range holds {capacity}")
        addresses = sorted(str(a) for att in m.live.values() for a in att.addresses)
        failures = attempts - len(ok)
        live = list(m.live.values())
        dels: list[Invocation | None] = [None] * len(live)

        def delete(i: int) -> None:
            att = live[i]
            dels[i] = m._call("DEL", att.container_id, att.ifname, att.ns if att.ns is not None else "None", m._conf_with_prev(att.result), charge=False)

        all_at_once(delete, len(live))
        m.steps.append(Step(f"{len(live)} DELs at once", [(d, a.ns_name) for d, a in zip(dels, live) if d is not None], parallel=True))
        for att, d in zip(live, dels):
            assert d is not None
            if d.exit_code != 0 or d.problems:
                m.fail(DEL_OK, f"concurrent DEL {att.container_id} failed:\n{d.describe()}")
            m.live.pop((att.container_id, att.ifname), None)
        inv, cid, name, ns = m._add_one("eth0", "after-all-deleted")
        m.steps.append(Step("one more ADD after every DEL", [(inv, name)]))
        if m._settle_add(inv, cid, "eth0", ns, name) is None:
            m.fail(FREE, "ADD after the concurrent DELs failed")
        return ConcurrencyOutcome(attempts, capacity, addresses, failures, time.monotonic() - start)
    finally:
        m.teardown()

