"""The reference (1.1.0) bridge whose result leaves out every interface's mtu
(add.result.interface-mtu-present)."""

import faults

REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS
CAUGHT_BY = [
    faults.caught("bridge", "test_v110.py", "1.1.0", "test_interface_entries_give_their_mtu"),
]


def _drop(result):
    for iface in result.get("interfaces") or []:
        iface.pop("mtu", None)


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, _drop)
