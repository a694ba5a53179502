"""host-local (Go): VERSION demands a full network config (a name) on stdin."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_version.py", "1.0.0", "test_version_needs_no_network_config", "only cniVersion"),
]


def replace(env, stdin):
    if env.get("CNI_COMMAND") == "VERSION" and "name" not in faults.config(stdin):
        return faults.error(7, "missing network name")
    return faults.real(env, stdin)
