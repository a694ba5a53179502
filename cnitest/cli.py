"""The `cnitest` command: run the suites, call a plugin by hand, merge reports.

    cnitest run ./bridge --report out.html -- -k add
    cnitest exec ADD ./bridge --config conf.json --new-netns
    cnitest rules --version 1.0.0; cnitest explain del.idempotent
    cnitest plugins-dir
    cnitest report merge a.json b.json -o all.html

Exit statuses: 0 success, 1 failure (a test or the plugin failed), 4 a usage error.
A usage error is one line on stderr (`cnitest: <command>: <reason>`), never a usage block:
the README promises 4 and `pytest --cni-plugin=...` exits 4 too, so both agree.
"""

from __future__ import annotations

import argparse
import builtins
import importlib.metadata
import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from . import versions
from .runner import DEFAULT_TIMEOUT, VERBS

__all__ = ["explain_code", "main"]

ERROR_CODES: dict[int, str] = {
    1: "Incompatible CNI version: the plugin does not support the cniVersion it was given",
    2: "Unsupported field in network configuration (msg names the key and value)",
    3: "Container unknown or does not exist (a runtime need not clean up its state after this)",
    4: "Invalid necessary environment variables, like CNI_COMMAND or CNI_CONTAINERID (msg names the variable)",
    5: "I/O failure, e.g. reading the config from stdin",
    6: "Failed to decode content, e.g. the config is not valid JSON",
    7: "Invalid network config: it failed validation",
    11: "Try again later: a transient condition; the runtime should retry the operation",
    50: "The plugin is not available (STATUS): it cannot serve ADD now",
    51: "The plugin is not available, and existing containers in the network may have limited connectivity (STATUS)",
}


def explain_code(code: int | None) -> str:
    """What a CNI error code means in the spec."""
    if code is None:
        return "no code: the spec asks for an integer code"
    if code in ERROR_CODES:
        return ERROR_CODES[code]
    if code >= 100:
        return "plugin-specific error (codes 100 and up belong to the plugin)"
    if code < 1:
        return "not a valid CNI error code (codes start at 1)"
    return "reserved by the spec for future use (0-99 other than the codes the spec defines)"


EPILOG_MAIN = """\
commands:
  run          run the conformance suites against a plugin (pytest with --cni-plugin)
  exec         call a plugin once by hand, in a sandbox, and explain what it answered
  rules        list the spec rules cnitest checks (--version, --kind, --level)
  explain      explain one rule and name the tests that check it
  plugins-dir  print the directory of cnitest's bundled reference plugins
  report       work with JSON reports (merge, diff)
  diff         drive two builds of a plugin through the same operations; the first difference

examples:
  cnitest run /usr/lib/cni/bridge --report report.html
  cnitest exec ADD /usr/lib/cni/bridge --config conf.json --new-netns
  cnitest report merge bridge.json ptp.json -o all.html
Each command has --help with more examples.
"""

EPILOG_RUN = """\
Anything after PLUGIN that cnitest does not know is passed to pytest as it is
(use -- before pytest options that could be mistaken for cnitest's).

examples:
  cnitest run /usr/lib/cni/bridge
  cnitest run ./my-plugin --report out.html --report out.json --cni-config conf.json
  cnitest run /usr/lib/cni/ptp -- -n 4 -k "add or del" --cni-version 1.0.0
The exit code is pytest's: 0 all passed (warnings included), 1 failures, ...
"""

