"""bandwidth that drops runtimeConfig.bandwidth (cap.bandwidth)."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bandwidth", "test_capabilities.py", "1.0.0", "test_runtime_config_bandwidth"),
]


def before(env, stdin):
    conf = faults.config(stdin)
    if isinstance(conf.get("runtimeConfig"), dict) and conf["runtimeConfig"].pop("bandwidth", None):
        return env, json.dumps(conf).encode()
    return env, stdin
