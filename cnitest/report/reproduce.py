"""A shell script that replays the plugin calls of one test by hand.

The harness runs plugins in anonymous namespaces held by file descriptors; a
person replaying a failure needs named ones. The script makes `cnitest-host`
(where the plugin runs, like the harness's sandbox host namespace) and
`cnitest-cont` (the container), a temporary directory standing in for the
test's own (IPAM dataDirs live there), runs every call with the exact
environment and stdin the harness used, shows the container after each call,
and deletes it all on exit.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..runner import Invocation, ns_paths

HOST = "cnitest-host"
CONTAINER = "cnitest-cont"


def script(
    invocations: Sequence[Invocation],
    *,
    title: str = "",
    tmp_dirs: Sequence[str] = (),
    parent_link: str | None = None,
) -> str:
    """The bash script replaying `invocations` in order.

    `tmp_dirs` are the test's temporary directories: paths under them are
    replaced by a fresh `mktemp -d`. `parent_link` names a veth to make in the
    host namespace first (the profiles of macvlan, ipvlan, ... need a parent).
    The namespace names can be changed with the environment variables
    CNITEST_HOST_NS and CNITEST_CONT_NS when the defaults are taken.
    """
    paths = ns_paths(list(invocations))
    names = {p: CONTAINER if i == 0 else f"{CONTAINER}{i + 1}" for i, p in enumerate(paths)}
    variables = {p: f"C{i + 1}" if i else "C" for i, p in enumerate(paths)}
    rename = {p: f"/var/run/netns/${{{variables[p]}}}" for p in paths}
    for d in sorted({d.rstrip("/") for d in tmp_dirs if d}, key=len, reverse=True):
        rename[d] = "${TMP}"
    lines = [
        "#!/usr/bin/env bash",
        f"# Replays {title or 'the plugin calls of a cnitest test'} by hand.",
        "# Run as root with bash. It makes network namespaces and a temporary directory,",
        "# and deletes them on exit (drop the 'trap' line to keep them for a look).",
        "set -u",
        f'H=${{CNITEST_HOST_NS:-{HOST}}}  # where the plugin runs, as in the harness',
    ]
    for p in paths:
        env = "CNITEST_CONT_NS" + (variables[p][1:] if variables[p] != "C" else "")
        lines.append(f"{variables[p]}=${{{env}:-{names[p]}}}  # a container namespace")
    lines.append("TMP=$(mktemp -d)  # stands in for the test's temporary directory")
    ns_vars = ["H", *(variables[p] for p in paths)]
    deletions = "; ".join(f'ip netns del "${v}" 2>/dev/null' for v in reversed(ns_vars))
    lines.append(f"trap '{deletions}; rm -rf \"$TMP\"' EXIT")
    for v in ns_vars:
        lines.append(f'ip netns add "${v}" || exit 1')
        lines.append(f'ip -n "${v}" link set lo up')
    if parent_link:
        lines.append(f'ip -n "$H" link add {parent_link} type veth peer name {parent_link}p')
        lines.append(f'ip -n "$H" link set {parent_link} up && ip -n "$H" link set {parent_link}p up')
    total = len(invocations)
    for n, inv in enumerate(invocations, 1):
        saw = "timed out" if inv.timed_out else f"exit {inv.exit_code}"
        lines.append("")
        lines.append(f"# {n}/{total}: {inv.verb} (cniVersion {inv.cni_version or '-'}); the harness saw {saw}")
        lines.append(f'echo "=== {n}/{total} {inv.verb}: stdout"')
        lines.append(inv.reproducer(host='"$H"', rename=rename))
        lines.append('rc=$?; echo; echo "=== exit status $rc"')
        netns = inv.env.get("CNI_NETNS", "")
        if netns in variables:
            var = variables[netns]
            lines.append(f'echo "=== container ${var} after {inv.verb}:"; ip -n "${var}" -br link; ip -n "${var}" -br addr')
    return "\n".join(lines) + "\n"
