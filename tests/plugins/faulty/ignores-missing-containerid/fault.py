"""bridge (Go): Guesses a container id when CNI_CONTAINERID is unset or empty instead of failing."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_environment.py", "1.0.0",
                  "test_required_variable_missing_fails[1.0.0-ADD-CNI_CONTAINERID-unset]", "must fail instead of guessing"),
    faults.caught("bridge", "test_environment.py", "1.0.0",
                  "test_required_variable_missing_fails[1.0.0-DEL-CNI_CONTAINERID-empty]", "must fail instead of guessing"),
    faults.caught("bridge", "test_environment.py", "0.4.0",
                  "test_container_id_missing_fails_at_0_4_0[0.4.0-ADD-CNI_CONTAINERID-unset]", "requires a non-empty container id"),
    faults.caught("bridge", "test_environment.py", "0.4.0",
                  "test_container_id_missing_fails_at_0_4_0[0.4.0-DEL-CNI_CONTAINERID-empty]", "requires a non-empty container id"),
]


def replace(env, stdin):
    if env.get("CNI_COMMAND") != "VERSION" and not env.get("CNI_CONTAINERID"):
        env = {**env, "CNI_CONTAINERID": "cnitest-guessed"}
    return faults.real(env, stdin)
