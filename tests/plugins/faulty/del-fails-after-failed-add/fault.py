"""bridge (Go): remembers an ADD that failed and refuses the DEL that follows it (del.after-failed-add).

Only attachments whose ADD failed are refused, so DEL after a deleted namespace
(del.netns-gone) and every other DEL still succeed."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delete.py", "1.0.0", "test_del_after_a_failed_add", "must succeed"),
    faults.caught("bridge", "test_delete.py", "0.4.0", "test_del_after_a_failed_add", "must succeed"),
]


def replace(env, stdin):
    failed = faults.marker(stdin, env, "add-failed")
    if faults.verb(env) == "DEL" and failed.exists():
        return faults.error(11, "no attachment to delete: its ADD never completed")
    code, stdout = faults.real(env, stdin)
    if faults.verb(env) == "ADD":
        if code != 0:
            failed.touch()
        else:
            failed.unlink(missing_ok=True)
    return code, stdout
