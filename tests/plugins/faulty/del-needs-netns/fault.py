"""DEL fails when CNI_NETNS is empty or gone."""

import os

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_after_the_netns_is_gone"),
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_with_empty_netns[1.0.0-empty]"),
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_with_empty_netns[1.0.0-unset]"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "DEL" and not (env.get("CNI_NETNS") and os.path.exists(env["CNI_NETNS"])):
        return faults.error(999, "no netns")
    return code, stdout
