"""A recording IPAM plugin: the harness's own spy between a plugin and its IPAM.

Installed (see `install`) as an executable named `cnitest-recorder` in a
directory of its own, which the suites put in CNI_PATH. A config whose
`ipam.type` is `cnitest-recorder` makes the plugin under test delegate to it;
the recorder then

1. appends one JSON line per call to the file named by `ipam["cnitest-log"]`:
   the verb, every CNI_* variable, the stdin text, and later the outcome;
2. writes one marker line to stderr (to see whether the caller forwards stderr);
3. runs the real IPAM plugin named by `ipam["cnitest-delegate"]` (e.g.
   "host-local"), found in the directories of CNI_PATH, with the same
   environment and stdin, and hands back its stdout and exit code.

Fault injection for failure-path tests, also read from the ipam section:
- `"cnitest-fail": {"ADD": 100}`: answer that verb with an error of that code
  without running the real plugin;
- `"cnitest-add-routes": [{"dst": ..., "gw": ...}]`: append these routes to a
  successful ADD result (a route the caller cannot install makes its ADD fail
  *after* IPAM succeeded).

Only the standard library is used: the launcher runs Python with -S.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from .lookup import find_plugin

__all__ = ["NAME", "STDERR_MARKER", "install", "main", "read_log", "wrap"]

NAME = "cnitest-recorder"
STDERR_MARKER = "cnitest-recorder: stderr marker for"

_LAUNCHER = """#!{python} -SEs
import sys
sys.path.insert(0, {root!r})
from cnitest.recording_ipam import main
main()
"""


def install(directory: str | Path) -> Path:
    """Write the `cnitest-recorder` launcher into `directory`; returns the directory."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    root = str(Path(__file__).resolve().parent.parent)
    path = directory / NAME
    tmp = directory / f".{NAME}.{os.getpid()}.tmp"
    tmp.write_text(_LAUNCHER.format(python=sys.executable, root=root))
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)
    return directory


def wrap(conf: dict[str, Any], log: str | Path, **faults: Any) -> dict[str, Any]:
    """A copy of network config `conf` whose IPAM goes through the recorder.

    The real IPAM type stays in the config as ipam["cnitest-delegate"]; `faults`
    become ipam["cnitest-<key>"] (fail={...}, add_routes=[...]).
    """
    out = json.loads(json.dumps(conf))
    ipam = out["ipam"]
    ipam["cnitest-delegate"] = ipam["type"]
    ipam["type"] = NAME
    ipam["cnitest-log"] = str(log)
    for key, value in faults.items():
        ipam["cnitest-" + key.replace("_", "-")] = value
    return out


def read_log(log: str | Path) -> list[dict[str, Any]]:
    """The recorded calls, oldest first (each a dict with verb, env, stdin, ...)."""
    try:
        from .sandbox import translate_out  # the recorder ran in the plugin's sandbox: paths as ours

        text = translate_out(Path(log).read_bytes()).decode()
    except FileNotFoundError:
        return []
    calls: dict[str, dict[str, Any]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        calls.setdefault(entry["call"], {}).update(entry)
    return list(calls.values())


def _append(log: str, entry: dict[str, Any]) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, (json.dumps(entry) + "\n").encode())
    finally:
        os.close(fd)


def _error(version: Any, code: int, msg: str) -> bytes:
    doc = {"code": code, "msg": msg}
    if isinstance(version, str):
        doc["cniVersion"] = version
    return json.dumps(doc).encode()


def run(env: dict[str, str], stdin: bytes) -> tuple[int, bytes]:
    verb = env.get("CNI_COMMAND", "")
    try:
        conf = json.loads(stdin)
        ipam = conf["ipam"]
        log = ipam["cnitest-log"]
        delegate = ipam["cnitest-delegate"]
    except (ValueError, KeyError, TypeError) as exc:
        return 7, _error(None, 7, f"{NAME}: config lacks ipam.cnitest-log / ipam.cnitest-delegate ({exc})")
    version = conf.get("cniVersion")
    call = f"{os.getpid()}-{os.urandom(4).hex()}"
    _append(log, {
        "call": call, "verb": verb, "env": {k: v for k, v in env.items() if k.startswith("CNI_")},
        "stdin": stdin.decode("utf-8", "replace"),
    })
    sys.stderr.write(f"{STDERR_MARKER} {verb}\n")
    sys.stderr.flush()
    fail = (ipam.get("cnitest-fail") or {}).get(verb)
    if fail:
        out = _error(version, int(fail), f"{NAME}: injected failure of {verb}")
        _append(log, {"call": call, "exit": 1, "stdout": out.decode(), "injected": True})
        return 1, out
    found = find_plugin(delegate, env.get("CNI_PATH", ""), skip=sys.argv[0])
    real = str(found) if found is not None else None
    if real is None:
        out = _error(version, 100, f"{NAME}: delegate {delegate!r} not found in CNI_PATH {env.get('CNI_PATH')!r}")
        _append(log, {"call": call, "exit": 1, "stdout": out.decode()})
        return 1, out
    done = subprocess.run([real], input=stdin, env=env, stdout=subprocess.PIPE, check=False)
    code, out = done.returncode, done.stdout
    extra = ipam.get("cnitest-add-routes")
    if verb == "ADD" and code == 0 and extra:
        result = json.loads(out)
        if "ip4" in result:  # 0.1.0 / 0.2.0 shape
            result["ip4"].setdefault("routes", []).extend(extra)
        else:
            result.setdefault("routes", []).extend(extra)
        out = json.dumps(result).encode()
    _append(log, {"call": call, "exit": code, "stdout": out.decode("utf-8", "replace"), "delegate": real})
    return code, out


def main() -> None:
    code, out = run(dict(os.environ), sys.stdin.buffer.read())
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
