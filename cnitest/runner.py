"""The one way cnitest executes a CNI plugin.

Everything that runs a plugin — the suites, the fixtures, the IPAM state
machine, the `cnitest` command — calls `Runner.invoke`. It builds the CNI_*
environment, runs the binary inside the sandbox host namespace, enforces the
timeout on the whole process group, caps the output, parses stdout into a result
or a typed CNI error, validates it against the schema of the requested spec
version, and keeps the exact invocation so it can be replayed by hand.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import time
import unittest
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import sandbox, versions
from .netns import Namespace
from .options import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from .attachment import Attachment

__all__ = [
    "DEFAULT_TIMEOUT", "MAX_DEPTH", "VERBS", "Blocked", "CniError", "Invocation", "Runner", "nesting_depth", "ns_paths",
    "parse_stdout",
]

DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024
EXIT_GRACE = 0.5  # how long stdout may stay open after the plugin itself exited

VERBS = ("ADD", "CHECK", "DEL", "VERSION", "GC", "STATUS")


@dataclass(frozen=True)
class CniError:
    """An error document a plugin printed: the spec's {code, msg, details}."""

    code: int | None
    msg: str
    details: str = ""

    def __str__(self) -> str:
        extra = f" ({self.details})" if self.details else ""
        return f"code {self.code}: {self.msg}{extra}"


@dataclass
class Invocation:
    """One call of a plugin: what went in, what came out, and what it means."""

    verb: str
    plugin: str
    env: dict[str, str]
    stdin: bytes
    host_ns: str
    cni_version: str | None
    exit_code: int | None = None
    stdout: bytes = b""
    stderr: bytes = b""
    duration: float = 0.0
    started: float = 0.0  # time.monotonic() at the call: orders calls made by several runners
    timed_out: bool = False
    timeout: float = DEFAULT_TIMEOUT  # the limit the call ran under
    truncated: bool = False
    document: Any = None  # the one JSON document on stdout, if there was one
    result: dict[str, Any] | None = None  # the document, when the call succeeded
    error: CniError | None = None  # the document, when the call failed
    problems: list[str] = field(default_factory=list)  # stdout not as the spec says
    schema_kind: str | None = None  # which document the output is checked as, if any
    schema_version: str | None = None  # ... and at which spec version
    _schema_errors: list[str] | None = field(default=None, repr=False)

    @property
    def schema_errors(self) -> list[str]:
        """Where the document departs from the schema of the requested version.

        Computed on first use: a test that never looks pays nothing for it."""
        if self._schema_errors is None:
            from . import schemas

            if self.schema_kind and self.schema_version:
                self._schema_errors = schemas.validate(self.document, self.schema_kind, self.schema_version)
            else:
                self._schema_errors = []
        return self._schema_errors

    @property
    def succeeded(self) -> bool:
        """Exit 0 and well-formed output."""
        return self.exit_code == 0 and not self.problems

    @property
    def failed_cleanly(self) -> bool:
        """A non-zero exit with an error document, as the spec asks of a failure."""
        return self.exit_code not in (0, None) and self.error is not None and not self.problems

    @property
    def valid(self) -> bool:
        """Well-formed and matching the schema of the requested version."""
        return not self.problems and not self.schema_errors

    @property
    def config(self) -> Any:
        try:
            return json.loads(self.stdin)
        except ValueError:
            return None

    @property
    def outcome(self) -> str:
        """How the call ended, in words: an exit status, a signal, or the harness's kill."""
        if self.timed_out:
            return f"killed by the harness after the {self.timeout:g} s timeout"
        if self.exit_code is not None and self.exit_code < 0:
            try:
                name = signal.Signals(-self.exit_code).name
            except ValueError:
                name = f"signal {-self.exit_code}"
            return f"killed by signal {name} after {self.duration * 1000:.0f} ms"
        return f"exit {self.exit_code} in {self.duration * 1000:.0f} ms"

    def describe(self) -> str:
        """A readable account for assertion messages."""
        head = f"{self.verb} (cniVersion {self.cni_version}) -> {self.outcome}"
        lines = [head]
        if self.error:
            lines.append(f"  error: {_cap(str(self.error))}")
        for p in self.problems[:10]:
            lines.append(f"  output problem: {_cap(p)}")
        for e in self.schema_errors[:10]:
            lines.append(f"  schema ({self.schema_kind} {self.schema_version}): {_cap(e)}")
        lines.append(_stdout_text(self))
        if self.stderr:
            lines.append(f"  stderr: {_show(self.stderr)}")
        lines.append(f"  env: {' '.join(f'{k}={v}' for k, v in sorted(self.env.items()) if k.startswith('CNI_'))}")
        return "\n".join(lines)

    def reproducer(self, host: str = "cnitest-host", rename: Mapping[str, str] | None = None) -> str:
        """A shell command that replays this call by hand, as root (see cnitest.reproduce.command)."""
        from .reproduce import command

        return command(self, host, rename)


