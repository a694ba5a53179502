"""ADD always names the container interface eth0."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_add.py", "1.0.0", "test_add_honours_cni_ifname"),
]


def before(env, stdin):
    if faults.verb(env) in ("ADD", "CHECK", "DEL"):
        env["CNI_IFNAME"] = "eth0"
    return env, stdin
