"""A successful CHECK prints prevResult on stdout."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_check.py", "0.4.0", "test_successful_check_prints_nothing"),
    faults.caught("bridge", "test_check.py", "1.0.0", "test_successful_check_prints_nothing"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "CHECK" and code == 0:
        return 0, json.dumps(faults.config(stdin).get("prevResult") or {}).encode()
    return code, stdout
