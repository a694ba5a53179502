"""ADD prints a JSON log line before its result."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_stdout_is_one_json_document"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD" or code != 0:
        return code, stdout
    return code, b'{"log": "bridge starting"}\n' + stdout
