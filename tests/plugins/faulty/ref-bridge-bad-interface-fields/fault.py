"""The reference (1.1.0) bridge whose container interface reports a wrong mtu and a relative
socketPath (add.result.interface-mtu, add.result.interface-optional-fields)."""

import faults

REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS

CAUGHT_BY = [
    faults.caught("bridge", "test_v110.py", "1.1.0", "test_interface_mtu_is_the_link_mtu"),
    faults.caught("bridge", "test_v110.py", "1.1.0", "test_interface_socket_path_and_pci_id"),
]


def _spoil(result):
    for i in faults.container_indexes(result):
        result["interfaces"][i].update(mtu=1234, socketPath="run/cnitest.sock")


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, _spoil)
