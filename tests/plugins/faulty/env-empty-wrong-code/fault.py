"""An empty (not unset) CNI_CONTAINERID, CNI_NETNS or CNI_IFNAME is refused with code 999,
not 4: only a code check that tries empty variables sees it (error.code.invalid-env)."""

import faults

PROVEN_BY = "tests/test_loose_assertions.py::test_code_4_checks_try_empty_variables"


def after(env, stdin, code, stdout):
    for var in ("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"):
        if var in env and env[var] == "":
            return faults.error(999, f"{var} is empty")
    return code, stdout
