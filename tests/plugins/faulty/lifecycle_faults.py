"""Shared bits of the faulty plugins that prove the add/check/delete/results suites.

A fault.py does `from lifecycle_faults import *` after putting this directory on
sys.path. Runs under the system python3 (no third-party modules).
"""

import json
import subprocess
from pathlib import Path


def verb(env):
    return env.get("CNI_COMMAND")


def conf_of(stdin):
    try:
        return json.loads(stdin)
    except ValueError:
        return {}


def version_key(v):
    try:
        return tuple(int(p) for p in str(v).split("."))
    except ValueError:
        return (0,)


def error(msg, code=999):
    return 1, json.dumps({"code": code, "msg": msg}).encode()


def edit_result(code, stdout, fn):
    """Apply fn(result) -> result (or None for in-place) to a successful output."""
    if code != 0 or not stdout.strip():
        return code, stdout
    result = json.loads(stdout)
    changed = fn(result)
    return code, json.dumps(result if changed is None else changed, indent=2).encode()


def container_indexes(result):
    return [i for i, iface in enumerate(result.get("interfaces") or []) if iface.get("sandbox")]


def marker(stdin, env, what):
    """A per-test state file next to the IPAM dataDir (inside the test's tmp dir)."""
    ipam = conf_of(stdin).get("ipam") or {}
    base = Path(ipam.get("dataDir") or "/nonexistent")
    base.mkdir(parents=True, exist_ok=True)
    return base / f"faulty-{what}-{env.get('CNI_CONTAINERID')}-{env.get('CNI_IFNAME')}"


def in_netns(env, *argv):
    """Run a command (e.g. `ip ...`) inside CNI_NETNS."""
    return subprocess.run(["nsenter", f"--net={env['CNI_NETNS']}", "--", *argv], check=False, capture_output=True)
