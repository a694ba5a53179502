"""DEL succeeds without undoing anything."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_releases_the_address"),
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_removes_host_links"),
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_removes_the_interface"),
    faults.caught("host-local", "test_delete.py", "1.0.0", "test_del_releases_the_address"),
]


def replace(env, stdin):
    if faults.verb(env) == "DEL":
        return 0, b""
    return faults.real(env, stdin)
