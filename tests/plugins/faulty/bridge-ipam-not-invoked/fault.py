"""bridge that skips the IPAM plugin it is configured with on ADD (delegate.add.invoked): when
the configured ipam type is the harness's recorder, ADD runs the recorder's real delegate directly."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delegation.py", "1.0.0", "test_ipam_add_invoked", "never received ADD"),
]


def before(env, stdin):
    conf = json.loads(stdin)
    ipam = conf.get("ipam") or {}
    if env.get("CNI_COMMAND") == "ADD" and "cnitest-delegate" in ipam:
        conf["ipam"] = {k: v for k, v in ipam.items() if not k.startswith("cnitest-")} | {"type": ipam["cnitest-delegate"]}
        stdin = json.dumps(conf).encode()
    return env, stdin
