"""Run a network configuration list as a CNI runtime (libcni) runs it.

SPEC.md section 3 ("Execution of Network Configurations"), as libcni implements it:

- ADD calls the plugins in list order; each gets the previous plugin's result as
  prevResult (none for the first), and the first failure halts the list. The final
  result is what a runtime keeps for CHECK and DEL.
- CHECK calls them in order, each with the final ADD result as prevResult; nothing is
  called when the list says `disableCheck` (a success, as the spec says).
- DEL calls them in reverse order, each with the final ADD result (0.4.0 on).
- GC first DELs the cached attachments of this network that are not among the valid
  ones (libcni's GCNetworkList), then, from 1.1.0 on, calls every plugin with the valid
  attachments, going on past failures and returning all of them; nothing when the list
  says `disableGC` (libcni, and the spec after 1.1.0).
- STATUS (1.1.0 on) calls the plugins in order and stops at the first failure.

Each plugin gets its "request configuration": the plugin object with the list's `name`
and the selected `cniVersion` (the highest known one of `cniVersion` and `cniVersions`)
inserted; for ADD, CHECK and DEL also `prevResult` and a `runtimeConfig` made of the
capability arguments the plugin declares, with `capabilities` removed (spec 1.0.0:
"must be removed", 1.1.0: "must not be set"); for GC the list of valid attachments.
What the runtime inserts is never taken from the file: a `prevResult`, a `runtimeConfig`
(a reserved key) or a `cni.dev/` key written there is dropped.

The library knows no command line and no cache: it takes a `RunnerFor`, a callable
that gives the runner (anything with `Runner.invoke`'s signature) of a plugin type, so
the `cnitest exec` command and a suite can both use it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from . import lookup, versions

if TYPE_CHECKING:
    from .netns import Namespace
    from .runner import Invocation, Runner
    from .sandbox import Sandbox

__all__ = [
    "GC_KEYS", "AttachmentParams", "CachedAttachment", "ConflistError", "ListRun", "NetworkList", "PluginNotFound",
    "PluginRunner", "RunnerFor", "Step", "add", "check", "delete", "find_plugin", "gc", "path_runners",
    "request_config", "status",
]

GC_KEYS = ("cni.dev/valid-attachments", "cni.dev/attachments")
"""Where GC's valid attachments go. SPEC.md at spec-v1.1.0 names `cni.dev/attachments`;
libcni (already at that tag) and the later spec text name `cni.dev/valid-attachments`,
and libcni sends both (containernetworking/cni#1101). So does cnitest."""


class ConflistError(ValueError):
    """The document is not a usable network configuration list (the message says why)."""


class PluginNotFound(LookupError):
    """No executable for a plugin `type` in the search path (spec: "this is an error")."""


class PluginRunner(Protocol):
    """What the list runner needs of a runner: cnitest.runner.Runner.invoke."""

    def invoke(self, verb: str, config: Mapping[str, Any] | str | bytes | None = None,
               container_ns: Namespace | str | None = None, ifname: str | None = "eth0",
               container_id: str | None = "cnitest", cni_args: str | Mapping[str, str] | None = None) -> Invocation: ...


RunnerFor = Callable[[str], PluginRunner]
"""The runner of a plugin type; raises PluginNotFound when there is none."""


def _flag(doc: Mapping[str, Any], key: str) -> bool:
    """A boolean list flag: true/false, or the strings "true"/"false" (0.4.0 wrote it as a string)."""
    value = doc.get(key, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ConflistError(f"{key} must be true or false, not {value!r}")


@dataclass(frozen=True)
class NetworkList:
    """A network configuration list: its name, the version selected, its plugins, its flags."""

    name: str
    cni_version: str
    plugins: tuple[dict[str, Any], ...]
    disable_check: bool = False
    disable_gc: bool = False

    @classmethod
    def from_doc(cls, doc: Any, cni_version: str | None = None) -> NetworkList:
        """Read a conflist document; `cni_version` overrides the version it selects."""
        if not isinstance(doc, dict):
            raise ConflistError("a conflist is a JSON object")
        plugins = doc.get("plugins")
        if not isinstance(plugins, list) or not plugins:
            raise ConflistError("'plugins' must be a non-empty list of plugin objects")
        for i, p in enumerate(plugins):
            if not isinstance(p, dict) or not isinstance(p.get("type"), str) or not p["type"]:
                raise ConflistError(f"plugins[{i}] must be an object with a 'type' string")
            if "/" in p["type"] or p["type"] in (".", ".."):
                raise ConflistError(f"plugins[{i}].type {p['type']!r} is not a file name")
        name = doc.get("name")
        if not isinstance(name, str) or not name:
            raise ConflistError("'name' must be a non-empty string")
        return cls(name, cni_version or select_version(doc), tuple(plugins), _flag(doc, "disableCheck"), _flag(doc, "disableGC"))


def select_version(doc: Mapping[str, Any]) -> str:
    """The highest version of `cniVersion` and `cniVersions` that cnitest knows (SPEC 1.1.0: "MUST select the highest")."""
    declared = doc.get("cniVersion")
    many = doc.get("cniVersions")
    candidates = [declared] if isinstance(declared, str) else []
    if isinstance(many, list):
        candidates += [v for v in many if isinstance(v, str)]
    known = versions.select(candidates)
    if known:
        return known[-1]
    raise ConflistError(f"no known cniVersion in cniVersion {declared!r} / cniVersions {many!r} (known: {', '.join(versions.KNOWN)})")


@dataclass(frozen=True)
class AttachmentParams:
    """The per-attachment parameters of SPEC section 3 (the runtime's side of a call)."""

    container_id: str
    ifname: str
    netns: str | None
    cni_args: str | None = None
    capability_args: Mapping[str, Any] = field(default_factory=dict)
    runtime_config: Mapping[str, Any] = field(default_factory=dict)  # merged as given (a cnitest extension)


@dataclass(frozen=True)
class CachedAttachment:
    """An attachment a runtime remembers: its parameters and its final ADD result."""

    params: AttachmentParams
    result: dict[str, Any] | None


def request_config(netlist: NetworkList, plugin: Mapping[str, Any], verb: str, prev_result: dict[str, Any] | None = None,
                   params: AttachmentParams | None = None, valid: Iterable[tuple[str, str]] = ()) -> dict[str, Any]:
    """The JSON one plugin gets for `verb` (SPEC 1.1.0 "Deriving request configuration")."""
    conf = {k: v for k, v in plugin.items() if not k.startswith("cni.dev/")}
    conf["name"] = netlist.name
    conf["cniVersion"] = netlist.cni_version
    for key in ("prevResult", "runtimeConfig"):  # the runtime's to insert (runtimeConfig is reserved): one in the file is stale
        conf.pop(key, None)
    if verb in ("ADD", "CHECK", "DEL"):
        if prev_result is not None and versions.has_prev_result(netlist.cni_version):
            conf["prevResult"] = prev_result
        declared = conf.pop("capabilities", None)
        caps = declared if isinstance(declared, dict) else {}
        derived = {k: v for k, v in (params.capability_args if params else {}).items() if caps.get(k) is True}
        derived.update(params.runtime_config if params else {})
        if derived:
            conf["runtimeConfig"] = derived
    elif verb == "GC":
        listed = [{"containerID": cid, "ifname": ifname} for cid, ifname in valid]
        for key in GC_KEYS:
            conf[key] = listed
    return conf


@dataclass
class Step:
    """One plugin call of a list run (or the failure to find the plugin)."""

    index: int
    plugin_type: str
    config: dict[str, Any]
    invocation: Invocation | None = None
    error: str | None = None  # why the call failed, in words

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ListRun:
    """What one verb on a list did: its steps, the final ADD result, and why it called nothing."""

    verb: str
    netlist: NetworkList
    steps: list[Step] = field(default_factory=list)
    result: dict[str, Any] | None = None  # ADD: the final plugin's result
    skipped: str | None = None  # nothing called, and that is a success (disableCheck, ...)
    refused: str | None = None  # nothing called, and that is an error (CHECK before 0.4.0)
    stale: list[tuple[CachedAttachment, ListRun]] = field(default_factory=list)  # GC: the DELs of stale attachments

    @property
    def errors(self) -> list[str]:
        """Every failure, in words (GC returns all of them, the others their first)."""
        out = [self.refused] if self.refused else []
        for att, run in self.stale:
            out += [f"DEL of stale attachment {att.params.container_id}/{att.params.ifname}: {e}" for e in run.errors]
        return out + [f"{s.plugin_type} (plugins[{s.index}]): {s.error}" for s in self.steps if s.error]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def document(self) -> Any:
        """The list's answer as a runtime would print it: the final ADD result, else the first failure's document."""
        if self.verb == "ADD" and self.ok:
            return self.result
        for s in self.steps:
            if s.error and s.invocation is not None and s.invocation.document is not None:
                return s.invocation.document
        return None


def _call(runner_for: RunnerFor, step: Step, verb: str, params: AttachmentParams | None) -> None:
    try:
        runner = runner_for(step.plugin_type)
    except PluginNotFound as exc:
        step.error = str(exc)
        return
    if params is None:
        inv = runner.invoke(verb, step.config, None, None, None)
    else:
        inv = runner.invoke(verb, step.config, params.netns, params.ifname, params.container_id, cni_args=params.cni_args)
    step.invocation = inv
    if not inv.succeeded:
        step.error = str(inv.error) if inv.error else "; ".join(inv.problems) or inv.outcome
    elif verb == "ADD" and not isinstance(inv.result, dict):
        step.error = "ADD succeeded without a result object"


def add(netlist: NetworkList, runner_for: RunnerFor, params: AttachmentParams) -> ListRun:
    """ADD: every plugin in order, each with the previous one's result; halts at the first failure."""
    run = ListRun("ADD", netlist)
    prev: dict[str, Any] | None = None
    for i, plugin in enumerate(netlist.plugins):
        step = Step(i, plugin["type"], request_config(netlist, plugin, "ADD", prev, params))
        run.steps.append(step)
        _call(runner_for, step, "ADD", params)
        if not step.ok:
            return run
        assert step.invocation is not None
        prev = step.invocation.result
    run.result = prev
    return run


def check(netlist: NetworkList, runner_for: RunnerFor, params: AttachmentParams, cached: dict[str, Any] | None) -> ListRun:
    """CHECK: every plugin in order with the final ADD result; nothing when disableCheck."""
    run = ListRun("CHECK", netlist)
    if not versions.has_check(netlist.cni_version):
        run.refused = f"CHECK is not defined before spec 0.4.0 (the list is {netlist.cni_version})"
    elif netlist.disable_check:
        run.skipped = "the list says disableCheck: a runtime must not call CHECK (a success)"
    elif cached is None:
        run.refused = "no cached ADD result for this attachment: CHECK needs the final ADD result"
    else:
        for i, plugin in enumerate(netlist.plugins):
            step = Step(i, plugin["type"], request_config(netlist, plugin, "CHECK", cached, params))
            run.steps.append(step)
            _call(runner_for, step, "CHECK", params)
            if not step.ok:
                break
    return run


def delete(netlist: NetworkList, runner_for: RunnerFor, params: AttachmentParams, cached: dict[str, Any] | None) -> ListRun:
    """DEL: every plugin in reverse order, with the final ADD result from 0.4.0 on; halts at the first failure."""
    run = ListRun("DEL", netlist)
    prev = cached if versions.at_least(netlist.cni_version, "0.4.0") else None
    for i in reversed(range(len(netlist.plugins))):
        plugin = netlist.plugins[i]
        step = Step(i, plugin["type"], request_config(netlist, plugin, "DEL", prev, params))
        run.steps.append(step)
        _call(runner_for, step, "DEL", params)
        if not step.ok:
            break
    return run


def gc(netlist: NetworkList, runner_for: RunnerFor, valid: Iterable[tuple[str, str]],
       cached: Iterable[CachedAttachment] = ()) -> ListRun:
    """GC: DEL the cached attachments not in `valid`, then GC every plugin (1.1.0 on), past failures."""
    run = ListRun("GC", netlist)
    if netlist.disable_gc:
        run.skipped = "the list says disableGC: a runtime must not call GC (a success)"
        return run
    keep = list(dict.fromkeys(valid))
    for att in cached:
        if (att.params.container_id, att.params.ifname) not in keep:
            run.stale.append((att, delete(netlist, runner_for, att.params, att.result)))
    if not versions.has_gc_status(netlist.cni_version):
        run.skipped = f"GC is not defined before spec 1.1.0 (the list is {netlist.cni_version}): no plugin was called"
        return run
    for i, plugin in enumerate(netlist.plugins):
        step = Step(i, plugin["type"], request_config(netlist, plugin, "GC", valid=keep))
        run.steps.append(step)
        _call(runner_for, step, "GC", None)
    return run


def status(netlist: NetworkList, runner_for: RunnerFor) -> ListRun:
    """STATUS (1.1.0 on): every plugin in order; stops at the first failure."""
    run = ListRun("STATUS", netlist)
    if not versions.has_gc_status(netlist.cni_version):
        run.skipped = f"STATUS is not defined before spec 1.1.0 (the list is {netlist.cni_version}): no plugin was called"
        return run
    for i, plugin in enumerate(netlist.plugins):
        step = Step(i, plugin["type"], request_config(netlist, plugin, "STATUS"))
        run.steps.append(step)
        _call(runner_for, step, "STATUS", None)
        if not step.ok:
            break
    return run


def find_plugin(plugin_type: str, dirs: Iterable[str]) -> Path:
    """The plugin named `plugin_type` in CNI_PATH order (cnitest.lookup), or PluginNotFound.

    Unlike the lookup, a file that is not executable is not taken: exec would refuse it."""
    searched = list(dirs)
    found = lookup.find_plugin(plugin_type, searched)
    if found is None or not os.access(found, os.X_OK):
        raise PluginNotFound(f"plugin type {plugin_type!r} not found in CNI_PATH {':'.join(searched) or '(empty)'}")
    return found.absolute()


def path_runners(dirs: list[str], host_ns: Namespace, timeout: float | None = None, sandbox: Sandbox | None = None) -> RunnerFor:
    """A RunnerFor that finds each type in `dirs` and runs it in `host_ns` (one Runner per type)."""
    from .runner import DEFAULT_TIMEOUT, Runner

    made: dict[str, Runner] = {}

    def runner_for(plugin_type: str) -> Runner:
        if plugin_type not in made:
            made[plugin_type] = Runner(find_plugin(plugin_type, dirs), host_ns, dirs,
                                       timeout=DEFAULT_TIMEOUT if timeout is None else timeout, sandbox=sandbox)
        return made[plugin_type]

    return runner_for
