"""DEL fails for an attachment it never added."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_without_add"),
]


def after(env, stdin, code, stdout):
    added = faults.marker(stdin, env, "added")
    if faults.verb(env) == "ADD" and code == 0:
        added.touch()
    if faults.verb(env) == "DEL" and not added.exists():
        return faults.error(999, "no such attachment")
    return code, stdout
