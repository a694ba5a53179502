"""bridge that looks for its IPAM plugin in the first CNI_PATH directory only (delegate.lookup.cni-path)."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delegation.py", "1.0.0",
                  "test_ipam_found_past_first_cni_path_dir", "every directory of CNI_PATH"),
]


def before(env, stdin):
    if env.get("CNI_PATH"):
        env = dict(env, CNI_PATH=env["CNI_PATH"].split(":")[0])
    return env, stdin
