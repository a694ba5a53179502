"""bridge (Go): VERSION refuses a request at a cniVersion it does not support (code 1) instead of answering."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_version.py", "1.0.0",
                  "test_version_answers_an_unsupported_request", "should still answer"),
]


def replace(env, stdin):
    wanted = faults.config(stdin).get("cniVersion")
    if env.get("CNI_COMMAND") == "VERSION" and wanted not in ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", None):
        return faults.error(1, f"incompatible CNI versions (config is {wanted!r})")
    return faults.real(env, stdin)
