"""Differential runs: two implementations of one plugin, the same sequences, the first difference.

`run_diff(DiffTarget(plugin_a, plugin_b, cni_version, ...))` drives both
plugins through the same sequences of operations, drawn by a hypothesis state
machine over the operations the IPAM state machine knows (cnitest.ipam_machine,
cnitest.sequences): ADD of a new attachment, ADD again after its DEL, DEL, DEL
of an attachment never added, CHECK (0.4.0 on), GC keeping some attachments
(1.1.0 on), several ADDs at once, ADDs until the range is exhausted, and a
restart (the node's volatile ``/run`` is emptied, persistent state stays).

Each plugin runs in a world of its own: its own sandbox host namespace, its own
bubblewrap sandbox state (cnitest.sandbox), its own dataDir and its own
container namespaces, all fresh for every example, so both start every
sequence from the same state. After every call the two answers are compared,
and after every step the kernel state of each side's host namespace and of
every container namespace; the first observable difference raises
`DifferenceFound`, which hypothesis shrinks to a minimal sequence, printed as
one shell script that replays it against each plugin. One fixed sequence runs
before the drawn ones (`release_and_refill`: fill a small range, DEL, ADD
again), so that a DEL that releases nothing on one side is found whatever
hypothesis draws.

What is compared, in this order:

1. the exit status (``exit 0``, ``exit 1``, a signal, a time-out);
   with `spec_equivalent` only what the spec fixes ("A plugin must exit with a
   return code of 0 on success, and non-zero on failure"): 0, non-zero, signal;
2. whether stdout is what the spec asks (one JSON document);
3. the error code of an error document (its msg is free text, not compared);
   with `spec_equivalent` every code of 100 and up is alike ("Values of 100+
   can be freely used for plugin specific errors");
4. whether the document validates against the requested version's schema;
5. the result, normalized: what the spec leaves to the plugin is compared by
   shape, not value -- interface names other than CNI_IFNAME and the names the
   config gives, MACs, the sandbox path (the side's own CNI_NETNS), and
   addresses, which become "an address of range set i (subnet, range) /prefix",
   or what reserved address it is (network, broadcast, gateway), or outside the
   range, plus which live attachments (of the same sequence) already hold it.
   An address is compared by value when both plugins were given the same
   deterministic input: a range set that holds one allocatable address. In an
   IPAM plugin's result an empty top-level section (``"dns": {}``) counts as
   absent: "Delegated plugins may omit irrelevant sections" (SPEC.md, Section 5,
   "Delegated plugins (IPAM)");
6. the kernel state (a pyroute2 snapshot): links (name shape, kind, up, MTU,
   master), addresses (shape as above) and routes (destination, gateway,
   device name shape, table); IPv6 link-local addresses and routes, which the
   kernel makes on its own schedule, are left out.

Concurrent ADDs are compared as a multiset of outcomes: which container of a
batch wins a race is not an observable difference of the plugins (an
attachment won by different containers on the two sides is labelled
``cA~cB/eth0``). They are drawn only where every range set has one range (see
`DiffMachine.add_parallel`). After a failed ADD the machine sends the DEL that "must still
be executed even if the add fails" (SPEC.md, Section 3) before the kernel state
is compared: until then a plugin may leave what it made.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import Phase, find
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
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

from . import hypothesis_settings, netns, sandbox, strategies, versions
from .ipam_machine import IpamRun
from .profiles import Kind
from .result import Result
from .runner import Invocation, Runner
from .sequences import CONTAINER_PREFIX, Step, all_at_once, example_config, replay_script, small_range, with_data_dir
from .target import Target

__all__ = [
    "DiffResult",
    "DiffTarget",
    "DifferenceFound",
    "Observation",
    "address_shape",
    "common_version",
    "fixed_ipam",
    "invoke",
    "kernel_shape",
    "make_machine",
    "normalize_result",
    "observe",
    "release_and_refill",
    "run_diff",
    "SHRINK_SECONDS",
]

SIDES = ("A", "B")
MAC = re.compile(r"(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}")
PLUGIN_NAME = "<a name chosen by the plugin>"
PLUGIN_MAC = "<a MAC chosen by the plugin>"
PLUGIN_CODE = "a plugin-specific code (100+)"
LINK_LOCAL = ipaddress.ip_network("fe80::/10")
MULTICAST6 = ipaddress.ip_network("ff00::/8")


@dataclass
class DiffTarget:
    """The two plugins and how to drive them.

    `kind` is "ipam" (called directly with CNI_NETNS=None, like host-local) or
    "interface" (e.g. bridge, with one container namespace per attachment);
    `template` is the config entry without cniVersion/name (each example's
    ``ipam`` replaces its own, keeping ``type``). CNI_PATH of each side is its
    plugin's own directory, then `cni_path`.
    """

    plugin_a: str | Path
    plugin_b: str | Path
    cni_version: str
    kind: str = "ipam"
    template: dict[str, Any] = field(default_factory=lambda: {"ipam": {"type": "host-local"}})
    cni_path: list[str] = field(default_factory=list)
    timeout: float = 10.0
    ipam_configs: st.SearchStrategy[dict[str, Any]] | None = None  # default: as the IPAM state machine draws them
    ifnames: tuple[str, ...] = ("eth0", "eth1")
    fill_limit: int | None = None  # most ADDs one "fill" step makes (default 16 ipam, 6 interface)
    workdir: str | None = None  # where each example's directories go (default: the system's temporary directory)
    spec_equivalent: bool = False  # compare only what the spec fixes: any non-zero exit, any code 100+, alike
    stats: dict[str, int] = field(default_factory=lambda: {"examples": 0, "calls": 0})

    def as_ipam_target(self) -> IpamRun:
        """Plugin A as the IPAM state machine sees it (an IpamRun): the one place configs are drawn."""
        kind: Kind = "interface" if self.kind == "interface" else "ipam"
        return IpamRun(Target.of(self.plugin_a, kind, self.template, self.cni_path, self.timeout), self.cni_version,
                       ipam_configs=self.ipam_configs)

    @property
    def plugins(self) -> tuple[str, str]:
        return str(self.plugin_a), str(self.plugin_b)


@dataclass(frozen=True)
class Observation:
    """What one call showed, normalized so that two implementations can be compared."""

    status: str  # "exit 0", "exit 1", "killed by signal SIGSEGV", "timed out"
    output: str  # "well-formed", or what is wrong with stdout
    error_code: int | str | None
    schema: str  # "valid", "invalid", or "" when there was nothing to validate
    result: Any  # the normalized document (None without one)

    def fields(self) -> list[tuple[str, Any]]:
        return [("exit status", self.status), ("stdout", self.output), ("error code", self.error_code),
                ("schema validity", self.schema), ("result (normalized)", self.result)]


class DifferenceFound(AssertionError):
    """The first observable difference: at which step, in what, and a reproducer for both plugins."""

    def __init__(self, step: str, what: str, a: str, b: str, plugins: tuple[str, str], scripts: tuple[str, str],
                 calls: tuple[str, str] = ("", "")) -> None:
        self.step, self.what, self.a, self.b = step, what, a, b
        self.plugins, self.scripts = plugins, scripts
        self.reproducer = combined_script(plugins, scripts)
        lines = [f"first difference, at {step}: {what}", f"  A ({plugins[0]}): {a}", f"  B ({plugins[1]}): {b}"]
        for name, text in zip(SIDES, calls):
            if text:
                lines += [f"{name}'s call:", *("  " + line for line in text.splitlines())]
        lines += ["", "Reproduce (the sequence against each plugin, shrunk when hypothesis drew it; paste into a root shell):", self.reproducer]
        super().__init__("\n".join(lines))

    def calls(self, side: int) -> int:
        """How many plugin calls the reproducer of one side makes."""
        return self.scripts[side].count("CNI_COMMAND=")


def combined_script(plugins: tuple[str, str], scripts: tuple[str, str]) -> str:
    """One bash script: the sequence against A, then against B, each a replay script of
    cnitest.reproduce (a subshell with namespaces of its own, removed at its end)."""
    out = ["#!/usr/bin/env bash", "# cnitest diff: the same sequence against two plugins; compare the '->' comments"]
    for name, plugin, script in zip(SIDES, plugins, scripts):
        body = script.removeprefix("#!/usr/bin/env bash\n")
        out += ["", f"# ===== {name}: {plugin}", body]
    return "\n".join(out) + "\n"


@dataclass
class DiffResult:
    """How a differential run ended: the first difference (shrunk when hypothesis drew it), or none."""

    difference: DifferenceFound | None
    examples: int
    calls: int
    flaky: bool = False  # the difference did not show again when hypothesis replayed it (a race?)


# --------------------------------------------------------------------------- normalization


@dataclass
class _Context:
    """What a side's answer is normalized against."""

    netns_path: str
    fixed_names: frozenset[str]
    alloc: list[strategies.AllocatableSet]
    holders: dict[Any, list[str]] = field(default_factory=dict)  # address -> labels of live attachments
    batch: dict[Any, int] = field(default_factory=dict)  # address -> how many ADDs of this step returned it
    ipam: bool = False  # an IPAM plugin's abbreviated result: empty top-level sections count as absent
    spec_equivalent: bool = False  # see DiffTarget.spec_equivalent