_NS_PATH = re.compile(r"/proc/\d+/fd/\d+")


def ns_paths(invocations: Sequence[Invocation]) -> list[str]:
    """The fd-held namespace paths the calls mention (CNI_NETNS, sandbox fields), in order."""
    seen: dict[str, None] = {}
    for inv in invocations:
        text = " ".join(inv.env.values()) + " " + inv.stdin.decode("utf-8", "replace")
        for m in _NS_PATH.finditer(text):
            seen.setdefault(m.group(0), None)
    return list(seen)


def _cap(text: str, limit: int = 600) -> str:
    """At most `limit` characters of `text` (a failure message shows a huge document in part)."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters in all)"


JSON_LINES = 200
"""How many lines of a plugin's JSON document a failure message shows (a flood stays readable)."""


def _stdout_text(inv: Invocation) -> str:
    """stdout for a message: a JSON document formatted (indented), anything else escaped and cut."""
    if inv.document is None or not inv.stdout.strip():
        return f"  stdout: {_show(inv.stdout)}"
    try:
        lines = json.dumps(inv.document, indent=2, ensure_ascii=False).splitlines()
    except (TypeError, ValueError):  # pragma: no cover - a parsed document always dumps
        return f"  stdout: {_show(inv.stdout)}"
    more = [f"    ... ({len(lines) - JSON_LINES} more lines, {len(inv.stdout)} bytes in all)"] if len(lines) > JSON_LINES else []
    return "\n".join(["  stdout (JSON):", *("    " + _cap(line, 300) for line in lines[:JSON_LINES]), *more])


def _show(data: bytes, limit: int = 600) -> str:
    text = data[:limit].decode("utf-8", "backslashreplace")
    more = f"... ({len(data)} bytes in all)" if len(data) > limit else ""
    return repr(text) + more


class Blocked(unittest.SkipTest):
    """A call was not made: the same verb already timed out in this session (see Runner.hung).

    A skip (unittest's, which pytest and hypothesis both honour at once): the
    test is blocked by the time-out, reported where it happened, not a finding of its own."""


