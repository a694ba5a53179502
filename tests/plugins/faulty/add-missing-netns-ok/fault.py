"""ADD 'succeeds' when CNI_NETNS does not exist."""

import json
import os

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_add.py", "1.0.0", "test_add_fails_for_a_missing_netns"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "ADD" and env.get("CNI_NETNS") and not os.path.exists(env["CNI_NETNS"]):
        return 0, json.dumps({"cniVersion": faults.config(stdin).get("cniVersion"), "interfaces": [], "ips": []}).encode()
    return code, stdout
