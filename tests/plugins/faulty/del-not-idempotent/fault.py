"""The second DEL of an attachment fails."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delete.py", "0.4.0", "test_del_twice_before_1_0_0"),
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_twice"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "DEL" and code == 0:
        done = faults.marker(stdin, env, "deleted")
        if done.exists():
            return faults.error(999, "already deleted")
        done.touch()
    return code, stdout
