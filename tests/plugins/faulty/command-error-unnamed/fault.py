"""host-local (Go): a CNI_COMMAND that names no operation (unknown, lower-case, empty, unset) is refused
with code 4 whose message never says which variable is wrong (error.code.invalid-env-names-variable)."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_environment.py", "1.0.0", "test_unknown_command_code_4_names_it", "must name the offending variable"),
]


def replace(env, stdin):
    if env.get("CNI_COMMAND") not in faults.VERBS:
        return faults.error(4, "unknown command")  # "command" is a word, not the variable's name
    return faults.real(env, stdin)