class Runner:
    """Runs one plugin binary inside one sandbox host namespace.

    `hung` maps a verb to the first call of it that timed out; runners of one
    session share it (Target.runner), so after one time-out every later call of
    that verb raises Blocked at once instead of waiting for the timeout again."""

    def __init__(
        self,
        plugin: str | Path,
        host_ns: Namespace,
        cni_path: list[str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_output: int = DEFAULT_MAX_OUTPUT,
        result_kind: str = "result",
        sandbox: sandbox.Sandbox | None = None,
        hung: dict[str, Invocation] | None = None,
    ) -> None:
        self.plugin = str(Path(plugin).absolute())
        self.host_ns = host_ns
        # The filesystem state of the calls: given, or the host namespace's (one per test), or a default.
        self.sandbox = sandbox or getattr(host_ns, "sandbox", None)
        plugin_dir = str(Path(self.plugin).parent)
        self.cni_path = [plugin_dir] + [d for d in (cni_path or []) if d and d != plugin_dir]
        self.timeout = timeout
        self.max_output = max_output
        self.result_kind = result_kind
        self.history: list[Invocation] = []
        self.hung = hung  # shared by the runners of one session (Target.hung), or None: wait every time

    def attach(self, config: dict[str, Any], container_ns: Namespace | str | None, ifname: str = "eth0",
               container_id: str = "cnitest", version: str | None = None) -> Attachment:
        """One attachment of `config` served by this runner (see cnitest.attachment)."""
        from .attachment import Attachment

        return Attachment(self, config, container_ns, ifname, container_id, version)

    def environment(
        self,
        verb: str,
        container_ns: Namespace | str | None,
        ifname: str | None,
        container_id: str | None,
        cni_args: str | Mapping[str, str] | None = None,
        env: Mapping[str, str | None] | None = None,
    ) -> dict[str, str]:
        """The CNI_* environment for a call; `env` adds or (with None) removes variables."""
        out = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "CNI_COMMAND": verb}
        if container_id is not None:
            out["CNI_CONTAINERID"] = container_id
        if container_ns is not None:
            out["CNI_NETNS"] = container_ns.path if isinstance(container_ns, Namespace) else container_ns
        if ifname is not None:
            out["CNI_IFNAME"] = ifname
        if cni_args:
            out["CNI_ARGS"] = cni_args if isinstance(cni_args, str) else ";".join(f"{k}={v}" for k, v in cni_args.items())
        out["CNI_PATH"] = ":".join(self.cni_path)
        for key, value in (env or {}).items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = value
        return out

    def invoke(
        self,
        verb: str,
        config: Mapping[str, Any] | str | bytes | None = None,
        container_ns: Namespace | str | None = None,
        ifname: str | None = "eth0",
        container_id: str | None = "cnitest",
        cni_args: str | Mapping[str, str] | None = None,
        env: Mapping[str, str | None] | None = None,
        result_kind: str | None = None,
    ) -> Invocation:
        """Call the plugin once and return everything about the call.

        `config` is a dict (sent as JSON), or raw text/bytes sent as they are
        (for malformed-input tests). It never raises for anything the plugin
        does: hangs, crashes and garbage are recorded on the Invocation.
        """
        if self.hung is not None and verb in self.hung:
            first = self.hung[verb]
            raise Blocked(f"blocked: {verb} already timed out after {self.timeout:g}s earlier in this run "
                          f"(CNI_CONTAINERID={first.env.get('CNI_CONTAINERID')}); not waiting for it again")
        if isinstance(config, Mapping):
            stdin = json.dumps(config, indent=2).encode()
            requested = config.get("cniVersion")
        else:
            stdin = config.encode() if isinstance(config, str) else (config or b"")
            requested = _peek_version(stdin)
        inv = Invocation(
            verb=verb,
            plugin=self.plugin,
            env=self.environment(verb, container_ns, ifname, container_id, cni_args, env),
            stdin=stdin,
            host_ns=self.host_ns.label,
            cni_version=requested if isinstance(requested, str) else None,
            timeout=self.timeout,
        )
        self.host_ns.run(lambda: self._execute(inv, self.sandbox or sandbox.default()))
        _interpret(inv, result_kind or self.result_kind)
        self.history.append(inv)
        if inv.timed_out and self.hung is not None:
            self.hung.setdefault(verb, inv)
        return inv

    def _execute(self, inv: Invocation, box: sandbox.Sandbox) -> None:
        """Run the binary under the sandbox (we are on a thread of our own inside the host namespace)."""
        start = inv.started = time.monotonic()
        deadline = start + self.timeout
        held = _held_namespaces(inv) if box.reports_status else {}
        if not os.access(self.plugin, os.X_OK) or not os.path.isfile(self.plugin):
            why = "not found" if not os.path.exists(self.plugin) else "not an executable file"
            inv.problems.append(f"could not execute {self.plugin}: {why}")
            return
        status_r, status_w = os.pipe()
        try:
            named = _named_namespaces(inv)
            box.prepare(held.values(), named)
            proc = subprocess.Popen(
                box.command([self.plugin], held.values(), status_fd=status_w, readable=[*self.cni_path, *named]),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env={k: sandbox.translate_in(v, held) for k, v in inv.env.items()},
                cwd="/",
                start_new_session=True,
                pass_fds=(status_w,),
            )
        except (OSError, sandbox.SandboxUnavailable) as exc:
            os.close(status_r)
            inv.problems.append(f"could not execute {self.plugin}: {getattr(exc, 'strerror', None) or exc}")
            return
        finally:
            os.close(status_w)
        out, err = bytearray(), bytearray()
        stdin = sandbox.translate_in(inv.stdin.decode("utf-8", "surrogateescape"), held).encode("utf-8", "surrogateescape") if held else inv.stdin
        pending = memoryview(stdin)
        sel = selectors.DefaultSelector()
        assert proc.stdin and proc.stdout and proc.stderr
        os.set_blocking(proc.stdin.fileno(), False)
        if pending:
            sel.register(proc.stdin, selectors.EVENT_WRITE)
        else:
            proc.stdin.close()
        sel.register(proc.stdout, selectors.EVENT_READ, out)
        sel.register(proc.stderr, selectors.EVENT_READ, err)
        exited_at: float | None = None
        try:
            while sel.get_map():
                now = time.monotonic()
                if now >= deadline:
                    inv.timed_out = True
                    break
                if exited_at is None and proc.poll() is not None:
                    exited_at = now
                if exited_at is not None and now - exited_at > EXIT_GRACE:
                    inv.problems.append("the plugin exited but a child kept its stdout/stderr open; killed")
                    break
                wait = min(deadline - now, 0.05 if exited_at is None else EXIT_GRACE)
                for key, _ in sel.select(wait):
                    if key.fileobj is proc.stdin:
                        try:
                            sent = os.write(proc.stdin.fileno(), pending[:65536])
                            pending = pending[sent:]
                        except (BrokenPipeError, BlockingIOError) as exc:
                            if isinstance(exc, BlockingIOError):
                                continue
                            pending = pending[:0]
                        if not pending:
                            sel.unregister(proc.stdin)
                            proc.stdin.close()
                        continue
                    chunk = os.read(key.fileobj.fileno(), 65536)  # type: ignore[union-attr]
                    if not chunk:
                        sel.unregister(key.fileobj)
                        continue
                    buf: bytearray = key.data
                    buf += chunk
                    if len(buf) > self.max_output:
                        del buf[self.max_output :]
                        inv.truncated = True
                        name = "stdout" if buf is out else "stderr"
                        inv.problems.append(f"{name} exceeded {self.max_output} bytes; the plugin was killed")
                        raise _Stop
        except _Stop:
            pass
        finally:
            sel.close()
            _kill_group(proc.pid)
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                try:
                    pipe.close()
                except OSError:
                    pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - a process that ignores SIGKILL
                inv.problems.append("the plugin did not die after SIGKILL")
        inv.duration = time.monotonic() - start
        status = sandbox.read_status(status_r)
        inv.exit_code = None if inv.timed_out else sandbox.exit_code(status, proc.returncode) if box.reports_status else proc.returncode
        if box.reports_status and not inv.timed_out and "child-pid" not in status:
            inv.problems.append(f"the sandbox could not start the plugin: {_show(bytes(err))}")
        inv.stdout, inv.stderr = sandbox.translate_out(bytes(out), held), sandbox.translate_out(bytes(err), held)
        if inv.timed_out:
            inv.problems.append(f"no answer within {self.timeout:g}s; the process group was killed")


