"""The reference (1.1.0) host-local whose successful GC prints a JSON object on stdout (gc.output.empty)."""

import json

import faults

REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS

CAUGHT_BY = [
    faults.caught("host-local", "test_gc_status.py", "1.1.0", "test_gc_prints_nothing", "print nothing"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "GC" and code == 0 and not stdout.strip():
        return 0, json.dumps({"cniVersion": "1.1.0", "gc": "done"}).encode()
    return code, stdout
