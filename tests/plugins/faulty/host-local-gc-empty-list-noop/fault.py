"""The reference (1.1.0) host-local that treats an empty list of valid attachments as "nothing to
collect" and keeps every reservation (gc.releases-stale: an empty list makes all stale)."""

import faults

REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS

CAUGHT_BY = [
    faults.caught("host-local", "test_gc_status.py", "1.1.0", "test_gc_with_an_empty_list_releases_everything",
                  "still reserved"),
]


def replace(env, stdin):
    conf = faults.config(stdin)
    lists = [conf.get(k) for k in ("cni.dev/valid-attachments", "cni.dev/attachments") if k in conf]
    if faults.verb(env) == "GC" and lists and all(v == [] for v in lists):
        return 0, b""
    return faults.real(env, stdin)