class _Stop(Exception):
    pass


_NAMED_NS = re.compile(r"/(?:var/)?run/netns/[A-Za-z0-9._@-]+")


def _named_namespaces(inv: Invocation) -> list[str]:
    """Named namespaces (`ip netns add`) the call mentions: the private /run of the sandbox would hide them."""
    text = " ".join(inv.env.values()) + " " + inv.stdin.decode("utf-8", "replace")
    return sorted({m.group(0) for m in _NAMED_NS.finditer(text) if os.path.exists(m.group(0))})


def _held_namespaces(inv: Invocation) -> dict[str, int]:
    """The fd-held namespace paths of this process that the call mentions, by fd number."""
    own = f"/proc/{os.getpid()}/fd/"
    held: dict[str, int] = {}
    for path in ns_paths([inv]):
        if path.startswith(own):
            fd = int(path[len(own):])
            try:
                if os.readlink(f"/proc/self/fd/{fd}").startswith(("net:", "mnt:", "pid:", "user:", "uts:", "ipc:")):
                    held[path] = fd
            except OSError:
                pass  # not open: the path stays as it is, and is as missing inside as outside
    return held


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _peek_version(stdin: bytes) -> str | None:
    try:
        doc = json.loads(stdin)
    except ValueError:
        return None
    value = doc.get("cniVersion") if isinstance(doc, dict) else None
    return value if isinstance(value, str) else None


