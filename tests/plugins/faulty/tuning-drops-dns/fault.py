"""tuning that drops prevResult's dns from its output (chain.prevresult.no-dropping)."""

import json

import faults

CAUGHT_BY = [
    faults.caught("tuning", "test_chaining.py", "1.0.0", "test_prevresult_nothing_dropped", "dns.nameservers"),
]


def after(env, stdin, code, stdout):
    if env.get("CNI_COMMAND") != "ADD" or code != 0:
        return code, stdout
    result = json.loads(stdout)
    result.pop("dns", None)
    return code, json.dumps(result).encode()