EPILOG_EXEC = """\
The plugin runs in a fresh sandbox "host" namespace that this process holds and
that vanishes at exit (so does whatever the plugin made there, like a bridge).
IPAM state is kept where the config's dataDir says.

examples:
  cnitest exec VERSION /usr/lib/cni/bridge --config conf.json
  cnitest exec ADD /usr/lib/cni/bridge --config conf.json --new-netns
  cnitest exec ADD ./plugin --config conf.json --netns /var/run/netns/test --cni-version 0.4.0
  cnitest exec CHECK ./plugin --config conf.json --netns /var/run/netns/test --prev-result add.json
  cnitest exec ADD ./plugin --config conf.json --netns /run/netns/ctr --host-netns lab --json > add.json
  cnitest exec DEL ./plugin --config conf.json --netns /run/netns/ctr --host-netns lab   # prevResult from the cache
  cnitest exec --cleanup lab
  cnitest exec ADD --config net.conflist --cni-path /usr/lib/cni --netns /run/netns/ctr --host-netns lab
  cnitest exec GC  --config net.conflist --cni-path /usr/lib/cni --host-netns lab --valid-attachment ctr/eth0
With --host-netns NAME the host namespace is /run/netns/NAME and stays until --cleanup NAME
or the DEL of its last cached attachment; ADD results are cached and sent as prevResult to
CHECK and DEL (0.4.0 on). A conflist runs as libcni runs it: ADD in order, CHECK in order,
DEL in reverse, GC (stale cached attachments DELed, then each plugin at 1.1.0), STATUS.
Exit status: 0 when the plugin succeeded with valid output, 1 otherwise, 4 a usage error.
"""

EPILOG_MERGE = """\
examples:
  cnitest report merge bridge.json ptp.json -o all.html
  cnitest report merge reports/*.json -o summary.md
The output format is chosen by the extension of -o: .html, .json or .md.
"""


USAGE_ERROR = 4