def address_shape(text: Any, alloc: list[strategies.AllocatableSet], holders: dict[Any, list[str]] | None = None,
                  batch: dict[Any, int] | None = None) -> Any:
    """An address (CIDR) as a difference would see it: by value when its range set holds one
    allocatable address (both plugins had no choice), else by where it lies in the config."""
    try:
        iface = ipaddress.ip_interface(text)
    except (TypeError, ValueError):
        return text
    addr = iface.ip
    shape = f"outside every configured subnet: {text}"
    for i, aset in enumerate(alloc):
        rng = aset.range_for(addr)
        if rng is None:
            continue
        what = rng.reserved().get(addr)
        if len(aset) == 1:
            shape = str(text)
        elif what:
            shape = f"{what} of {rng.subnet}: {text}"
        elif not int(rng.start) <= int(addr) <= int(rng.end):
            shape = f"outside {rng.start}-{rng.end} of {rng.subnet}: {text}"
        else:
            shape = f"an address of range set {i} ({rng.describe()})/{iface.network.prefixlen}"
        break
    held = (holders or {}).get(addr)
    if held:
        shape += f", also held by {', '.join(sorted(held))}"
    others = (batch or {}).get(addr, 0) - 1
    if others > 0:
        shape += f", also returned by {others} other ADD(s) of this step"
    return shape


