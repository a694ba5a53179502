"""CHECK checks its own idea of the attachment, not prevResult (it drops prevResult's addresses)."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_check.py", "1.0.0", "test_check_compares_with_prev_result"),
]


def before(env, stdin):
    conf = faults.config(stdin)
    prev = conf.get("prevResult")
    if faults.verb(env) == "CHECK" and isinstance(prev, dict):
        prev["ips"] = []
        stdin = json.dumps(conf).encode()
    return env, stdin
