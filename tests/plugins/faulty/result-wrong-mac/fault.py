"""ADD result reports a MAC the container interface does not have."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_reported_macs_are_real"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, lambda r: [i.update(mac="02:00:00:00:00:01") for i in r.get("interfaces") or [] if i.get("sandbox")] and None)
