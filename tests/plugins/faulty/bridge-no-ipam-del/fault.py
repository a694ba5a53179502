"""bridge that never runs IPAM DEL: the ipam section is stripped from DEL's stdin (delegate.del.invoked)."""

import json


def before(env, stdin):
    if env.get("CNI_COMMAND") == "DEL":
        conf = json.loads(stdin)
        conf.pop("ipam", None)
        stdin = json.dumps(conf).encode()
    return env, stdin
