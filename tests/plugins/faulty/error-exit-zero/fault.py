"""host-local (Go): Prints its error object but exits 0."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_errors.py", "1.0.0",
                  "test_exit_zero_never_with_error_object[1.0.0-bad-version]", "printed an error object"),
    faults.caught("host-local", "test_errors.py", "1.0.0",
                  "test_failure_exits_nonzero[1.0.0-not-json]", "must exit non-zero"),
]


def replace(env, stdin):
    _, out = faults.real(env, stdin)
    return 0, out