def _name_shape(name: Any, fixed: frozenset[str]) -> Any:
    if not isinstance(name, str) or name in fixed:
        return name
    if 0 < len(name) <= 15 and not re.search(r"[/:\s]", name):
        return PLUGIN_NAME
    return name


def normalize_result(doc: Any, ctx: _Context) -> Any:
    """The document with what the spec leaves to the plugin replaced by its shape (module docstring)."""

    def walk(value: Any, path: tuple[Any, ...]) -> Any:
        if isinstance(value, dict):
            return {k: leaf(k, v, path + (k,)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, path + (i,)) for i, v in enumerate(value)]
        return value

    def leaf(key: str, value: Any, path: tuple[Any, ...]) -> Any:
        if key == "mac" and isinstance(value, str) and MAC.fullmatch(value):
            return PLUGIN_MAC
        if key == "sandbox" and value == ctx.netns_path:
            return "$CNI_NETNS"
        if key == "name" and len(path) >= 3 and path[-3] == "interfaces":
            return _name_shape(value, ctx.fixed_names)
        if (key == "address" and len(path) >= 3 and path[-3] == "ips") or (key == "ip" and path[:1] in (("ip4",), ("ip6",))):
            return address_shape(value, ctx.alloc, ctx.holders, ctx.batch)
        return walk(value, path)

    if ctx.ipam and isinstance(doc, dict):
        doc = {k: v for k, v in doc.items() if v not in ({}, [])}
    return walk(doc, ())


def observe(inv: Invocation, ctx: _Context) -> Observation:
    """One call, normalized."""
    if inv.timed_out:
        status = "timed out"
    elif inv.exit_code is not None and inv.exit_code < 0:
        status = inv.outcome.split(" after ")[0]
    elif ctx.spec_equivalent and inv.exit_code not in (0, None):
        status = "exit non-zero"
    else:
        status = f"exit {inv.exit_code}"
    code: int | str | None = inv.error.code if inv.error else None
    if ctx.spec_equivalent and isinstance(code, int) and code >= 100:
        code = PLUGIN_CODE
    bad_output = [p for p in inv.problems if not p.startswith("no answer within")]
    output = "well-formed" if not bad_output else "malformed: " + bad_output[0].split(":")[0]
    schema = "" if not inv.schema_kind else ("valid" if not inv.schema_errors else "invalid")
    doc = inv.document if not bad_output and inv.exit_code == 0 else None
    return Observation(status, output, code, schema, normalize_result(doc, ctx))


def kernel_shape(snap: netns.Snapshot, fixed: frozenset[str], alloc: list[strategies.AllocatableSet]) -> list[str]:
    """A namespace's links, addresses and routes as sorted lines, names and addresses by shape."""
    names = {link.index: link.name for link in snap.links}

    def nm(index: Any) -> Any:
        return _name_shape(names.get(index, index), fixed)

    lines = []
    for link in snap.links:
        master = f" master {nm(link.master)}" if link.master else ""
        lines.append(f"link {_name_shape(link.name, fixed)} ({link.kind or 'device'}) {'UP' if link.up else 'DOWN'} mtu {link.mtu}{master}")
    for a in snap.addresses:
        ip = ipaddress.ip_address(a.address)
        if ip.version == 6 and ip in LINK_LOCAL:
            continue
        lines.append(f"address {address_shape(a.cidr, alloc)} on {nm(a.index)}")
    for r in snap.routes:
        dst = ipaddress.ip_network(r.dst, strict=False)
        if dst.version == 6 and (dst.subnet_of(LINK_LOCAL) or dst.subnet_of(MULTICAST6)):  # type: ignore[arg-type]
            continue
        via = f" via {r.gateway}" if r.gateway else ""
        lines.append(f"route {r.dst}{via} dev {nm(r.oif)} table {r.table}")
    return sorted(lines)


