"""bridge (Go): Accepts a CNI_IFNAME longer than 15 bytes by truncating it."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_environment.py", "1.0.0",
                  "test_ifname_too_long_refused[1.0.0-16-bytes]", "ADD must fail, but it succeeded"),
    faults.caught("bridge", "test_environment.py", "1.0.0",
                  "test_ifname_too_long_refused[1.0.0-23-bytes]", "ADD must fail"),
]


def replace(env, stdin):
    if len(env.get("CNI_IFNAME", "")) > 15:
        env = {**env, "CNI_IFNAME": env["CNI_IFNAME"][:15]}
    return faults.real(env, stdin)
