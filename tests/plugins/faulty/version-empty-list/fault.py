"""host-local (Go): VERSION answers an empty supportedVersions list."""

import json

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_version.py", "1.0.0", "test_version_lists_versions", "non-empty list"),
    faults.caught("host-local", "test_version.py", "1.0.0",
                  "test_version_result_shape", "does not have the spec's shape"),
]


def replace(env, stdin):
    if env.get("CNI_COMMAND") == "VERSION":
        return 0, json.dumps({"cniVersion": faults.config(stdin).get("cniVersion", "1.0.0"), "supportedVersions": []}).encode()
    return faults.real(env, stdin)
