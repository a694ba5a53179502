"""Shell replays of plugin calls: the one place a reproducer is written.

The harness runs plugins in anonymous namespaces held by file descriptors; a
person replaying a failure needs named ones, and a bisecting one needs an exit
status. `script()` writes a bash script that

- runs wholly in a subshell, so pasted into an interactive shell its `set -u`,
  traps and `exit` end the subshell, never the user's shell;
- makes namespaces with names unique to the run (``cnitest-h-<pid>-<random>``),
  a temporary directory standing in for the test's own (dataDirs live there),
  and deletes them on any exit (also Ctrl-C);
- runs every call with the environment and stdin the harness used, but with the
  user's own PATH (none of the harness's environment is baked in), and with
  private /run and /var/lib kept in that directory across the calls, as the
  harness's sandbox has them (a plugin's state never lands on the machine); the
  plugin path can be replaced with CNITEST_PLUGIN=PATH (bisecting a build);
- feeds a CHECK or DEL whose prevResult was an earlier ADD's result the
  *replayed* ADD's output (python3 rewrites the config; it is the script's only
  dependency besides bash, iproute2, util-linux's unshare and coreutils' timeout);
- compares how each call ends (exit status, CNI error code, what stdout held)
  with how it ended in the failing run, and exits 1 when every call ended the
  same (the fault shows), 0 when one did not (it does not), 125 when the
  replay cannot be set up (git bisect run's "cannot test").

A fault the harness found only in a result's content or the kernel's state (a
MAC the interface does not have) ends the calls as they ended before: the
script prints the output and the container's state after each call for a look,
and its exit status says only that the calls ended as in the failing run.

`command()` is the single-call form (`Invocation.reproducer` uses it).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .runner import ns_paths

if TYPE_CHECKING:
    from .runner import Invocation

__all__ = ["Step", "command", "ns_paths", "outcome", "script"]

_NS_PATH = re.compile(r"/proc/\d+/fd/\d+")

DELIMITER = "CNI_STDIN"

# The replay's helper, run by python3: `prev FILE` (config on stdin, prevResult from the
# replayed ADD's output in FILE) and `outcome FILE RC` (how a call ended, as outcome() words it).
# Single-quoted in the script: no "'" in it.
_HELPER = r"""
import json, sys
def doc(text):
    try:
        return True, json.loads(text, parse_constant=lambda c: 1 / 0)
    except Exception:
        return False, None
if sys.argv[1] == "prev":
    conf = json.loads(sys.stdin.read())
    ok, result = doc(open(sys.argv[2], encoding="utf-8", errors="replace").read())
    if ok and isinstance(result, dict):
        conf["prevResult"] = result
    else:
        sys.stderr.write("(the replayed ADD printed no result: prevResult stays as the failing run sent it)\n")
    print(json.dumps(conf, indent=2))
else:
    text, rc = open(sys.argv[2], encoding="utf-8", errors="replace").read(), int(sys.argv[3])
    ok, value = doc(text)
    if rc == 0:
        what = "empty stdout" if not text.strip() else "one JSON document" if ok else "stdout not one JSON document"
        print("exit 0, " + what)
    else:
        code = value.get("code") if ok and isinstance(value, dict) else None
        err = "error code %d" % code if isinstance(code, int) and not isinstance(code, bool) else "no error code"
        print("exit %d, %s" % (rc, err))
"""


def outcome(inv: Invocation) -> str:
    """How a call ended, in the words the replay's helper uses for the replayed call."""
    if inv.timed_out or inv.exit_code is None:
        return "timed out"
    if inv.exit_code != 0:
        rc = inv.exit_code if inv.exit_code > 0 else 128 - inv.exit_code  # a signal, as the shell shows it
        code = inv.error.code if inv.error is not None else None
        return f"exit {rc}, " + (f"error code {code}" if code is not None else "no error code")
    if not inv.stdout.strip():
        return "exit 0, empty stdout"
    one_doc = inv.document is not None and not any(p.startswith("stdout ") for p in inv.problems)
    return "exit 0, " + ("one JSON document" if one_doc else "stdout not one JSON document")


# --------------------------------------------------------------------- quoting