def parse_stdout(data: bytes) -> tuple[Any, list[str]]:
    """The single JSON document on stdout, and what is wrong with stdout if anything.

    Returns (None, []) for empty output: whether that is allowed depends on the verb.
    """
    if not data.strip():
        return None, []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [f"stdout is not UTF-8 ({exc.reason} at byte {exc.start}): {_show(data, 200)}"]
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        return None, [f"stdout nests JSON deeper than {MAX_DEPTH} levels: {_show(data, 200)}"]
    decoder = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
    start = len(text) - len(text.lstrip())
    try:
        doc, end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        kind = "truncated JSON" if _unclosed(text) else "not JSON"
        return None, [f"stdout is {kind} ({exc.msg} at char {exc.pos}): {_show(data, 200)}"]
    except (_NotJson, ValueError) as exc:  # NaN/Infinity, 1e999, an integer of more digits than Python converts
        return None, [f"stdout is not JSON ({exc}): {_show(data, 200)}"]
    rest = text[end:].strip()
    if rest:
        try:
            decoder.raw_decode(rest)
            what = "more than one JSON document"
        except json.JSONDecodeError:
            what = "text after the JSON document"
        return doc, [f"stdout holds {what}: {_show(rest.encode(), 200)}"]
    return doc, []


MAX_DEPTH = 64
"""How deeply a plugin's JSON may nest. A CNI result nests about 5 levels; Python's
json, jsonschema and repr recurse, so a deeper document is refused before parsing."""

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*(?:"|$)|[\[\]{}]', re.DOTALL)


def nesting_depth(text: str, stop: int = MAX_DEPTH) -> int:
    """How deeply arrays/objects nest in `text` (brackets inside strings do not count).

    Iterative, and it stops counting past `stop`: cheap even for a megabyte of `[`."""
    depth = deepest = 0
    for m in _TOKENS.finditer(text):
        ch = m.group(0)
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop:
                    break
        elif ch in "]}":
            depth -= 1
    return deepest


class _NotJson(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NotJson(f"the number {text[:40]} is out of range for a 64-bit float")
    return value


def _unclosed(text: str) -> bool:
    """True when the text ends inside a string or an open object/array: cut short."""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            escaped = not escaped and ch == "\\"
            if ch == '"' and not escaped:
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return in_string or depth > 0


def _as_error(doc: Any) -> CniError | None:
    if not isinstance(doc, dict) or "code" not in doc and "msg" not in doc:
        return None
    code = doc.get("code")
    return CniError(
        code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        msg=str(doc.get("msg", "")),
        details=str(doc.get("details", "") or ""),
    )


def _interpret(inv: Invocation, result_kind: str) -> None:
    """Fill in document/result/error/problems/schema_errors from the raw output."""
    if inv.exit_code is None:
        return
    doc, problems = parse_stdout(inv.stdout)
    inv.document = doc
    inv.problems.extend(problems)
    if problems:
        return
    if inv.exit_code != 0:
        inv.error = _as_error(doc)
        if inv.error is None:
            inv.problems.append(f"exit {inv.exit_code} without an error document ({{code, msg}}) on stdout")
        kind = "error"
    elif inv.verb == "VERSION":
        kind = "version"
        inv.result = doc if isinstance(doc, dict) else None
    elif inv.verb == "ADD" or (doc is not None and inv.verb == "CHECK"):
        if doc is None:
            inv.problems.append("ADD succeeded but printed no result")
            return
        kind = result_kind
        inv.result = doc if isinstance(doc, dict) else None
    elif doc is None:
        return
    else:
        kind = result_kind
        inv.result = doc if isinstance(doc, dict) else None
    from . import schemas

    version = inv.cni_version
    if inv.verb == "VERSION" and not (version and versions.is_known(version) and kind in schemas.available(version)):
        version = versions.LATEST  # VERSION answers whatever was asked; judge it by the newest shape
    if doc is not None and version and versions.is_known(version) and kind in schemas.available(version):
        inv.schema_kind, inv.schema_version = kind, version
