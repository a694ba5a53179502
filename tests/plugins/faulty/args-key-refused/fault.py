"""host-local (Go): Refuses any config carrying an 'args' object."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_config.py", "0.4.0",
                  "test_args_not_understood_ignored[0.4.0-labels]", "should be ignored"),
]


def replace(env, stdin):
    if "args" in faults.config(stdin):
        return faults.error(7, "the args key is not supported")
    return faults.real(env, stdin)
