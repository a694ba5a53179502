"""ADD leaves the container interface down."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_add.py", "1.0.0", "test_add_creates_cni_ifname"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "ADD" and code == 0:
        faults.in_netns(env, "ip", "link", "set", "dev", env["CNI_IFNAME"], "down")
    return code, stdout
