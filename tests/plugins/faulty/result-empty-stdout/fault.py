"""ADD succeeds without printing a result."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_add_prints_a_result"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return code, b""
