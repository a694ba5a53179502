"""bridge (Go): VERSION answers cniVersion 0.4.0 whatever the request asked."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_version.py", "1.0.0", "test_version_echoes_requested_version", "answered '0.4.0'"),
]


def replace(env, stdin):
    code, out = faults.real(env, stdin)
    if env.get("CNI_COMMAND") == "VERSION" and code == 0:
        doc = json.loads(out)
        doc["cniVersion"] = "0.4.0"
        out = json.dumps(doc).encode()
    return code, out
