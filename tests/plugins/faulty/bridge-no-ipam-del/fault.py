"""bridge that never runs IPAM DEL: the ipam section is stripped from DEL's stdin (delegate.del.invoked)."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delegation.py", "1.0.0", "test_ipam_del_invoked", "never received DEL"),
]


def before(env, stdin):
    if env.get("CNI_COMMAND") == "DEL":
        conf = json.loads(stdin)
        conf.pop("ipam", None)
        stdin = json.dumps(conf).encode()
    return env, stdin
