"""CHECK below 0.4.0 dies with a bare exit code and no error object (a crash, not a refusal)."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_check.py", "0.3.1", "test_check_refused_below_0_4_0"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "CHECK" and faults.version_key(faults.config(stdin).get("cniVersion")) < (0, 4, 0):
        return 2, b"panic: runtime error\n"
    return code, stdout
