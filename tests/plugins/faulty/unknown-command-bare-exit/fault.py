"""host-local (Go): a CNI_COMMAND that names no operation (unknown, lower-case, empty, unset) fails
with a bare exit 1 and nothing on stdout: it fails as it must (env.command.unknown-fails, which
tests/test_rule_scope.py proves passes), without the error object it should print (error.json.on-stdout)."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_environment.py", "1.0.0", "test_unknown_command_error_object[1.0.0-lower-case]",
                  "expects an error object"),
    faults.caught("host-local", "test_environment.py", "1.0.0", "test_unknown_command_error_object[1.0.0-unset]",
                  "expects an error object"),
]


def replace(env, stdin):
    if env.get("CNI_COMMAND") not in faults.VERBS:
        return 1, b""
    return faults.real(env, stdin)
