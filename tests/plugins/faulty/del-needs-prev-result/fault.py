"""DEL fails without a non-empty prevResult."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_without_prev_result"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "DEL" and not faults.config(stdin).get("prevResult"):
        return faults.error(999, "prevResult required")
    return code, stdout
