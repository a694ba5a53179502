"""DEL always removes eth0, whatever CNI_IFNAME says."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_leaves_other_attachments"),
]


def before(env, stdin):
    if faults.verb(env) == "DEL":
        env["CNI_IFNAME"] = "eth0"
    return env, stdin