class UsageError(Exception):
    """A bad command line; main() prints it as one line and exits USAGE_ERROR."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(**kwargs)

    def error(self, message: str) -> NoReturn:
        """One line and exit 4, instead of argparse's usage block and exit 2."""
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _version() -> str:
    try:
        return importlib.metadata.version("cnitest")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cnitest", description="Conformance and test harness for CNI plugins.", epilog=EPILOG_MAIN)
    parser.add_argument("--version", action="version", version=_version(), help="print cnitest's version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", help="run the conformance suites against a plugin", epilog=EPILOG_RUN,
                         description="Run cnitest's conformance suites (pytest) against one CNI plugin.")
    run.add_argument("plugin", metavar="PLUGIN", help="the CNI plugin executable")
    run.set_defaults(parser=run)
    run.add_argument("--report", metavar="FILE", action="append", default=[], help="write a report (.html, .json or .md; repeatable)")

    ex = sub.add_parser("exec", help="call a plugin once by hand", epilog=EPILOG_EXEC,
                        description="Call a CNI plugin once, in a sandbox network namespace, and explain the answer.")
    ex.set_defaults(parser=ex)
    ex.add_argument("verb", metavar="VERB", nargs="?", type=str.upper, choices=VERBS, help=f"the CNI_COMMAND: {', '.join(VERBS)}")
    ex.add_argument("plugin", metavar="PLUGIN", nargs="?", help="the CNI plugin executable (with a conflist: optional, its directory is searched first)")
    ex.add_argument("--config", metavar="FILE", help="the network configuration: one plugin's JSON object, or a conflist; required")
    ex.add_argument("--json", action="store_true", help="print only the plugin's JSON document on stdout; everything else on stderr")
    ex.add_argument("--args", metavar="K=V", action="append", default=[], help="a CNI_ARGS pair (repeatable)")
    ex.add_argument("--cap-args", metavar="JSON", help="capability arguments (cnitool's CAP_ARGS): those the config declares go in runtimeConfig")
    ex.add_argument("--runtime-config", metavar="JSON", help="a JSON object merged into the config's runtimeConfig")
    ex.add_argument("--host-netns", metavar="NAME", help="run in the persistent sandbox host namespace /run/netns/NAME (made if missing); ADD results are cached for CHECK/DEL")
    ex.add_argument("--cleanup", metavar="NAME", help="remove the host namespace NAME and its cached results, then exit")
    ex.add_argument("--valid-attachment", metavar="ID/IFNAME", action="append", default=[],
                    help="GC: an attachment (CNI_CONTAINERID/CNI_IFNAME) that is still valid (repeatable)")
    where = ex.add_mutually_exclusive_group()
    where.add_argument("--netns", metavar="PATH", help="the container namespace, e.g. /var/run/netns/NAME")
    where.add_argument("--new-netns", action="store_true", help="make a fresh container namespace (held by this process; gone at exit)")
    ex.add_argument("--ifname", default="eth0", help="CNI_IFNAME (default %(default)s)")
    ex.add_argument("--container-id", metavar="ID", default="cnitest-exec", help="CNI_CONTAINERID (default %(default)s)")
    ex.add_argument("--cni-version", metavar="V", help="override the config's cniVersion")
    ex.add_argument("--cni-path", metavar="DIRS", default="", help="extra plugin directories, colon-separated (after the plugin's own)")
    ex.add_argument("--prev-result", metavar="FILE", help="a result to put in the config's prevResult (CHECK, DEL, chained ADD)")
    ex.add_argument("--cni-args", metavar="ARGS", help="CNI_ARGS, e.g. IgnoreUnknown=1;K=V")
    ex.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds before the plugin is killed (default %(default)s)")

    sub.add_parser("plugins-dir", help="print the directory of the bundled reference plugins",
                   description="Print the directory holding cnitest's reference plugins (bridge, host-local).",
                   epilog="example:\n  cnitest run \"$(cnitest plugins-dir)/bridge\"\n")

    rl = sub.add_parser("rules", help="list the catalog of spec rules",
                        description="List the spec rules cnitest checks: id, level, versions, kinds, paraphrase.",
                        epilog="examples:\n  cnitest rules --version 1.0.0 --kind ipam --level MUST\n  cnitest rules | grep ^del\n")
    rl.add_argument("--version", dest="cni_version", metavar="V", choices=versions.KNOWN, help="rules in force at this spec version")
    rl.add_argument("--kind", choices=("interface", "ipam", "chained"), help="rules binding this plugin kind")
    rl.add_argument("--level", type=str.upper, choices=("MUST", "SHOULD", "MAY"), help="rules of this level")
    xp = sub.add_parser("explain", help="explain one spec rule and name the tests that check it",
                        description="Print a rule: spec section, paraphrase, level per version, known departures, tests.",
                        epilog="example:\n  cnitest explain del.idempotent\n")
    xp.set_defaults(parser=xp)
    xp.add_argument("rule", metavar="RULE", help="a rule id, e.g. del.idempotent (see cnitest rules)")

    rep = sub.add_parser("report", help="work with JSON reports", description="Work with cnitest JSON reports.",
                         epilog="example:\n  cnitest report merge a.json b.json -o all.html\n")
    rsub = rep.add_subparsers(dest="report_command", metavar="SUBCOMMAND", parser_class=_Parser)
    merge = rsub.add_parser("merge", help="merge JSON reports into one report", epilog=EPILOG_MERGE,
                            description="Merge JSON reports (e.g. from a CI matrix over plugins or versions) into one.")
    merge.set_defaults(parser=merge)
    merge.add_argument("inputs", metavar="REPORT.json", nargs="+", help="JSON reports written with --cni-report=FILE.json")
    merge.add_argument("-o", "--output", metavar="FILE", required=True, help="the merged report: .html, .json or .md")
    rdiff = rsub.add_parser("diff", help="what appeared, disappeared or changed level between two JSON reports",
                            description="Compare the findings of two JSON reports; exit 1 when a finding appeared.")
    rdiff.set_defaults(parser=rdiff)
    rdiff.add_argument("old", metavar="OLD.json")
    rdiff.add_argument("new", metavar="NEW.json")
    _add_diff_parser(sub)
    return parser


EPILOG_DIFF = """\
Both plugins run through the same hypothesis-generated sequences (ADD, CHECK, DEL,
GC, concurrent ADDs, restarts), each in a sandbox of its own; the first difference
(exit status, error code, normalized result, kernel state) is shrunk and printed
with a shell script that replays it against each plugin.

examples:
  cnitest diff "$(cnitest plugins-dir)/host-local" /usr/lib/cni/host-local
  cnitest diff ./bin/bridge /usr/lib/cni/bridge --cni-version 1.0.0 --reproducer repro.sh
  cnitest diff ./new/host-local ./old/host-local --config net.json --examples 200
Exit status: 0 no difference, 1 a difference, 4 a usage error.
"""


