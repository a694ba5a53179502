"""The reference (1.1.0) host-local whose routes carry a negative priority and a named table,
and whose failing STATUS uses code 11 (route.result.extended-fields, error.code.status-unavailable)."""

import faults

REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS

CAUGHT_BY = [
    faults.caught("host-local", "test_v110.py", "1.1.0", "test_failing_status_uses_code_50_or_51"),
    faults.caught("host-local", "test_v110.py", "1.1.0", "test_route_extended_fields"),
]


def _spoil(result):
    for r in result.get("routes") or []:
        r.update(priority=-1, table="main")


def after(env, stdin, code, stdout):
    if faults.verb(env) == "ADD":
        return faults.edit_result(code, stdout, _spoil)
    if faults.verb(env) == "STATUS" and code != 0:
        return faults.error(11, "no addresses left")
    return code, stdout
