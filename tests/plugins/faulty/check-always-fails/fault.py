"""CHECK always fails."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_check.py", "0.4.0", "test_check_succeeds_right_after_add"),
    faults.caught("bridge", "test_check.py", "0.4.0", "test_check_tolerates_an_extra_route"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "CHECK":
        return faults.error(999, "something is wrong")
    return code, stdout
