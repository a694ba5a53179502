"""The reference (1.1.0) host-local that, once its STATUS has failed, refuses ADD and DEL with
code 50 until a STATUS succeeds again (status.other-ops-after-error: STATUS prevents nothing)."""

from pathlib import Path

import faults

REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS

CAUGHT_BY = [
    faults.caught("host-local", "test_gc_status.py", "1.1.0", "test_del_and_add_after_a_failed_status", "still accept DEL"),
]


def _flag(stdin):
    data_dir = (faults.config(stdin).get("ipam") or {}).get("dataDir")
    return Path(data_dir) / "faulty-status-failed" if data_dir else None


def replace(env, stdin):
    flag = _flag(stdin)
    if flag is not None and faults.verb(env) in ("ADD", "DEL") and flag.exists():
        return faults.error(50, "plugin not available: STATUS failed")
    code, stdout = faults.real(env, stdin)
    if flag is not None and faults.verb(env) == "STATUS":
        if code != 0:
            flag.parent.mkdir(parents=True, exist_ok=True)
            flag.touch()
        else:
            flag.unlink(missing_ok=True)
    return code, stdout