def _first_difference(a: list[str], b: list[str]) -> tuple[str, str]:
    """What each listing holds that the other does not, counting repeats (two equal veths are two)."""
    ca, cb = Counter(a), Counter(b)

    def only(x: Counter[str], y: Counter[str]) -> str:
        extra = x - y
        return "; ".join(f"{line} (x{n})" if n > 1 else line for line, n in sorted(extra.items())) or "(nothing more)"

    return "only here: " + only(ca, cb), "only here: " + only(cb, ca)


def _json_difference(a: Any, b: Any, path: str = "") -> tuple[str, Any, Any]:
    """The first path at which two normalized documents differ, and the values there."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return f"{path}.{k}", a.get(k, "(missing)"), b.get(k, "(missing)")
            if a[k] != b[k]:
                return _json_difference(a[k], b[k], f"{path}.{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _json_difference(x, y, f"{path}[{i}]")
    return path or "(the document)", a, b


# --------------------------------------------------------------------------- the two worlds


@dataclass
class _Held:
    """One side's part of an attachment."""

    cid: str
    ifname: str
    result: dict[str, Any] | None
    ns: netns.Namespace | None
    ns_name: str | None


@dataclass
class _Attachment:
    label: str
    sides: list[_Held]
    gone: bool = False  # released by a GC that did not list it


