"""bridge (Go): Crashes without an error object when CNI_PATH is unset."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_environment.py", "1.0.0", "test_without_cni_path", "must fail cleanly"),
]


def replace(env, stdin):
    if env.get("CNI_COMMAND") != "VERSION" and "CNI_PATH" not in env:
        return 2, b""
    return faults.real(env, stdin)
