"""CHECK always succeeds without looking."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_check.py", "0.3.1", "test_check_refused_below_0_4_0"),
    faults.caught("bridge", "test_check.py", "1.0.0", "test_check_compares_with_prev_result"),
    faults.caught("bridge", "test_check.py", "1.0.0", "test_check_fails_without_a_route"),
    faults.caught("bridge", "test_check.py", "1.0.0", "test_check_fails_without_an_address"),
    faults.caught("bridge", "test_check.py", "1.0.0", "test_check_fails_without_the_interface"),
    faults.caught("host-local", "test_check.py", "1.0.0", "test_check_fails_after_the_reservation_is_gone"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "CHECK":
        return 0, b""
    return code, stdout
