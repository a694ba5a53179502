"""bridge (Go): Refuses network names holding '.' or '_', which the spec allows."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_config.py", "1.0.0",
                  "test_name_charset_accepted[1.0.0-punctuated]", "should be accepted"),
]


def replace(env, stdin):
    name = faults.config(stdin).get("name", "")
    if isinstance(name, str) and ("." in name or "_" in name):
        return faults.error(7, f"invalid network name {name!r}")
    return faults.real(env, stdin)
