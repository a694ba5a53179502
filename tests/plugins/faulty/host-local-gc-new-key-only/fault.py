"""The reference (1.1.0) host-local reading only HEAD's cni.dev/valid-attachments: a GC that carries
just the spec-v1.1.0 key cni.dev/attachments is taken as an empty list, and every reservation goes
(gc.input.attachments-key)."""

import json

import faults

REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS

CAUGHT_BY = [
    faults.caught("host-local", "test_gc_status.py", "1.1.0", "test_gc_reads_the_spec_v1_1_0_key", "released"),
]


def before(env, stdin):
    if faults.verb(env) != "GC":
        return env, stdin
    conf = faults.config(stdin)
    conf.pop("cni.dev/attachments", None)
    conf.setdefault("cni.dev/valid-attachments", [])
    return env, json.dumps(conf).encode()
