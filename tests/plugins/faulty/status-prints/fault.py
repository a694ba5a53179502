"""The reference (1.1.0) host-local whose successful STATUS prints a JSON object on stdout (status.output.empty)."""

import json

import faults

REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS

CAUGHT_BY = [
    faults.caught("host-local", "test_gc_status.py", "1.1.0", "test_status_prints_nothing", "prints nothing"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "STATUS" and code == 0 and not stdout.strip():
        return 0, json.dumps({"cniVersion": "1.1.0", "status": "ready"}).encode()
    return code, stdout
