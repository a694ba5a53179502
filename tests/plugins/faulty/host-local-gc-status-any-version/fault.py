"""host-local that answers GC and STATUS with success at every cniVersion, also below 1.1.0
(gc.old-version-rejected, status.old-version-rejected)."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_v110.py", "1.0.0", "test_gc_refused_below_1_1_0"),
    faults.caught("host-local", "test_v110.py", "1.0.0", "test_status_refused_below_1_1_0"),
]


def replace(env, stdin):
    if faults.verb(env) in ("GC", "STATUS"):
        return 0, b""
    return faults.real(env, stdin)
