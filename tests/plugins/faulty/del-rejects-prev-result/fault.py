"""DEL fails when given a prevResult."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_with_the_add_result_as_prev_result"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "DEL" and faults.config(stdin).get("prevResult"):
        return faults.error(999, "unexpected prevResult")
    return code, stdout
