"""DEL fails when the container interface is already gone."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_after_the_interface_was_removed"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "DEL" and env.get("CNI_NETNS") and faults.in_netns(env, "ip", "link", "show", "dev", env.get("CNI_IFNAME", "eth0")).returncode != 0:
        return faults.error(999, "interface not found")
    return code, stdout
