"""host-local (Go): Exits 0 with no output on an unknown CNI_COMMAND."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_environment.py", "0.4.0",
                  "test_unknown_command_fails[0.4.0-BOGUS]", "it exited 0"),
    faults.caught("host-local", "test_environment.py", "1.0.0",
                  "test_unknown_command_fails[1.0.0-lower-case]", "it exited 0"),
]


def replace(env, stdin):
    if env.get("CNI_COMMAND") not in ("ADD", "CHECK", "DEL", "VERSION", "GC", "STATUS"):
        return 0, b""
    return faults.real(env, stdin)
