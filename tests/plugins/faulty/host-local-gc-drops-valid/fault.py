"""The reference (1.1.0) host-local whose GC ignores the valid list and releases every attachment (gc.keeps-valid)."""

import json

import faults

REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS

CAUGHT_BY = [
    faults.caught("host-local", "test_gc_status.py", "1.1.0", "test_gc_keeps_valid_attachments", "released"),
]


def before(env, stdin):
    if env.get("CNI_COMMAND") == "GC":
        conf = json.loads(stdin)
        conf["cni.dev/valid-attachments"] = []
        conf["cni.dev/attachments"] = []
        stdin = json.dumps(conf).encode()
    return env, stdin
