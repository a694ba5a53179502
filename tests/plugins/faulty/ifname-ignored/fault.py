"""bridge (Go): Always names the container interface eth0, whatever CNI_IFNAME says."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_environment.py", "1.0.0", "test_ifname_15_bytes_accepted", "named exactly"),
    faults.caught("bridge", "test_environment.py", "1.0.0",
                  "test_ifname_honored", "must be named exactly CNI_IFNAME 'cninet7'"),
]


def replace(env, stdin):
    if env.get("CNI_IFNAME"):
        env = {**env, "CNI_IFNAME": "eth0"}
    return faults.real(env, stdin)
