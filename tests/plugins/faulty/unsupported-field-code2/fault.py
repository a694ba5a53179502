"""bridge (Go): Refuses unknown cnitest* config keys with code 2 and a message naming neither key nor value."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_errors.py", "1.0.0",
                  "test_unsupported_field_message", "must name the field's key and value"),
]


def replace(env, stdin):
    if any(k.startswith("cnitest") for k in faults.config(stdin)):
        return faults.error(2, "unsupported field in network configuration")
    return faults.real(env, stdin)
