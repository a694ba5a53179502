"""bridge (Go): Prints a second JSON document (a log record) after its ADD result."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_io.py", "1.0.0",
                  "test_stdout_single_json_document[1.0.0-lifecycle]", "more than one JSON document"),
]


def replace(env, stdin):
    code, out = faults.real(env, stdin)
    if env.get("CNI_COMMAND") == "ADD" and code == 0:
        out = out + b'\n{"log": "interface added"}\n'
    return code, out
