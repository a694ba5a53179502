"""The reference (1.1.0) bridge whose ADD result gives each route's priority one higher than the
metric it installed (route.result.extended-fields-kernel; the value is still a uint)."""

import faults

REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS

CAUGHT_BY = [
    faults.caught("bridge", "test_v110.py", "1.1.0", "test_route_extended_fields_match_the_kernel", "the kernel holds it"),
]


def _bump(result):
    for route in result.get("routes") or []:
        if isinstance(route, dict) and isinstance(route.get("priority"), int):
            route["priority"] += 1


def after(env, stdin, code, stdout):
    if faults.verb(env) == "ADD":
        return faults.edit_result(code, stdout, _bump)
    return code, stdout