def _substitute(text: str, subs: Mapping[str, str], escape: Any) -> str:
    """`text` escaped by `escape`, with every key of `subs` replaced by its value unescaped."""
    if not subs:
        return str(escape(text))
    pattern = re.compile("|".join(re.escape(k) for k in sorted(subs, key=len, reverse=True)))
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(subs[m.group(0)])
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _heredoc_escape(text: str) -> str:
    """Text for the body of an unquoted heredoc: only \\, $ and ` are special there."""
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")


def _double_quoted(text: str) -> str:
    """Text inside "...": \\ " $ ` escaped, and ! closed out of the quotes (an interactive
    shell's history expansion works inside double quotes, not inside single ones)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`").replace("!", "\"'!'\"")


def _shell_word(value: str, subs: Mapping[str, str]) -> str:
    if not any(k in value for k in subs):
        return shlex.quote(value)
    return f'"{_substitute(value, subs, _double_quoted)}"'


def _printf_bytes(data: bytes) -> str:
    """A printf format (single-quoted) that prints exactly `data`."""
    return "".join(chr(b) if 32 <= b < 127 and chr(b) not in "\\'%!" else f"\\x{b:02x}" for b in data)


def _comment(text: str) -> str:
    """Text safe in a `#` comment: one line (a newline would start a command) and no `!`
    (history expansion works in comments too when pasted)."""
    return " ".join(str(text).split()).replace("!", ".")


def _say(text: str) -> str:
    """An echo of `text` exactly (single-quoted: no expansion of any kind)."""
    return f"echo {shlex.quote(text)}"


def _renames(invocations: Sequence[Invocation], rename: Mapping[str, str] | None) -> dict[str, str]:
    subs = dict(rename or {})
    for path in ns_paths(invocations):
        if path not in subs:
            taken = sum(1 for p in subs if _NS_PATH.fullmatch(p))
            subs[path] = "/var/run/netns/cnitest-cont" + (str(taken + 1) if taken else "")
    return subs


def _stdin(inv: Invocation, subs: Mapping[str, str]) -> tuple[str, str]:
    """(redirection or pipe prefix, heredoc body) feeding the call exactly its stdin."""
    if not inv.stdin:
        return "</dev/null", ""
    try:
        body: str | None = inv.stdin.decode("utf-8")
    except UnicodeDecodeError:
        body = None
    # A heredoc only for plain text: a tab pasted into an interactive shell completes, a
    # control character or a line equal to the delimiter would change the input, and some
    # bash versions history-expand a `!` in a pasted heredoc.
    if (body is None or not body.strip() or re.search(r"[\x00-\x09\x0b-\x1f\x7f!]", body)
            or DELIMITER in body.splitlines()):
        return f"printf '{_printf_bytes(inv.stdin)}' |", ""
    text = _substitute(body, subs, _heredoc_escape)
    if not text.endswith("\n"):
        text += "\n"  # a heredoc always ends in a newline; JSON does not mind
    return f"<<{DELIMITER}", f"{text}{DELIMITER}"


def _env_words(inv: Invocation, subs: Mapping[str, str]) -> str:
    """The call's environment as words for `env -i`: the user's PATH, never the harness's."""
    words = ['PATH="$PATH"']
    words += [f"{k}={_shell_word(v, subs)}" for k, v in inv.env.items() if k != "PATH"]
    return " ".join(words)


def command(inv: Invocation, host: str = "cnitest-host", rename: Mapping[str, str] | None = None,
            plugin: str | None = None) -> str:
    """A shell command that replays this one call by hand, as root.

    The plugin runs in the named namespace `host` with exactly the environment it
    had (`env -i`, PATH being the user's). Every fd-held namespace path
    (/proc/<pid>/fd/<n>, valid only while cnitest runs) in the environment or
    on stdin is replaced: by `rename[path]` when given, else by
    /var/run/netns/cnitest-cont (cnitest-cont2, ... for further ones). `rename`
    may map any other text as well (a temporary dataDir to "$T"); `host`,
    `plugin` and the replacements are inserted as they are, so they may use
    shell variables, while everything else is quoted.
    """
    subs = _renames([inv], rename)
    exe = plugin if plugin is not None else shlex.quote(inv.plugin)
    line = f"ip netns exec {host} env -i {_env_words(inv, subs)} {exe}"
    feed, body = _stdin(inv, subs)
    if feed.endswith("|"):
        return f"{feed} {line}"
    return f"{line} {feed}" + (f"\n{body}" if body else "")


# --------------------------------------------------------------------- scripts


