"""ADD 'succeeds' when CNI_IFNAME exists: it quietly uses eth1 instead (and the result lies)."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_add.py", "1.0.0", "test_add_fails_when_ifname_exists"),
]


def before(env, stdin):
    if faults.verb(env) == "ADD" and env.get("CNI_IFNAME") == "eth0":
        env["CNI_IFNAME"] = "eth1"
    return env, stdin
