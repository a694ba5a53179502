"""bridge that reports a MAC its container interface does not have."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_smoke.py", "1.0.0", "test_add_reports_the_real_mac", "has MAC"),
]


def after(env, stdin, code, stdout):
    if env.get("CNI_COMMAND") != "ADD" or code != 0:
        return code, stdout
    result = json.loads(stdout)
    for iface in result.get("interfaces", []):
        if iface.get("sandbox"):
            iface["mac"] = "02:00:00:00:00:01"
    return code, json.dumps(result).encode()
