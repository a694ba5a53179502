"""The reference (1.1.0) host-local whose GC exits 0 but releases nothing (gc.releases-stale)."""

import faults

REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS

CAUGHT_BY = [
    faults.caught("host-local", "test_gc_status.py", "1.1.0", "test_gc_releases_stale_attachments", "still reserved"),
]


def replace(env, stdin):
    if env.get("CNI_COMMAND") == "GC":
        return 0, b""
    return faults.real(env, stdin)
