"""tuning that drops prevResult's dns from its output (chain.prevresult.no-dropping)."""

import json


def after(env, stdin, code, stdout):
    if env.get("CNI_COMMAND") != "ADD" or code != 0:
        return code, stdout
    result = json.loads(stdout)
    result.pop("dns", None)
    return code, json.dumps(result).encode()
