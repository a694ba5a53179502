"""bridge that does not run CHECK on its IPAM plugin (delegate.check.invoked, MUST from 1.0.0):
when the configured ipam type is the harness's recorder, CHECK runs the recorder's real delegate
directly, so the recorder never sees the call."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delegation.py", "1.0.0", "test_ipam_check_invoked", "CHECK"),
]


def before(env, stdin):
    return faults.past_recorder(env, stdin, "CHECK")
