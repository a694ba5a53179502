"""DEL with the namespace gone succeeds without releasing the address."""

import os

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_after_the_netns_is_gone"),
]


def replace(env, stdin):
    if faults.verb(env) == "DEL" and env.get("CNI_NETNS") and not os.path.exists(env["CNI_NETNS"]):
        return 0, b""
    return faults.real(env, stdin)