def _add_diff_parser(sub: Any) -> None:
    df = sub.add_parser("diff", help="compare two builds of a plugin operation by operation", epilog=EPILOG_DIFF,
                        description="Drive two implementations of one plugin through the same operations; report the first difference.")
    df.set_defaults(parser=df)
    df.add_argument("plugin_a", metavar="PLUGIN_A", help="one build (e.g. the new one)")
    df.add_argument("plugin_b", metavar="PLUGIN_B", help="the other build (e.g. the last release)")
    df.add_argument("--profile", metavar="NAME", help="built-in profile to drive them with (default: by PLUGIN_A's file name)")
    df.add_argument("--config", metavar="FILE", help="one plugin's config object as the template; host-local ranges in it are used as given")
    df.add_argument("--cni-version", metavar="V", help="spec version (default: the newest both plugins list)")
    df.add_argument("--cni-path", metavar="DIRS", default="", help="extra plugin directories, colon-separated (after each plugin's own)")
    df.add_argument("--examples", metavar="N", type=int, help="sequences to try (default: the hypothesis profile's)")
    df.add_argument("--steps", metavar="N", type=int, help="most operations per sequence (default: the hypothesis profile's)")
    df.add_argument("--hypothesis-profile", metavar="ci|thorough", default="ci", help="example budget (default %(default)s)")
    df.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per plugin call (default %(default)s)")
    df.add_argument("--reproducer", metavar="FILE", help="also write the reproducer script to FILE")
    df.add_argument("--spec-equivalent", action="store_true",
                    help="compare only what the spec fixes: any non-zero exit status alike, any error code 100+ alike")
    df.add_argument("--shrink-seconds", metavar="S", type=float, help="most time spent shrinking a difference (default 60)")


