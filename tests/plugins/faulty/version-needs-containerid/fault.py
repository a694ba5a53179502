"""bridge (Go): VERSION demands CNI_CONTAINERID."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_version.py", "1.0.0",
                  "test_version_needs_only_cni_command", "CNI_COMMAND as the only"),
]


def replace(env, stdin):
    if env.get("CNI_COMMAND") == "VERSION" and not env.get("CNI_CONTAINERID"):
        return faults.error(4, "required env variables [CNI_CONTAINERID] missing")
    return faults.real(env, stdin)
