"""The one helper module of the faulty plugins, and the format every fault follows.

A faulty plugin is a correct plugin with one rule broken, kept as a fixture to prove
that the suites catch the break. Each lives in a directory of its own:

    tests/plugins/faulty/<fault>/
        fault.py          the fault: hooks and CAUGHT_BY (below)
        bridge -> ../wrapper.py   one symlink per real plugin it wraps, named like it

The suites run the symlink exactly as they run the real plugin (the name picks the
built-in profile too). wrapper.py puts this directory on sys.path, loads fault.py
and calls its hooks, so a fault.py starts with a plain `import faults`.

**Hooks** (define any of them; env is a dict of the CNI_* variables, stdin bytes):

    before(env, stdin) -> (env, stdin)                  change the input
    after(env, stdin, code, stdout) -> (code, stdout)   change the real plugin's output
    replace(env, stdin) -> (code, stdout)               answer instead of the real plugin
                                                         (call faults.real(env, stdin) for the
                                                         verbs it does not break)

The real plugin is REAL_PLUGIN_DIR/<symlink name>: Debian's Go plugins in /usr/lib/cni
unless fault.py sets `REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS` (the Python reference
plugins, the ones that speak 1.1.0). That directory is also the CNI_PATH the proof runs
the suites with, so a plugin's delegates (host-local for bridge) come from the same set.

**CAUGHT_BY** names the suite tests that must catch the fault, one `caught(...)` each:

    CAUGHT_BY = [
        faults.caught("bridge", "test_results.py", "1.0.0", "test_ips_carry_version"),
        faults.caught("bridge", "test_errors.py", "1.0.0",
                      "test_failure_exits_nonzero[1.0.0-not-json]", "must exit non-zero"),
    ]

    plugin   the symlink (real plugin) to run
    suite    a file of cnitest's suites (suites/ in the repo)
    version  the spec version to run it at (--cni-version); None for a test that has no
             version parameter (the profile checks)
    test     a test function (every case of it at that version runs: at least one must
             catch the fault, and below MUST none may fail) or one case by its full
             name, "test_x[1.0.0-9.9.9]"
    text     optional: words the failure message must contain

No level is written here: tests/test_faulty_plugins.py reads the test's own cni_rule
markers and the rule catalog. A test whose rules are all below MUST at that version
must warn (and fail, with the text, under --cni-strict); any other test must fail.
A fault directory without CAUGHT_BY fails that module.

Runs under the system python3: standard library only.
"""

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "Caught", "caught", "VERBS", "GO_PLUGINS", "REFERENCE_PLUGINS", "real_plugin", "real",
    "verb", "config", "with_config", "version_key", "error", "error_doc", "edit_result",
    "container_indexes", "marker", "in_netns",
]

VERBS = ("ADD", "CHECK", "DEL", "VERSION", "GC", "STATUS")
GO_PLUGINS = "/usr/lib/cni"
REFERENCE_PLUGINS = str(Path(__file__).resolve().parents[3] / "reference_plugins" / "bin")
"""The Python reference plugins' launchers (cnitest.reference_plugins.plugins_dir())."""


# --- what must catch a fault -------------------------------------------------------------


class Caught(NamedTuple):
    """One suite test that must catch a fault (see the module docstring)."""

    plugin: str
    suite: str
    version: str | None
    test: str
    text: str = ""


def caught(plugin: str, suite: str, version: str | None, test: str, text: str = "") -> Caught:
    """Declare that `test` of `suite`, run against the `plugin` symlink at `version`, catches this fault."""
    return Caught(plugin, suite, version, test, text)


# --- the real plugin ----------------------------------------------------------------------

real_plugin = Path(GO_PLUGINS) / Path(sys.argv[0]).name
"""The real plugin this call wraps; wrapper.py sets it from REAL_PLUGIN_DIR."""


def real(env: dict, stdin: bytes) -> "tuple[int, bytes]":
    """Run the real plugin with this input; returns (exit code, stdout)."""
    done = subprocess.run([str(real_plugin)], input=stdin, env=env, stdout=subprocess.PIPE, check=False)
    return done.returncode, done.stdout


# --- reading the input --------------------------------------------------------------------


def verb(env: dict) -> str | None:
    """CNI_COMMAND."""
    return env.get("CNI_COMMAND")


def config(stdin: bytes) -> dict:
    """The config on stdin as a dict; {} when stdin is not a JSON object."""
    try:
        doc = json.loads(stdin)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def with_config(stdin: bytes, **changes: Any) -> bytes:
    """stdin with top-level keys changed (a value of None removes the key)."""
    conf = config(stdin)
    for key, value in changes.items():
        if value is None:
            conf.pop(key, None)
        else:
            conf[key] = value
    return json.dumps(conf).encode()


def version_key(version: Any) -> "tuple[int, ...]":
    """A spec version as a tuple to compare ("0.4.0" -> (0, 4, 0)); (0,) if it is not one."""
    try:
        return tuple(int(p) for p in str(version).split("."))
    except ValueError:
        return (0,)


def past_recorder(env: dict, stdin: bytes, verb_: str) -> "tuple[dict, bytes]":
    """For a `before` hook: on `verb_`, point the config's ipam at the real plugin the harness's
    recording IPAM would run (cnitest-delegate), so the recorder never sees that call."""
    conf = json.loads(stdin)
    ipam = conf.get("ipam") or {}
    if env.get("CNI_COMMAND") == verb_ and "cnitest-delegate" in ipam:
        conf["ipam"] = {k: v for k, v in ipam.items() if not k.startswith("cnitest-")} | {"type": ipam["cnitest-delegate"]}
        stdin = json.dumps(conf).encode()
    return env, stdin


# --- writing the output -------------------------------------------------------------------


def error(code: int, msg: str, **extra: Any) -> "tuple[int, bytes]":
    """A failure (exit 1) with a spec-shaped error object; extra keys (details, cniVersion) added."""
    return 1, json.dumps({"code": code, "msg": msg, **extra}).encode()


def error_doc(stdout: bytes) -> dict | None:
    """The error object of a failed call, or None."""
    try:
        doc = json.loads(stdout)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and "code" in doc else None


def edit_result(code: int, stdout: bytes, fn: Callable[[dict], dict | None]) -> "tuple[int, bytes]":
    """Apply fn(result) to a successful output: it edits the result in place or returns a new one."""
    if code != 0 or not stdout.strip():
        return code, stdout
    result = json.loads(stdout)
    changed = fn(result)
    return code, json.dumps(result if changed is None else changed, indent=2).encode()


def container_indexes(result: dict) -> "list[int]":
    """Indexes of the result's interfaces that are in a container (carry sandbox)."""
    return [i for i, iface in enumerate(result.get("interfaces") or []) if iface.get("sandbox")]


# --- state and the kernel -----------------------------------------------------------------


def marker(stdin: bytes, env: dict, what: str) -> Path:
    """A per-attachment state file next to the IPAM dataDir (inside the test's tmp dir)."""
    base = Path((config(stdin).get("ipam") or {}).get("dataDir") or "/nonexistent")
    base.mkdir(parents=True, exist_ok=True)
    return base / f"faulty-{what}-{env.get('CNI_CONTAINERID')}-{env.get('CNI_IFNAME')}"


def in_netns(env: dict, *argv: str) -> "subprocess.CompletedProcess[bytes]":
    """Run a command (e.g. `ip ...`) inside CNI_NETNS."""
    return subprocess.run(["nsenter", f"--net={env['CNI_NETNS']}", "--", *argv], check=False, capture_output=True)

