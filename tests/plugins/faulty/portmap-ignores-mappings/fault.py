"""portmap that drops runtimeConfig.portMappings (cap.port-mappings)."""

import json

import faults

CAUGHT_BY = [
    faults.caught("portmap", "test_capabilities.py", "1.0.0", "test_runtime_config_port_mappings"),
]


def before(env, stdin):
    conf = faults.config(stdin)
    if isinstance(conf.get("runtimeConfig"), dict) and conf["runtimeConfig"].pop("portMappings", None):
        return env, json.dumps(conf).encode()
    return env, stdin
