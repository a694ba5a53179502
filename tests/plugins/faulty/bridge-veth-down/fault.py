"""bridge whose ADD reports success but leaves the host end of the veth down: no traffic flows (data plane)."""

import json
import subprocess

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_dataplane.py", "1.0.0", "test_host_reaches_container_ipv4", "reaches the container"),
]


def after(env, stdin, code, stdout):
    if env.get("CNI_COMMAND") != "ADD" or code != 0:
        return code, stdout
    for iface in json.loads(stdout).get("interfaces", []):
        if not iface.get("sandbox") and iface.get("name", "").startswith("veth"):
            subprocess.run(["ip", "link", "set", "dev", iface["name"], "down"], check=False)
    return code, stdout