class _Side:
    """One plugin's world for one example: host namespace, sandbox, dataDir, containers, calls."""

    def __init__(self, name: str, plugin: str, target: DiffTarget, result_kind: str) -> None:
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"cnitest-diff-{name}-", dir=target.workdir)
        self.box = sandbox.for_test(Path(self.dir) / "sandbox", writable=[self.dir])
        self.host = netns.new(f"diff-host-{name}")
        self.runner = Runner(plugin, self.host, target.cni_path, timeout=target.timeout, result_kind=result_kind, sandbox=self.box)
        self.conf: dict[str, Any] = {}
        self.steps: list[Step] = []
        self.open_ns: list[netns.Namespace] = []
        self.ns_names = itertools.count(1)

    @property
    def data_dir(self) -> str:
        return str(self.conf.get("ipam", {}).get("dataDir", ""))

    def container(self, kind: str) -> tuple[netns.Namespace | str, str | None, netns.Namespace | None]:
        """CNI_NETNS for a new attachment, its name in the reproducer, and the namespace to close later."""
        if kind == "ipam":
            return "None", None, None
        ns = netns.new(f"diff-container-{self.name}")
        self.open_ns.append(ns)
        ns.no_dad()
        return ns, f"{CONTAINER_PREFIX}{next(self.ns_names)}", ns

    def close(self, ns: netns.Namespace | None) -> None:
        """Close a container namespace, deleting its links first: the kernel destroys a closed
        namespace later, on a work queue, and a veth's host end would linger meanwhile."""
        if ns is not None:
            if not ns.closed:
                ns.iproute(_delete_links)
            ns.close()
            if ns in self.open_ns:
                self.open_ns.remove(ns)

    def restart(self) -> None:
        """The node restarts: its volatile /run is empty; dataDirs and /var/lib stay."""
        run = self.box.state / "run"
        for entry in run.iterdir():
            if entry.name == "netns":
                continue  # the sandbox's own mount points
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)

    def script(self, direct: bool) -> str:
        return replay_script(self.steps, self.data_dir, title=f"a sequence of calls of {self.runner.plugin}")

    def teardown(self) -> None:
        for ns in self.open_ns:
            ns.close()
        self.open_ns.clear()
        self.host.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class DiffMachine(RuleBasedStateMachine):
    """The machine; `make_machine(target)` binds it to two plugins and one version."""

    target: DiffTarget
    found: list[DifferenceFound]

    attachments = Bundle("attachments")
    released = Bundle("released")

    def __init__(self) -> None:
        super().__init__()
        self.sides: list[_Side] = []
        self.atts: list[_Attachment] = []  # every attachment of this example whose namespaces are open
        self.ids = itertools.count(1)
        self.alloc: list[strategies.AllocatableSet] = []
        self.fixed: frozenset[str] = frozenset()

    # ------------------------------------------------------------------ setup

    def setup_example(self, ipam: dict[str, Any]) -> None:
        t = self.target
        t.stats["examples"] += 1
        kind = "ipam-result" if t.kind == "ipam" else "result"
        self.sides = [_Side(name, plugin, t, kind) for name, plugin in zip(SIDES, t.plugins)]
        a, b = self.sides
        a.conf = example_config(t.template, ipam, t.as_ipam_target().ipam_type, t.cni_version, a.dir)
        b.conf = with_data_dir(a.conf, Path(b.dir) / "ipam")
        self.alloc = strategies.allocatable(a.conf["ipam"])
        self.fixed = frozenset({"lo", *t.ifnames, *(v for k, v in a.conf.items() if k in ("bridge", "master") and isinstance(v, str))})

    def teardown(self) -> None:
        for side in self.sides:
            side.teardown()
        self.sides = []

    # ------------------------------------------------------------------ the model

    @property
    def live(self) -> list[_Attachment]:
        return [att for att in self.atts if not att.gone]

    def free(self) -> list[int]:
        """Free addresses per range set, if both plugins keep one per attachment per set."""
        return [max(0, len(s) - len(self.live)) for s in self.alloc]

    def _holders(self, side: int, exclude: _Attachment | None = None) -> dict[Any, list[str]]:
        out: dict[Any, list[str]] = {}
        for att in self.live:
            if att is exclude:
                continue
            for ip in _addresses(att.sides[side].result):
                out.setdefault(ip, []).append(att.label)
        return out

    def _context(self, side: int, inv: Invocation, exclude: _Attachment | None = None, batch: dict[Any, int] | None = None) -> _Context:
        return _Context(inv.env.get("CNI_NETNS", ""), self.fixed, self.alloc, self._holders(side, exclude), batch or {},
                        ipam=self.target.kind == "ipam", spec_equivalent=self.target.spec_equivalent)

    # ------------------------------------------------------------------ comparing

    def differ(self, step: str, what: str, a: str, b: str, invs: tuple[Invocation | None, Invocation | None] = (None, None)) -> None:
        """Stop at the first difference (one raise site: hypothesis shrinks one failure)."""
        direct = self.target.kind == "ipam"
        calls = tuple(inv.describe() if inv is not None else "" for inv in invs)
        exc = DifferenceFound(f"step {len(self.sides[0].steps)} ({step})", what, a, b, self.target.plugins,
                              (self.sides[0].script(direct), self.sides[1].script(direct)), calls)  # type: ignore[arg-type]
        self.found.append(exc)
        raise exc

    def compare(self, step: str, invs: tuple[Invocation, Invocation], obs: tuple[Observation, Observation]) -> None:
        for (what, va), (_, vb) in zip(obs[0].fields(), obs[1].fields()):
            if va != vb:
                if what.startswith("result"):
                    path, va, vb = _json_difference(va, vb)
                    what = f"{what} at {path}"
                self.differ(step, what, repr(va), repr(vb), invs)

    def call_both(self, label: str, verb: str, cids: list[str], ifname: str | None,
                  where: Sequence[netns.Namespace | str | None], confs: list[dict[str, Any]],
                  names: list[str | None], exclude: _Attachment | None = None) -> tuple[Invocation, Invocation]:
        """The same call on both sides, recorded, observed and compared."""
        out: list[Invocation | None] = [None, None]

        def call(i: int) -> None:  # both sides at once: they share nothing, and it halves the wait
            out[i] = invoke(self.sides[i].runner, verb, confs[i], where[i], ifname, cids[i])

        helper = threading.Thread(target=call, args=(1,))
        helper.start()
        call(0)
        helper.join()
        invs = [inv for inv in out if inv is not None]
        for side, inv, name in zip(self.sides, invs, names):
            side.steps.append(Step(label, [(inv, name)]))
        self.target.stats["calls"] += 2
        pair = (invs[0], invs[1])
        obs = (observe(invs[0], self._context(0, invs[0], exclude)), observe(invs[1], self._context(1, invs[1], exclude)))
        self.compare(label, pair, obs)
        return pair

    def _conf(self, side: int, held: _Held | None, prev: bool = True) -> dict[str, Any]:
        conf = self.sides[side].conf
        if prev and held is not None and held.result is not None and versions.has_prev_result(self.target.cni_version):
            return {**conf, "prevResult": held.result}
        return conf

    def _add(self, label: str, cids: list[str], ifname: str) -> _Attachment | None:
        made = [side.container(self.target.kind) for side in self.sides]
        invs = self.call_both(label, "ADD", cids, ifname, [m[0] for m in made], [s.conf for s in self.sides], [m[1] for m in made])
        if not invs[0].succeeded:
            # "A _delete_ must still be executed even if the _add_ fails" (SPEC.md, Section 3): until
            # then a plugin may leave what it made, so the state in between is not compared.
            self.call_both(f"DEL {cids[0]}/{ifname} (after its failed ADD)", "DEL", cids, ifname, [m[0] for m in made],
                           [s.conf for s in self.sides], [m[1] for m in made])
            for side, m in zip(self.sides, made):
                side.close(m[2])
            return None
        att = _Attachment(label.split(" ", 2)[1], [_Held(cid, ifname, inv.result, m[2], m[1]) for cid, inv, m in zip(cids, invs, made)])
        self.atts.append(att)
        return att

    # ------------------------------------------------------------------ rules

    def add_new(self, ifname: str) -> Any:
        cid = f"c{next(self.ids)}"
        att = self._add(f"ADD {cid}/{ifname}", [cid, cid], ifname)
        return att if att is not None else multiple()

    @rule(target=attachments, key=consumes(released))
    def add_again(self, key: tuple[str, list[tuple[str, str]]]) -> Any:
        label, ids = key
        att = self._add(f"ADD {label} again, after its DEL", [cid for cid, _ in ids], ids[0][1])
        return att if att is not None else multiple()

    @rule(target=released, att=consumes(attachments))
    def delete(self, att: _Attachment) -> tuple[str, list[tuple[str, str]]]:
        where = [h.ns if h.ns is not None else "None" for h in att.sides]
        self.call_both(f"DEL {att.label}", "DEL", [h.cid for h in att.sides], att.sides[0].ifname, where,
                       [self._conf(i, h) for i, h in enumerate(att.sides)], [h.ns_name for h in att.sides], exclude=att)
        for side, h in zip(self.sides, att.sides):
            side.close(h.ns)
        if att in self.atts:
            self.atts.remove(att)
        return att.label, [(h.cid, h.ifname) for h in att.sides]

    @rule()
    def delete_unknown(self) -> None:
        cid = f"never-added-{next(self.ids)}"
        made = [side.container(self.target.kind) for side in self.sides]
        try:
            self.call_both(f"DEL {cid}/eth0 (never added)", "DEL", [cid, cid], "eth0", [m[0] for m in made],
                           [s.conf for s in self.sides], [m[1] for m in made])
        finally:
            for side, m in zip(self.sides, made):
                side.close(m[2])

    @precondition(lambda self: bool(self.sides) and versions.has_check(self.target.cni_version))
    @rule(att=attachments)
    def check(self, att: _Attachment) -> None:
        where = [h.ns if h.ns is not None else "None" for h in att.sides]
        confs = [{**self.sides[i].conf, "prevResult": h.result} for i, h in enumerate(att.sides)]
        self.call_both(f"CHECK {att.label}" + (" (after a GC that did not keep it)" if att.gone else ""), "CHECK",
                       [h.cid for h in att.sides], att.sides[0].ifname, where, confs, [h.ns_name for h in att.sides], exclude=att)

    @precondition(lambda self: bool(self.sides) and versions.has_gc_status(self.target.cni_version))
    @rule(keep=st.lists(st.booleans(), max_size=8))
    def gc(self, keep: list[bool]) -> None:
        """GC listing some live attachments as valid (keep[i] for the i-th; none past the list),
        so that the released ones are the other live attachments; shrinks to "keeping nothing"."""
        live = self.live
        valid = [att for att, k in zip(live, keep) if k]
        confs = [{**side.conf, "cni.dev/valid-attachments": [{"containerID": att.sides[i].cid, "ifname": att.sides[i].ifname} for att in valid]}
                 for i, side in enumerate(self.sides)]
        self.call_both(f"GC keeping {', '.join(a.label for a in valid) or 'nothing'}", "GC", [None, None], None,  # type: ignore[list-item]
                       [None, None], confs, [None, None])
        for att in live:
            if att not in valid:
                att.gone = True

    @rule()
    def restart(self) -> None:
        """The node restarts: /run is emptied on both sides (dataDirs and the kernel state stay)."""
        for side in self.sides:
            side.restart()
            side.steps.append(Step("restart", note="cnitest emptied the plugin's private /run here: a node restart; "
                                   "dataDirs, /var/lib and the namespaces stay"))

    @precondition(lambda self: all(len(aset.ranges) == 1 for aset in self.alloc))
    @rule(target=attachments, count=st.integers(2, 4))
    def add_parallel(self, count: int) -> Any:
        """Several ADDs at once on each side; compared as a multiset of outcomes.

        Only where each range set has one range: with several, the range the next ADD
        takes follows host-local's last-reserved cursor, which the last concurrent ADD
        to finish wrote, so the two sides would part by a race, not by a behaviour."""
        first = next(self.ids)
        for _ in range(count - 1):
            next(self.ids)
        cids = [f"c{first + j}" for j in range(count)]
        label = f"{count} ADDs at once ({cids[0]}..{cids[-1]})"
        batches: list[tuple[list[Invocation], list[Any]]] = []
        for side in self.sides:
            made = [side.container(self.target.kind) for _ in cids]
            out: list[Invocation | None] = [None] * count

            def add(j: int, side: _Side = side, made: list[Any] = made, out: list[Invocation | None] = out) -> None:
                out[j] = invoke(side.runner, "ADD", side.conf, made[j][0], "eth0", cids[j])

            all_at_once(add, count)
            invs = [inv for inv in out if inv is not None]
            self.target.stats["calls"] += count
            side.steps.append(Step(label, [(inv, m[1]) for inv, m in zip(invs, made)], parallel=True))
            batches.append((invs, made))
        obs = []
        for i, (invs, _) in enumerate(batches):
            counts: dict[Any, int] = {}
            for inv in invs:
                for ip in _addresses(inv.result if inv.succeeded else None):
                    counts[ip] = counts.get(ip, 0) + 1
            obs.append(sorted((observe(inv, self._context(i, inv, batch=counts)) for inv in invs), key=repr))
        if obs[0] != obs[1]:
            wins = [sum(1 for inv in invs if inv.succeeded) for invs, _ in batches]
            a, b = _first_difference([repr(o) for o in obs[0]], [repr(o) for o in obs[1]])
            self.differ(label, f"the outcomes of the {count} concurrent ADDs ({wins[0]} and {wins[1]} succeeded)", a, b)
        ok = [[j for j, inv in enumerate(invs) if inv.succeeded] for invs, _ in batches]
        dels: list[list[Observation]] = []
        for i, (side, (_, made), won) in enumerate(zip(self.sides, batches, ok)):
            failed = [j for j in range(count) if j not in won]  # each gets the DEL the spec asks after a failed ADD
            step = Step(f"DEL of the {len(failed)} ADD(s) of that batch that failed", [])
            if failed:
                side.steps.append(step)
            outs = []
            for j in failed:
                inv = invoke(side.runner, "DEL", side.conf, made[j][0], "eth0", cids[j])
                self.target.stats["calls"] += 1
                step.calls.append((inv, made[j][1]))
                outs.append(observe(inv, self._context(i, inv)))
                side.close(made[j][2])
            dels.append(sorted(outs, key=repr))
        if dels[0] != dels[1]:
            a, b = _first_difference([repr(o) for o in dels[0]], [repr(o) for o in dels[1]])
            self.differ(label, "the outcomes of the DELs after the failed concurrent ADDs", a, b)
        made_atts = []
        for ja, jb in zip(*ok):
            (ia, ma), (ib, mb) = (batches[0][0][ja], batches[0][1][ja]), (batches[1][0][jb], batches[1][1][jb])
            att = _Attachment(f"{cids[ja]}/eth0" if ja == jb else f"{cids[ja]}~{cids[jb]}/eth0",
                              [_Held(cids[ja], "eth0", ia.result, ma[2], ma[1]), _Held(cids[jb], "eth0", ib.result, mb[2], mb[1])])
            self.atts.append(att)
            made_atts.append(att)
        return multiple(*made_atts)

    @precondition(lambda self: self.fillable())
    @rule(target=attachments)
    def add_until_exhausted(self) -> Any:
        """ADD new containers until the plugins say the range is exhausted."""
        made = []
        for _ in range(min(self.free()) + 1):
            cid = f"c{next(self.ids)}"
            att = self._add(f"ADD {cid}/eth0 (filling the range)", [cid, cid], "eth0")
            if att is None:
                break
            made.append(att)
        return multiple(*made)

    @invariant()
    def kernel_state_agrees(self) -> None:
        """The host namespaces, and each container namespace, hold the same state by shape."""
        if not self.sides:
            return
        where: list[tuple[str, netns.Namespace | None, netns.Namespace | None]] = []
        if self.target.kind != "ipam":
            where.append(("the host namespace", self.sides[0].host, self.sides[1].host))
        for att in self.atts:
            where.append((f"the container namespace of {att.label}", att.sides[0].ns, att.sides[1].ns))
        label = self.sides[0].steps[-1].label if self.sides[0].steps else "the start"
        for what, ns_a, ns_b in where:
            if ns_a is None or ns_b is None or ns_a.closed or ns_b.closed:
                continue
            a = kernel_shape(ns_a.snapshot(), self.fixed, self.alloc)
            b = kernel_shape(ns_b.snapshot(), self.fixed, self.alloc)
            if a != b:
                da, db = _first_difference(a, b)
                self.differ(label, f"kernel state of {what}", da, db)

    def fillable(self) -> bool:
        """Whether `add_until_exhausted` may run: every range set fills within the fill limit."""
        return bool(self.alloc) and min(self.free()) <= self._fill_limit()

    def _fill_limit(self) -> int:
        t = self.target
        return t.fill_limit if t.fill_limit is not None else (16 if t.kind == "ipam" else 6)


