"""Shared bits of the faulty plugins that break protocol rules (version, env, errors, config, io).

A fault.py imports this (its directory's parent is put on sys.path) and defines
replace(env, stdin): it answers by itself where it breaks a rule and calls the
real plugin (Debian's Go one, named like the symlink) everywhere else.
"""

import json
import subprocess
import sys
from pathlib import Path

REAL_DIR = Path("/usr/lib/cni")
VERBS = ("ADD", "CHECK", "DEL", "VERSION", "GC", "STATUS")


def real(env, stdin):
    """Run the real plugin with this input; returns (exit code, stdout)."""
    done = subprocess.run([str(REAL_DIR / Path(sys.argv[0]).name)], input=stdin, env=env, stdout=subprocess.PIPE, check=False)
    return done.returncode, done.stdout


def error(code, msg, **extra):
    """A failure with a spec-shaped error object."""
    return 1, json.dumps({"code": code, "msg": msg, **extra}).encode()


def config(stdin):
    """The config on stdin as a dict, or None."""
    try:
        doc = json.loads(stdin)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def with_config(stdin, **changes):
    """stdin with top-level keys changed (a value of None removes the key)."""
    conf = dict(config(stdin) or {})
    for key, value in changes.items():
        if value is None:
            conf.pop(key, None)
        else:
            conf[key] = value
    return json.dumps(conf).encode()


def error_doc(stdout):
    """The error object of a failed call, or None."""
    try:
        doc = json.loads(stdout)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and "code" in doc else None
