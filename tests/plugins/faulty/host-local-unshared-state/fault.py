"""host-local whose allocation state is private to each container: concurrent (indeed all) ADDs get the same
address, as if shared state were not locked (lifecycle.concurrent-containers)."""

import json

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_concurrency.py", "1.0.0", "test_concurrent_adds_then_dels", "same address"),
]


def before(env, stdin):
    conf = json.loads(stdin)
    ipam = conf.get("ipam") or {}
    if "dataDir" in ipam:
        ipam["dataDir"] = ipam["dataDir"] + "/" + env.get("CNI_CONTAINERID", "none")
        stdin = json.dumps(conf).encode()
    return env, stdin
