"""bridge that skips the IPAM plugin it is configured with on ADD (delegate.add.invoked): when
the configured ipam type is the harness's recorder, ADD runs the recorder's real delegate directly."""

import json


def before(env, stdin):
    conf = json.loads(stdin)
    ipam = conf.get("ipam") or {}
    if env.get("CNI_COMMAND") == "ADD" and "cnitest-delegate" in ipam:
        conf["ipam"] = {k: v for k, v in ipam.items() if not k.startswith("cnitest-")} | {"type": ipam["cnitest-delegate"]}
        stdin = json.dumps(conf).encode()
    return env, stdin
