"""bridge whose IPAM plugin gets a different configuration from the one bridge got on stdin
(delegate.config.same): a key is added on the way."""

import json


def before(env, stdin):
    conf = json.loads(stdin)
    if isinstance(conf.get("ipam"), dict):
        conf["cnitest-added"] = "not in the caller's configuration"
        stdin = json.dumps(conf).encode()
    return env, stdin