def _diff(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from . import diff_cmd

    opts = diff_cmd.DiffOptions(args.plugin_a, args.plugin_b, args.profile, args.config, args.cni_version, args.cni_path,
                                args.examples, args.steps, args.hypothesis_profile, args.timeout, args.reproducer,
                                args.spec_equivalent, args.shrink_seconds)
    try:
        return diff_cmd.run(opts, sys.stdout)
    except diff_cmd.Usage as exc:
        parser.error(str(exc))


def main(argv: list[str] | None = None) -> int:
    """Run one command; usage errors are one line on stderr and exit 4; a closed stdout ends quietly."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:
        # the reader (e.g. `| head -1`) is gone: stop without a traceback, and keep the
        # interpreter's final flush of stdout from raising again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command is None and rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command is None:
        parser.error("give a command (run, exec, rules, explain, plugins-dir, report, diff)")
    if args.command == "report" and args.report_command not in ("merge", "diff"):
        parser.error("report: give a subcommand (merge, diff)")
    sub: argparse.ArgumentParser = getattr(args, "parser", parser)
    if args.command != "run" and rest:
        sub.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "run":
        return _run(sub, args, rest)
    if args.command == "exec":
        return _exec(sub, args)
    if args.command == "rules":
        from .explain import list_rules

        print("\n".join(list_rules(args.cni_version, args.kind, args.level)))
        return 0
    if args.command == "explain":
        from .explain import explain

        try:
            print(explain(args.rule))
        except KeyError as exc:
            sub.error(str(exc.args[0]))
        return 0
    if args.command == "plugins-dir":
        return _plugins_dir()
    if args.command == "diff":
        return _diff(sub, args)
    if args.command == "report" and args.report_command == "diff":
        from .report.diff import main as report_diff

        return report_diff(args.old, args.new)
    if args.command == "report":
        return _merge(sub, args)
    parser.error(f"unknown command {args.command}")  # pragma: no cover - argparse catches it first


def _check_plugin(parser: argparse.ArgumentParser, plugin: str) -> Path:
    path = Path(plugin).expanduser()
    if not path.is_file():
        parser.error(f"PLUGIN {plugin}: no such file")
    if not os.access(path, os.X_OK):
        parser.error(f"PLUGIN {plugin}: not executable")
    return path.absolute()


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace, rest: list[str]) -> int:
    plugin = _check_plugin(parser, args.plugin)
    for r in args.report:
        if Path(r).suffix.lower() not in (".html", ".json", ".md"):
            parser.error(f"--report {r}: the extension must be .html, .json or .md")
    if rest[:1] == ["--"]:
        rest = rest[1:]
    import pytest

    return int(pytest.main([f"--cni-plugin={plugin}", *(f"--cni-report={r}" for r in args.report), *rest]))


def _read_json(parser: argparse.ArgumentParser, option: str, path: str) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except OSError as exc:
        parser.error(f"{option} {path}: {exc.strerror or exc}")
    except ValueError as exc:
        parser.error(f"{option} {path}: not JSON ({exc})")


def _json_arg(parser: argparse.ArgumentParser, option: str, text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        parser.error(f"{option}: not JSON ({exc})")
    if not isinstance(value, dict):
        parser.error(f"{option}: not a JSON object")
    return value


def _exec(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from . import exec_cmd

    for option, name in (("--cleanup", args.cleanup), ("--host-netns", args.host_netns)):
        try:
            if name is not None:
                exec_cmd.check_name(name)  # a path would reach outside /run/netns and the cache
        except exec_cmd.BadName as exc:
            parser.error(f"{option}: {exc}")
    if args.cleanup:
        for path in exec_cmd.cleanup(args.cleanup):
            print(f"removed {path}")
        return 0
    try:
        return _exec_one(parser, args)
    except exec_cmd.HostNetnsError as exc:
        print(f"cnitest exec: {exc}", file=sys.stderr)
        return 1


def _exec_one(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """One call of a plugin (a conflist: of each of its plugins); see _exec."""
    from . import exec_cmd

    if not args.verb or not args.config:
        parser.error("give VERB, PLUGIN and --config FILE (or --cleanup NAME)")
    bad = [a for a in args.args if "=" not in a]
    if bad:
        parser.error(f"--args {bad[0]}: expected K=V")
    valid = _valid_attachments(parser, args)
    cap_args = _json_arg(parser, "--cap-args", args.cap_args)
    extra = _json_arg(parser, "--runtime-config", args.runtime_config)
    conf = _read_json(parser, "--config", args.config)
    if not isinstance(conf, dict):
        parser.error(f"--config {args.config}: not a JSON object")
    if args.cni_version and not versions.is_known(args.cni_version):
        parser.error(f"--cni-version {args.cni_version}: unknown (known: {', '.join(versions.KNOWN)})")
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    needs_netns = args.verb in ("ADD", "CHECK", "DEL")
    if needs_netns and not (args.netns or args.new_netns):
        parser.error(f"{args.verb} needs a container namespace: give --netns PATH or --new-netns")
    if args.netns and not Path(args.netns).exists():
        parser.error(f"--netns {args.netns}: no such file")
    if "plugins" in conf:
        return _exec_list(parser, args, conf, cap_args or {}, extra or {}, valid)
    if not args.plugin:
        parser.error("give VERB, PLUGIN and --config FILE (or --cleanup NAME)")
    plugin = _check_plugin(parser, args.plugin)
    if args.cni_version:
        conf["cniVersion"] = args.cni_version
    if args.prev_result:
        conf["prevResult"] = _read_json(parser, "--prev-result", args.prev_result)
    from .conflist import GC_KEYS, AttachmentParams

    if args.verb == "GC" and not any(k in conf for k in GC_KEYS):
        for key in GC_KEYS:  # the spec's input of GC; a config that has its own keeps them
            conf[key] = [{"containerID": cid, "ifname": ifname} for cid, ifname in valid]
    exec_cmd.runtime_config(conf, cap_args, extra)
    cni_args = _cni_args(args)
    out = sys.stderr if args.json else sys.stdout
    cache = exec_cmd.cache_file(args.host_netns, conf, args.container_id, args.ifname) if args.host_netns else None
    if cache is not None and exec_cmd.apply_cached(cache, args.verb, conf):
        print(f"prevResult: the cached ADD result {cache}", file=out)

    from . import netns, schemas
    from .profiles import infer_kind, result_kind
    from .runner import Runner

    _tolerant_streams()
    cni_path = [str(Path(d).absolute()) for d in args.cni_path.split(":") if d]
    container: netns.Namespace | None = None
    host_ns = netns.open_path(exec_cmd.host_netns_path(args.host_netns)) if args.host_netns else netns.new("exec-host")
    box = exec_cmd.host_sandbox(args.host_netns) if args.host_netns else None
    with host_ns as host:
        try:
            if args.new_netns:
                container = netns.new("exec-container")
            elif args.netns:
                container = netns.open_path(args.netns, args.netns)
            runner = Runner(plugin, host, cni_path, timeout=args.timeout, result_kind=result_kind(infer_kind(conf)),
                            sandbox=box)
            target: Any = None
            if needs_netns:
                assert container is not None
                target = container.path if args.new_netns else args.netns
                inv = runner.invoke(args.verb, conf, target, args.ifname, args.container_id, cni_args=cni_args)
            else:
                inv = runner.invoke(args.verb, conf, None, None, None, cni_args=cni_args)
            ok = _show(inv, schemas, out)
            if args.json and inv.document is not None:
                print(json.dumps(inv.document, indent=2))
            if cache is not None:
                params = AttachmentParams(args.container_id, args.ifname, target, cni_args, cap_args or {}, extra or {})
                exec_cmd.record(cache, args.verb, ok, inv.document, params, conf)
            if container is not None and args.verb in ("ADD", "CHECK", "DEL"):
                print(f"\ncontainer namespace after {args.verb}:", file=out)
                print(container.snapshot().describe(), file=out)
        finally:
            if container is not None:
                container.close()
    _exec_notes(args, out, args.verb == "DEL" and ok)
    return 0 if ok else 1


def _valid_attachments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[tuple[str, str]]:
    """--valid-attachment ID/IFNAME values (GC only)."""
    if args.valid_attachment and args.verb != "GC":
        parser.error("--valid-attachment is for GC")
    out = []
    for value in args.valid_attachment:
        cid, sep, ifname = value.partition("/")
        if not sep or not cid or not ifname or "/" in ifname:
            parser.error(f"--valid-attachment {value}: expected CONTAINERID/IFNAME")
        out.append((cid, ifname))
    return out


def _cni_args(args: argparse.Namespace) -> str | None:
    return ";".join([*([args.cni_args] if args.cni_args else []), *args.args]) or None


def _tolerant_streams() -> None:
    # A plugin's text may hold a lone surrogate ("\ud800" in its JSON): show it escaped, never crash on it.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _exec_notes(args: argparse.Namespace, out: Any, deleted: bool = False) -> None:
    """Where the namespaces went; after a DEL (`deleted`) of the last attachment, remove the host namespace."""
    from . import exec_cmd

    if args.new_netns:
        print("\nnote: the container namespace was made for this call and is held by this process only;"
              " it vanishes at exit, with everything the plugin put in it.", file=out)
    removed = exec_cmd.remove_if_unused(args.host_netns) if args.host_netns and deleted else []
    if removed:
        print(f"note: that was the last attachment in the host namespace {args.host_netns}: removed {', '.join(removed)}", file=out)
    elif args.host_netns:
        print(f"note: the plugin ran in the host namespace /run/netns/{args.host_netns}; it stays"
              f" until `cnitest exec --cleanup {args.host_netns}` or the DEL of its last attachment.", file=out)
    else:
        print("note: the plugin ran in a sandbox host namespace that vanishes at exit.", file=out)


def _exec_list(parser: argparse.ArgumentParser, args: argparse.Namespace, doc: dict[str, Any], cap_args: dict[str, Any],
               extra: dict[str, Any], valid: list[tuple[str, str]]) -> int:
    """A conflist, run as libcni runs it (cnitest.conflist); the result cache makes ADD, CHECK, DEL, GC work across calls."""
    from . import conflist, exec_cmd, netns, schemas

    try:
        netlist = conflist.NetworkList.from_doc(doc, args.cni_version)
    except conflist.ConflistError as exc:
        parser.error(f"--config {args.config}: {exc}")
    if args.verb == "VERSION":
        parser.error("VERSION asks one plugin: give that plugin's config object, not a conflist")
    if args.verb == "ADD" and args.prev_result:
        parser.error("--prev-result with a conflist is for CHECK and DEL (ADD passes each result on itself)")
    dirs = [str(Path(d).absolute()) for d in args.cni_path.split(":") if d]
    if args.plugin:
        first = Path(args.plugin).expanduser()
        if not first.exists():
            parser.error(f"PLUGIN {args.plugin}: no such file or directory")
        dirs.insert(0, str((first if first.is_dir() else first.parent).absolute()))
    if not dirs:
        parser.error("a conflist finds its plugins by type: give --cni-path DIRS (or PLUGIN)")
    for plugin in netlist.plugins:
        try:
            conflist.find_plugin(plugin["type"], dirs)
        except conflist.PluginNotFound as exc:
            parser.error(f"--config {args.config}: {exc}")
    out = sys.stderr if args.json else sys.stdout
    cni_args = _cni_args(args)
    cache = exec_cmd.cache_file(args.host_netns, {"name": netlist.name}, args.container_id, args.ifname) if args.host_netns else None
    cached = exec_cmd.cached_result(cache) if cache is not None else None
    if args.prev_result:
        cached = _read_json(parser, "--prev-result", args.prev_result)
    elif cached is not None and args.verb in ("CHECK", "DEL"):
        print(f"prevResult: the cached ADD result {cache}", file=out)

    _tolerant_streams()
    container: netns.Namespace | None = None
    host_ns = netns.open_path(exec_cmd.host_netns_path(args.host_netns)) if args.host_netns else netns.new("exec-host")
    box = exec_cmd.host_sandbox(args.host_netns) if args.host_netns else None
    with host_ns as host:
        try:
            target: str | None = None
            if args.new_netns:
                container = netns.new("exec-container")
                target = container.path
            elif args.netns:
                container = netns.open_path(args.netns, args.netns)
                target = args.netns
            params = conflist.AttachmentParams(args.container_id, args.ifname, target, cni_args, cap_args, extra)
            runner_for = conflist.path_runners(dirs, host, args.timeout, box)
            if args.verb == "ADD":
                run = conflist.add(netlist, runner_for, params)
            elif args.verb == "CHECK":
                run = conflist.check(netlist, runner_for, params, cached)
            elif args.verb == "DEL":
                run = conflist.delete(netlist, runner_for, params, cached)
            elif args.verb == "GC":
                known = exec_cmd.attachments(args.host_netns, netlist.name) if args.host_netns else []
                run = conflist.gc(netlist, runner_for, valid, known)
            else:
                run = conflist.status(netlist, runner_for)
            ok = _show_list(run, schemas, out)
            if args.json and run.document is not None:
                print(json.dumps(run.document, indent=2))
            if cache is not None and args.verb == "ADD" and ok and run.result is not None:
                exec_cmd.record_add(cache, netlist.name, params, doc, run.result)
                print(f"cached the final result in {cache}", file=out)
            if cache is not None and args.verb == "DEL" and ok:
                exec_cmd.forget(cache)
            for att, stale in run.stale:
                if stale.ok and args.host_netns:
                    exec_cmd.forget(exec_cmd.cache_file(args.host_netns, {"name": netlist.name}, att.params.container_id, att.params.ifname))
            if container is not None and args.verb in ("ADD", "CHECK", "DEL"):
                print(f"\ncontainer namespace after {args.verb}:", file=out)
                print(container.snapshot().describe(), file=out)
        finally:
            if container is not None:
                container.close()
    _exec_notes(args, out, ok and (args.verb == "DEL" or (args.verb == "GC" and bool(run.stale))))
    return 0 if ok else 1


def _show_list(run: Any, schemas: Any, out: Any) -> bool:
    """Print a conflist run step by step; True when every call succeeded with valid output."""
    ok = run.ok
    for att, stale in run.stale:
        print(f"GC: attachment {att.params.container_id}/{att.params.ifname} is cached but not valid: DEL", file=out)
        ok = _show_list(stale, schemas, out) and ok
    total = len(run.netlist.plugins)
    for step in run.steps:
        print(f"\n[{step.index + 1}/{total}] {run.verb} {step.plugin_type} (network {run.netlist.name}, cniVersion {run.netlist.cni_version})",
              file=out)
        if step.invocation is None:
            print(f"  error: {step.error}", file=out)
            continue
        ok = _show(step.invocation, schemas, out) and ok
    if run.skipped:
        print(f"{run.verb}: {run.skipped}", file=out)
    if run.refused:
        print(f"{run.verb}: {run.refused}", file=out)
    verdict = "succeeded" if ok else "failed: " + "; ".join(run.errors or ["a plugin's output is not valid"])
    print(f"\nconflist {run.netlist.name}: {run.verb} {verdict}", file=out)
    if run.verb == "ADD" and not run.ok:
        print("note: a runtime DELs after a failed ADD too (SPEC section 3): run DEL to undo what the plugins before it did.", file=out)
    return ok


def _show(inv: Any, schemas: Any, out: Any = None) -> bool:
    """Print one invocation readably (to `out`, default stdout); True when it succeeded with valid output."""
    import functools

    print = functools.partial(builtins.print, file=out or sys.stdout)  # noqa: A001
    env = " ".join(f"{k}={v}" for k, v in inv.env.items() if k.startswith("CNI_"))
    print(f"{inv.verb} {inv.plugin}")
    print(f"  env: {env}")
    print(f"  cniVersion: {inv.cni_version or '(none)'}")
    print(f"  -> {inv.outcome}")
    for p in inv.problems:
        print(f"  output problem: {p}")
    if inv.document is not None:
        print(json.dumps(inv.document, indent=2))
    elif inv.stdout and inv.problems:
        print(inv.stdout.decode("utf-8", "backslashreplace")[:4000])
    if inv.stderr:
        print("stderr:\n" + inv.stderr.decode("utf-8", "backslashreplace")[:4000].rstrip())
    if inv.error is not None:
        print(f"error code {inv.error.code}: {explain_code(inv.error.code)}")
        print(f"  msg: {inv.error.msg}" + (f"\n  details: {inv.error.details}" if inv.error.details else ""))
    if inv.schema_kind:
        if inv.schema_errors:
            print(f"NOT a valid {inv.cni_version} {inv.schema_kind} document:")
            for e in inv.schema_errors:
                print(f"  - {e}")
        else:
            print(f"valid: a well-formed {inv.cni_version} {inv.schema_kind} document")
    elif inv.document is not None:
        print("(no schema check: unknown or missing cniVersion)")
    return bool(inv.succeeded and not inv.schema_errors)


def _plugins_dir() -> int:
    try:
        from .reference_plugins import plugins_dir  # type: ignore[attr-defined]
    except ImportError as exc:
        print(f"cnitest: the bundled reference plugins are not available in this installation ({exc})", file=sys.stderr)
        return 1
    path = plugins_dir()
    print(path)
    return 0


def _merge(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from . import report

    out = Path(args.output)
    if out.suffix.lower() not in (".html", ".json", ".md"):
        parser.error(f"-o {args.output}: the extension must be .html, .json or .md")
    docs = []
    for path in args.inputs:
        try:
            docs.append(report.load(path))
        except report.ReportError as exc:
            parser.error(str(exc))
    merged = report.merge(docs)
    report.write(merged, out)
    runs = merged["runs"]
    print(f"merged {len(runs)} run(s) from {len(docs)} report(s) into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
