"""bridge whose IPAM plugin gets a different configuration from the one bridge got on stdin
(delegate.config.same): a key is added on the way."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delegation.py", "1.0.0",
                  "test_ipam_gets_complete_config", "complete network configuration"),
]


def before(env, stdin):
    conf = json.loads(stdin)
    if isinstance(conf.get("ipam"), dict):
        conf["cnitest-added"] = "not in the caller's configuration"
        stdin = json.dumps(conf).encode()
    return env, stdin