def invoke(runner: Runner, verb: str, conf: dict[str, Any], where: netns.Namespace | str | None,
           ifname: str | None, cid: str | None) -> Invocation:
    """One call; made again (at most twice) when bubblewrap itself failed before the plugin ran.

    bwrap binds / with every mount under it and remounts each one read-only; a
    mount another program removes meanwhile (a named namespace in /run/netns
    of another test) fails the call ("bwrap: Can't bind mount ..."). The plugin
    never ran, so calling again is safe, and such a failure is the harness's,
    never a difference between the plugins."""
    inv = runner.invoke(verb, conf, where, ifname, cid)
    for _ in range(2):
        if inv.exit_code in (0, None) or inv.stdout.strip() or not inv.stderr.startswith(b"bwrap: "):
            break
        inv = runner.invoke(verb, conf, where, ifname, cid)
    return inv


def _delete_links(ipr: Any) -> None:
    for link in ipr.get_links():
        if link.get_attr("IFLA_IFNAME") != "lo":
            try:
                ipr.link("del", index=link["index"])
            except Exception:  # noqa: BLE001 - gone with its peer already
                pass


def _addresses(result: Any) -> list[Any]:
    return list(Result.read(result).addresses())


def make_machine(target: DiffTarget) -> type[DiffMachine]:
    """A machine class bound to `target` (hypothesis needs a class)."""
    ifnames = target.ifnames if target.kind == "ipam" else ("eth0",)

    class Bound(DiffMachine):
        @initialize(ipam=target.as_ipam_target().configs())
        def setup(self, ipam: dict[str, Any]) -> None:
            self.setup_example(ipam)

        @rule(target=DiffMachine.attachments, ifname=st.sampled_from(ifnames))
        def add(self, ifname: str) -> Any:
            return self.add_new(ifname)

    Bound.target = target
    Bound.found = []
    Bound.__name__ = Bound.__qualname__ = "DiffMachine"
    return Bound


