"""bridge that does not run CHECK on its IPAM plugin (delegate.check.invoked, MUST from 1.0.0):
when the configured ipam type is the harness's recorder, CHECK runs the recorder's real delegate
directly, so the recorder never sees the call."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delegation.py", "1.0.0", "test_ipam_check_invoked", "CHECK"),
]


def before(env, stdin):
    conf = json.loads(stdin)
    ipam = conf.get("ipam") or {}
    if env.get("CNI_COMMAND") == "CHECK" and "cnitest-delegate" in ipam:
        conf["ipam"] = {k: v for k, v in ipam.items() if not k.startswith("cnitest-")} | {"type": ipam["cnitest-delegate"]}
        stdin = json.dumps(conf).encode()
    return env, stdin
