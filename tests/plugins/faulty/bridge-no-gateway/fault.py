"""bridge that ignores isGateway: the gateway address never stays on the bridge (profile check bridge.gateway-address)."""

import json
import subprocess

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_profile_expectations.py", None, "test_effect_after_add[bridge.gateway-address]"),
]


def after(env, stdin, code, stdout):
    if env.get("CNI_COMMAND") != "ADD" or code != 0:
        return code, stdout
    bridge = json.loads(stdin).get("bridge", "cni0")
    subprocess.run(["ip", "-4", "addr", "flush", "dev", bridge], check=False)
    return code, stdout