SHRINK_SECONDS = 60.0
"""How long hypothesis may shrink a difference by default (its own default is five minutes):
the shrinker gains most early, and every candidate sequence calls both plugins again."""


def release_and_refill(machine: type[DiffMachine], capacity: int = 2) -> None:
    """One fixed sequence, run before the random examples: fill a `capacity`-address range,
    DEL one attachment, ADD again. Raises DifferenceFound, not shrunk (it is short already).

    Which examples hypothesis draws depends on its seed (derandomized, from the source),
    and a DEL that leaks on one side only must be found within the first calls whatever
    it draws (cnitest.ipam_machine.release_and_refill, for the same reason). With configs
    of the target's own (`DiffTarget.ipam_configs`) the sequence runs on the first one drawn,
    unless its range is too large to fill (`add_until_exhausted`'s precondition).
    """
    t = machine.target
    if t.ipam_configs is None:
        ipam = small_range(t.as_ipam_target().ipam_type, "10.78.0.0/24", capacity)
    else:
        ipam = find(t.ipam_configs, lambda _: True, settings=Settings(database=None, max_examples=1, phases=[Phase.generate],
                                                                    derandomize=True))
    m = machine()
    try:
        m.setup_example(ipam)
        m.kernel_state_agrees()
        if not m.fillable():
            return
        m.add_until_exhausted()
        m.kernel_state_agrees()
        if not m.live:
            return  # no ADD succeeded, on either side: nothing to release
        m.delete(m.live[0])
        m.kernel_state_agrees()
        m.add_new("eth0")
        m.kernel_state_agrees()
    finally:
        m.teardown()


