"""bridge (Go): Accepts CNI_IFNAMEs with '/', ':', whitespace or '.'/'..' by rewriting them."""

import re

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_environment.py", "1.0.0", "test_ifname_colon_refused[1.0.0-colon]", "must fail"),
    faults.caught("bridge", "test_environment.py", "1.0.0", "test_ifname_dot_refused[1.0.0-dotdot]", "must fail"),
    faults.caught("bridge", "test_environment.py", "1.0.0", "test_ifname_slash_refused[1.0.0-slash]", "must fail"),
    faults.caught("bridge", "test_environment.py", "1.0.0", "test_ifname_whitespace_refused[1.0.0-tab]", "must fail"),
]


def replace(env, stdin):
    name = env.get("CNI_IFNAME")
    if name is not None:
        fixed = {".": "dot", "..": "dotdot"}.get(name) or re.sub(r"[/:\s]", "-", name)
        env = {**env, "CNI_IFNAME": fixed}
    return faults.real(env, stdin)
