"""host-local that allocates from a built-in 10.88.0.0/24 whatever ranges stdin names (io.stdin.config)."""

import json

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_misc.py", "1.0.0", "test_config_read_from_stdin"),
]


def before(env, stdin):
    conf = faults.config(stdin)
    ipam = conf.get("ipam")
    if isinstance(ipam, dict) and ipam.get("ranges"):
        ipam["ranges"] = [[{"subnet": "10.88.0.0/24"}]]
        return env, json.dumps(conf).encode()
    return env, stdin
