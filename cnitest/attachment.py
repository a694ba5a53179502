"""One container attachment: the unit a conformance test talks about.

An attachment is (runner, config, container namespace, CNI_IFNAME, CNI_CONTAINERID,
spec version, and the CNI_ARGS a runtime sends with every call of it). `add()`, `check()` and `delete()` call the plugin for it and
return the runner's Invocation; `result` is the last successful ADD result. The
config a runtime sends with CHECK and DEL (prevResult from 0.3.0 on) is built
here and nowhere else. Used as a context manager the attachment always DELs what
it added, whatever the test body did:

    with Attachment(runner, conf, container_ns) as att:
        add = att.add()
        assert add.succeeded
        assert att.check().succeeded

A step a test depends on but does not judge (the ADD before a CHECK test, the GC
before a test of what GC kept) goes through `require()` or `add_or_block()`: when
it fails, the test ends "blocked by <rule id>", a skip naming the rule whose own
test judges that step, and is never a finding of the rule it was about to check.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType, TracebackType
from typing import Any

from . import versions
from .netns import Namespace
from .runner import Blocked, Invocation, Runner

__all__ = ["PRECONDITION_RULES", "Attachment", "BlockedBy", "blocked_by", "require", "with_prev_result"]

_LAST: Any = object()  # "the last successful ADD result" (a default distinct from None)

PRECONDITION_RULES: Mapping[str, str] = MappingProxyType({
    "ADD": "add.result.stdout",  # a successful ADD exits 0 with a result object (test_smoke, test_results)
    "CHECK": "check.after-add-succeeds",
    "DEL": "chain.prevresult.del-accepted",  # DEL with the ADD result as prevResult succeeds (test_delete)
    "GC": "gc.succeeds",
    "STATUS": "status.ready-succeeds",
})
"""verb -> the rule whose own test judges that a plain call of the verb on the profile's
config succeeds: what a test blocked by a failed call of that verb names by default."""

BLOCKED_PREFIX = "blocked by "


class BlockedBy(Blocked):
    """A precondition failed: the test cannot judge its own rule, and is blocked by `rule`.

    A skip (unittest's, honoured by pytest and hypothesis), so the failure is reported
    once, by the precondition's own test, and this test's rule gets no finding. The
    reason reads "blocked by RULE: why"; the report reads the rule back from it
    (`blocked_by`), because pytest keeps only a skip's text."""

    def __init__(self, rule: str, why: str) -> None:
        self.rule = rule
        super().__init__(f"{BLOCKED_PREFIX}{rule}: {why}")


def blocked_by(reason: str) -> tuple[bool, str | None]:
    """Whether a skip reason says the test was blocked, and by which rule.

    (True, rule) for BlockedBy; (True, None) for the runner's Blocked (a verb that
    already timed out: the finding is the time-out's test, not a rule of its own);
    (False, None) for any other skip."""
    if reason.startswith(BLOCKED_PREFIX):
        rule = reason[len(BLOCKED_PREFIX):].split(":", 1)[0].strip()
        return True, rule or None
    return reason.startswith("blocked:"), None


def require(inv: Invocation, rule: str | None = None, what: str | None = None, exit_code_only: bool = False) -> Invocation:
    """`inv` if the call succeeded (exit 0, well-formed output, an ADD with a result object);
    else BlockedBy `rule` (default: PRECONDITION_RULES[inv.verb]).

    For a step the test needs but does not judge; `what` names it in the reason
    (default: the verb). With `exit_code_only` only exit 0 is required: for a test
    that judges the call's own output (a successful DEL prints nothing), whatever
    that output holds."""
    rule = rule or PRECONDITION_RULES.get(inv.verb, PRECONDITION_RULES["ADD"])
    what = what or inv.verb
    if exit_code_only:
        if inv.exit_code != 0:
            raise BlockedBy(rule, f"{what} did not exit 0, so this test's rule cannot be judged:\n{inv.describe()}")
        return inv
    if not inv.succeeded:
        raise BlockedBy(rule, f"{what} failed, so this test's rule cannot be judged:\n{inv.describe()}")
    if inv.verb == "ADD" and not isinstance(inv.result, dict):
        raise BlockedBy(rule, f"{what} printed no result object, so this test's rule cannot be judged:\n{inv.describe()}")
    return inv


def with_prev_result(conf: Mapping[str, Any], result: dict[str, Any] | None, version: str) -> dict[str, Any]:
    """`conf` carrying `result` as prevResult where the version knows prevResult (0.3.0+).

    Any prevResult `conf` already has (a chained plugin's base result) is replaced;
    with `result` None the config goes without one."""
    out = {k: v for k, v in conf.items() if k != "prevResult"}
    if result is not None and versions.has_prev_result(version):
        out["prevResult"] = result
    return out


class Attachment:
    """One (container namespace, ifname, container id) attachment of one network config."""

    def __init__(
        self,
        runner: Runner,
        config: dict[str, Any],
        container_ns: Namespace | str | None,
        ifname: str = "eth0",
        container_id: str = "cnitest",
        version: str | None = None,
        cni_args: str | Mapping[str, str] | None = None,
    ) -> None:
        self.runner = runner
        self.config = config
        self.container_ns = container_ns
        self.ifname = ifname
        self.container_id = container_id
        self.cni_args = cni_args  # CNI_ARGS of every call, as a runtime sends the same on ADD, CHECK and DEL
        declared = config.get("cniVersion")
        self.version: str = version or (declared if isinstance(declared, str) else versions.LATEST)
        self.result: dict[str, Any] | None = None  # the last successful ADD's result
        self.last_add: Invocation | None = None
        self.added = False  # an ADD was attempted: the context manager DELs

    def __repr__(self) -> str:
        return f"Attachment({self.container_id!r}, {self.ifname!r}, cniVersion {self.version})"

    def prev_config(self, result: dict[str, Any] | None = _LAST, config: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The config for CHECK/DEL: `config` (default: this attachment's) with
        `result` (default: the last ADD result) as prevResult where the version has it."""
        return with_prev_result(self.config if config is None else config, self.result if result is _LAST else result, self.version)

    def invoke(self, verb: str, config: Mapping[str, Any] | str | bytes | None, netns: Namespace | str | None = _LAST,
               **kwargs: Any) -> Invocation:
        """Call the plugin for this attachment; `netns` overrides the container namespace
        (a stale path, or None for no CNI_NETNS); kwargs go to Runner.invoke (cni_args
        defaults to the attachment's)."""
        ns = self.container_ns if netns is _LAST else netns
        if self.cni_args is not None:
            kwargs.setdefault("cni_args", self.cni_args)
        return self.runner.invoke(verb, config, ns, self.ifname, self.container_id, **kwargs)

    def add(self, config: Mapping[str, Any] | str | bytes | None = None, **kwargs: Any) -> Invocation:
        """ADD with `config` (default: this attachment's); a success sets `result`.

        `config` may be raw stdin (text or bytes, sent as it is) for the tests of
        malformed input: should such an ADD succeed after all, the attachment's
        DEL (its own config, with that result) still cleans it up."""
        self.added = True
        inv = self.invoke("ADD", self.config if config is None else config, **kwargs)
        self.last_add = inv
        if inv.succeeded and isinstance(inv.result, dict):
            self.result = inv.result
        return inv

    def add_or_block(self, config: Mapping[str, Any] | None = None, rule: str | None = None, what: str | None = None,
                     **kwargs: Any) -> Invocation:
        """ADD as a precondition: the successful Invocation, else BlockedBy `rule`
        (default add.result.stdout); see require()."""
        return require(self.add(config, **kwargs), rule, what)

    def check(self, prev_result: dict[str, Any] | None = _LAST, config: Mapping[str, Any] | None = None, **kwargs: Any) -> Invocation:
        """CHECK with `prev_result` (default: the last ADD result) as prevResult."""
        return self.invoke("CHECK", self.prev_config(prev_result, config), **kwargs)

    def delete(self, prev_result: dict[str, Any] | None = _LAST, config: Mapping[str, Any] | None = None, **kwargs: Any) -> Invocation:
        """DEL with `prev_result` (default: the last ADD result) as prevResult.

        A successful DEL ends the attachment: the context manager does not DEL again."""
        inv = self.invoke("DEL", self.prev_config(prev_result, config), **kwargs)
        if inv.succeeded:
            self.added = False
        return inv

    def lifecycle(self, deletes: int = 1) -> list[Invocation]:
        """ADD, CHECK (where the version has CHECK and the ADD exited 0), then `deletes`
        DELs: every call a runtime makes over one attachment's life, in order, for a
        test that judges what each call printed (their outcome is not asserted here)."""
        calls = [self.add()]
        if versions.has_check(self.version) and calls[0].exit_code == 0:
            calls.append(self.check())
        calls += [self.delete() for _ in range(deletes)]
        return calls

    def __enter__(self) -> Attachment:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.added:  # best effort, as a runtime tearing a container down
            gone = isinstance(self.container_ns, Namespace) and self.container_ns.closed
            self.delete(netns=None) if gone else self.delete()
            self.added = False