def run_diff(target: DiffTarget, settings: Any = None, shrink_seconds: float | None = SHRINK_SECONDS) -> DiffResult:
    """Drive both plugins through the same sequences; the first difference (shrunk), or none.

    `settings` defaults to the chosen cnitest hypothesis profile (cnitest-ci);
    `shrink_seconds` bounds the shrinking (None: hypothesis's own bound).
    `release_and_refill` runs first, whatever the settings; a difference it finds is not shrunk."""
    from hypothesis.internal.conjecture import engine  # its bound is documented as monkeypatchable

    machine = make_machine(target)
    chosen = settings or hypothesis_settings.current()
    bound = engine.MAX_SHRINKING_SECONDS
    if shrink_seconds is not None:
        engine.MAX_SHRINKING_SECONDS = shrink_seconds  # type: ignore[assignment]
    try:
        release_and_refill(machine)
        run_state_machine_as_test(machine, settings=chosen)
    except DifferenceFound as exc:
        return DiffResult(exc, target.stats["examples"], target.stats["calls"])
    except Flaky:
        last = machine.found[-1] if machine.found else None
        return DiffResult(last, target.stats["examples"], target.stats["calls"], flaky=True)
    finally:
        engine.MAX_SHRINKING_SECONDS = bound
    return DiffResult(None, target.stats["examples"], target.stats["calls"])


def fixed_ipam(template: dict[str, Any]) -> dict[str, Any] | None:
    """The ipam section of a config the user gave, when it names its own ranges: a run on that
    network draws only the sequences (e.g. a range of one address, compared by value)."""
    ipam = template.get("ipam")
    if isinstance(ipam, dict) and ("ranges" in ipam or "subnet" in ipam):
        return {k: v for k, v in ipam.items() if k != "dataDir"}
    return None


def common_version(plugin_a: str | Path, plugin_b: str | Path) -> tuple[str | None, list[list[str] | None]]:
    """The newest spec version both plugins list in their VERSION answer (and cnitest knows),
    and each plugin's list (None when its VERSION call failed)."""
    lists: list[list[str] | None] = []
    for plugin in (plugin_a, plugin_b):
        with netns.new("diff-version") as host:
            lists.append(versions.listed(versions.ask(Runner(plugin, host))))
    if lists[0] is None or lists[1] is None:
        return None, lists
    both = [v for v in versions.select(lists[0]) if v in lists[1]]
    return (both[-1] if both else None), lists