@dataclass(frozen=True)
class Step:
    """Calls replayed together: one after another, or all at once (`parallel`)."""

    label: str
    calls: Sequence[Invocation]
    parallel: bool = False


def _same_json(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _prev_source(inv: Invocation, earlier: Sequence[tuple[int, Invocation]]) -> int | None:
    """The number of the latest earlier ADD whose result this call got as prevResult."""
    conf = inv.config
    if not isinstance(conf, dict) or not isinstance(conf.get("prevResult"), dict):
        return None
    for n, prior in reversed(earlier):
        if prior.verb == "ADD" and isinstance(prior.result, dict) and _same_json(prior.result, conf["prevResult"]):
            return n
    return None


def script(
    invocations: Sequence[Invocation] | Sequence[Step],
    *,
    title: str = "",
    tmp_dirs: Sequence[str] = (),
    parent_link: str | None = None,
    rename: Mapping[str, str] | None = None,
    plugin: str | None = None,
) -> str:
    """The bash script replaying `invocations` (or Steps of them) in order; see the module.

    `tmp_dirs` are the test's temporary directories: paths under them are
    replaced by a fresh `mktemp -d`. `parent_link` names a veth to make in the
    host namespace first (the profiles of macvlan, ipvlan, ... need a parent).
    `rename` maps further text (an IPAM dataDir) to shell text, e.g. "$T/ipam".
    `plugin` is the plugin under test, the one CNITEST_PLUGIN replaces (default:
    the only plugin called); others (a chained plugin's base) run as they are.
    """
    steps = [s if isinstance(s, Step) else Step("", [s]) for s in invocations]
    calls = [inv for s in steps for inv in s.calls]
    paths = ns_paths(calls)
    variables = {p: f"C{i + 1}" if i else "C" for i, p in enumerate(paths)}
    subs = {p: f"/var/run/netns/${{{variables[p]}}}" for p in paths}
    for d in sorted({d.rstrip("/") for d in tmp_dirs if d}, key=len, reverse=True):
        subs[d] = "${T}"
    subs.update(rename or {})
    plugins = sorted({inv.plugin for inv in calls})
    under_test = plugin if plugin in plugins else plugins[0] if len(plugins) == 1 else None
    what = title or "the plugin calls of a cnitest test"
    lines = [
        "#!/usr/bin/env bash",
        f"# Replays {_comment(what)}.",
        "# As root, with bash: run it, or paste it into a shell (it all runs in a subshell).",
        "# Exit status: 1 the fault shows (every call ended as in the failing run),",
        "# 0 it does not (some call ended otherwise), 125 the replay could not be set up;",
        "# so `git bisect run bash THIS-FILE` works (CNITEST_PLUGIN=PATH replays another build).",
        "# It makes network namespaces and a temporary directory, and deletes them on exit.",
        "(",
        "set -u",
    ]
    if under_test is not None:
        lines.append(f"P=${{CNITEST_PLUGIN:-{shlex.quote(under_test)}}}  # the plugin under test")
    lines += [
        "U=$BASHPID-$RANDOM  # unique to this run: two replays never share a namespace",
        'H="cnitest-h-$U"  # where the plugin runs, as the sandbox host namespace of the harness',
    ]
    for p in paths:
        suffix = variables[p][1:]
        lines.append(f'{variables[p]}="cnitest-c{suffix}-$U"  # a container namespace')
    ns_vars = ["H", *(variables[p] for p in paths)]
    deletions = "; ".join(f'ip netns del "${v}" 2>/dev/null' for v in reversed(ns_vars))
    lines += [
        'T=$(mktemp -d) || exit 125  # stands in for the temporary directory of the test',
        f"cleanup() {{ {deletions}; rm -rf \"$T\"; }}",
        "trap cleanup EXIT",
        "trap 'exit 130' INT TERM HUP",
        "for tool in ip timeout unshare python3; do",
        '  command -v "$tool" >/dev/null || { echo "cannot replay: $tool is not installed"; exit 125; }',
        "done",
        f"cni_py() {{ python3 -c '{_HELPER.strip()}' \"$@\"; }}",
        "# private /run and /var/lib kept across the calls in $T, as the sandbox of the harness has them",
        'mkdir -p "$T/run/netns" "$T/var-lib/cni"',
        "BOX=(unshare --mount --propagation private sh -c "
        "'mount --rbind /run/netns \"$0/run/netns\" && mount --rbind \"$0/run\" /run && mount --bind \"$0/var-lib\" /var/lib && exec \"$@\"' \"$T\")",
    ]
    for v in ns_vars:
        lines.append(f'ip netns add "${v}" || {{ echo "cannot replay: ip netns add failed (as root?)"; exit 125; }}')
        lines.append(f'ip -n "${v}" link set lo up')
    if parent_link:
        lines.append(f'ip -n "$H" link add {parent_link} type veth peer name {parent_link}p')
        lines.append(f'ip -n "$H" link set {parent_link} up && ip -n "$H" link set {parent_link}p up')
    lines += [
        'echo "=== namespaces: ' + " ".join(f"${v}" for v in ns_vars) + ' (deleted on exit)"',
        "differs=''",
        "judge() {  # judge N LABEL EXPECTED: show the output of call N, note when it ended otherwise",
        '  local rc got; rc=$(cat "$T/$1.rc" 2>/dev/null) || rc=125; cat "$T/$1.out" 2>/dev/null; echo',
        '  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then got="timed out"; else got=$(cni_py outcome "$T/$1.out" "$rc"); fi',
        '  echo "=== $2 ended: $got (the failing run: $3)"',
        '  [ "$got" = "$3" ] || differs="$differs; $2 ended: $got, not $3"',
        "}",
    ]
    total = len(calls)
    numbered: list[tuple[int, Invocation]] = []
    n = 0
    for step in steps:
        if step.label:
            lines += ["", f"# {_comment(step.label)}"]
        earlier = list(numbered)
        mine: list[tuple[int, Invocation]] = []
        for inv in step.calls:
            n += 1
            mine.append((n, inv))
            lines.append("")
            lines.extend(_call(n, total, inv, subs, under_test, _prev_source(inv, earlier), step.parallel))
        if step.parallel:
            lines.append("wait")
        for k, inv in mine:
            lines.append(f"judge {k} {shlex.quote(f'{k}/{total} {inv.verb}')} {shlex.quote(outcome(inv))}")
            netns = inv.env.get("CNI_NETNS", "")
            if netns in variables and inv.verb in ("ADD", "CHECK", "DEL"):
                var = variables[netns]
                lines.append(f'echo "=== container ${var} after "{shlex.quote(f"{k}/{total} {inv.verb}:")}; ip -n "${var}" -br link; ip -n "${var}" -br addr')
        numbered += mine
    lines += [
        "",
        'if [ -z "$differs" ]; then',
        '  echo "=== the fault shows: every call ended as in the failing run (exit 1)"; exit 1',
        "fi",
        'echo "=== the fault does not show${differs} (exit 0)"; exit 0',
        ")",
    ]
    return "\n".join(lines) + "\n"


def _call(n: int, total: int, inv: Invocation, subs: Mapping[str, str], under_test: str | None,
          prev: int | None, parallel: bool) -> list[str]:
    """The lines replaying call `n`: its output to $T/n.out, its exit status to $T/n.rc."""
    saw = outcome(inv)
    head = "# " + _comment(f"{n}/{total}: {inv.verb} (cniVersion {inv.cni_version or '-'}); the failing run: {saw}")
    exe = '"$P"' if inv.plugin == under_test else shlex.quote(inv.plugin)
    limit = max(1, int(inv.timeout + 1))
    call = f'timeout -k 2 {limit} ip netns exec "$H" "${{BOX[@]}}" env -i {_env_words(inv, subs)} {exe}'
    feed, body = _stdin(inv, subs)
    if prev is not None and feed != "</dev/null":
        # the prevResult the failing run sent was ADD n's result: send the replayed one
        feed = (f"{feed} " if feed.endswith("|") else "") + f'cni_py prev "$T/{prev}.out"' + (f" {feed}" if feed.startswith("<<") else "") + " |"
        head += f"; prevResult: the output of the replayed {prev}/{total} ADD"
    first = f"{feed} {call}" if feed.endswith("|") else f"{call} {feed}"
    run = f'{first} >"$T/{n}.out"' + (f"\n{body}" if body else "")
    # the status line goes after the heredoc's delimiter, which must stand alone on its line
    tail = f'echo $? >"$T/{n}.rc"'
    if parallel:
        return [head, _say(f"=== {n}/{total} {inv.verb}: started"), "{ " + run, f"{tail}; }} &"]
    return [head, _say(f"=== {n}/{total} {inv.verb}: stdout"), run, tail]
