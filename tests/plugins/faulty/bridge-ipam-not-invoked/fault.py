"""bridge that skips the IPAM plugin it is configured with on ADD (delegate.add.invoked): when
the configured ipam type is the harness's recorder, ADD runs the recorder's real delegate directly."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_delegation.py", "1.0.0", "test_ipam_add_invoked", "never received ADD"),
]


def before(env, stdin):
    return faults.past_recorder(env, stdin, "ADD")
