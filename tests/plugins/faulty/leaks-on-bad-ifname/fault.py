"""bridge (Go): Refuses an invalid CNI_IFNAME with a proper error, but only after creating eth0 in the container."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_environment.py", "1.0.0", "test_ifname_colon_refused[1.0.0-colon]", "changed state"),
    faults.caught("bridge", "test_environment.py", "1.0.0",
                  "test_ifname_too_long_refused[1.0.0-16-bytes]", "container namespace gained links"),
]


def replace(env, stdin):
    name = env.get("CNI_IFNAME", "")
    if env.get("CNI_COMMAND") == "ADD" and (len(name) > 15 or name in (".", "..") or any(c in name for c in "/: \t\n")):
        faults.real({**env, "CNI_IFNAME": "eth0"}, stdin)
        return faults.error(4, f"interface name {name!r} is invalid")
    return faults.real(env, stdin)
