"""bridge that drops runtimeConfig.mac (cap.mac)."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_capabilities.py", "1.0.0", "test_runtime_config_mac"),
]


def before(env, stdin):
    conf = faults.config(stdin)
    if isinstance(conf.get("runtimeConfig"), dict) and conf["runtimeConfig"].pop("mac", None):
        return env, json.dumps(conf).encode()
    return env, stdin
