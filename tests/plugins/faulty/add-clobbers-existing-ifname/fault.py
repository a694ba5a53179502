"""ADD fails when CNI_IFNAME exists, but first strips its addresses."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_add.py", "1.0.0", "test_add_fails_when_ifname_exists"),
]


def before(env, stdin):
    if faults.verb(env) == "ADD" and env.get("CNI_NETNS"):
        faults.in_netns(env, "ip", "addr", "flush", "dev", env.get("CNI_IFNAME", "eth0"))
    return env, stdin
