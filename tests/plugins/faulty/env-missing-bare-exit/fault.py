"""bridge (Go): a missing or empty required variable fails with a bare exit 1 and nothing on
stdout: the call fails as it must (env.required.missing-fails), without the error object it
should print (error.json.on-stdout)."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_environment.py", "1.0.0", "test_required_variable_missing_error_object[1.0.0-ADD-CNI_NETNS-unset]"),
    faults.caught("bridge", "test_environment.py", "1.0.0", "test_required_variable_missing_error_object[1.0.0-DEL-CNI_IFNAME-empty]"),
]

REQUIRED = {"ADD": ("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"), "CHECK": ("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"),
            "DEL": ("CNI_CONTAINERID", "CNI_IFNAME")}


def replace(env, stdin):
    if any(not env.get(v) for v in REQUIRED.get(env.get("CNI_COMMAND"), ())):
        return 1, b""
    return faults.real(env, stdin)
