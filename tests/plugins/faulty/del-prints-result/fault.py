"""bridge (Go): a successful DEL prints the prevResult it was given on stdout (del.output.empty)."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_successful_del_prints_nothing", "prints nothing"),
    faults.caught("bridge", "test_delete.py", "0.4.0", "test_successful_del_prints_nothing", "prints nothing"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "DEL" and code == 0 and not stdout.strip():
        return 0, json.dumps(faults.config(stdin).get("prevResult") or {"cniVersion": faults.config(stdin).get("cniVersion")}).encode()
    return code, stdout
