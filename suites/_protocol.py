"""Helpers shared by the protocol suites (version, environment, errors, config, io).

What "changes nothing" means for a refused call, and which inputs reliably make
a plugin fail. Calls go through cnitest.Attachment (raw stdin and missing
variables too: Attachment.add / Attachment.invoke); the two call helpers at the
end are left only for the modules not yet on it (test_config, test_environment,
test_version) and go with them. Not a test module: pytest does not collect it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from cnitest import host_local, versions
from cnitest.attachment import with_prev_result
from cnitest.netns import Namespace, Snapshot
from cnitest.runner import Invocation, Runner

SEMVER = re.compile(r"^\d+\.\d+\.\d+$")

BAD_JSON = b"this is { not JSON"
TRUNCATED_JSON = b'{"cniVersion": "1.0.0", "name": "cnitest-trunc", "type": '


def is_error_document(doc: Any) -> bool:
    """True for an object shaped like the spec's error object (code and/or msg)."""
    return isinstance(doc, dict) and ("code" in doc or "msg" in doc)


# --------------------------------------------------------------------------
# "Nothing changed": the namespaces and the IPAM store, before and after
# --------------------------------------------------------------------------


def _stable(snap: Snapshot, shared_kinds: tuple[str, ...] = ()) -> dict[str, Any]:
    """What a refused call must not change, without what the kernel adds by itself
    (IPv6 link-local addresses and routes, which appear asynchronously after an ADD)
    and without links of `shared_kinds` (and their addresses and routes)."""
    names = {link.index: link.name for link in snap.links}
    skip = {link.index for link in snap.links if link.kind in shared_kinds}
    links = sorted((link.name, link.kind or "device") for link in snap.links if link.index not in skip)
    addrs = sorted(
        (names.get(a.index, str(a.index)), a.cidr)
        for a in snap.addresses
        if a.index not in skip and not ipaddress.ip_interface(a.cidr).ip.is_link_local
    )
    routes = sorted(
        (r.dst, r.gateway or "", names.get(r.oif, str(r.oif)) if r.oif else "", r.table)
        for r in snap.routes
        if r.oif not in skip
        and not (ipaddress.ip_network(r.dst, strict=False).is_link_local or ipaddress.ip_network(r.dst, strict=False).is_multicast)
    )
    return {"links": links, "addresses": addrs, "routes": routes}


SHARED_HOST_KINDS = ("bridge",)
"""Host links that are shared infrastructure, not per-container state: a bridge plugin
makes its bridge on demand before it calls IPAM (Go's does) and keeps it when the ADD
fails later, which no rule forbids. Anything else a refused call leaves in the host
namespace (a veth, an address, a route) counts as a change."""


def reservations(netconf: Any, container_id: str | None) -> list[str]:
    """IPAM state in the config's dataDir, any plugin's layout (host_local.state_files),
    as "path: content" lines. Empty when the config has no dataDir."""
    ipam = netconf.get("ipam") if isinstance(netconf, dict) else None
    data_dir = ipam.get("dataDir") if isinstance(ipam, dict) else None
    if not isinstance(data_dir, str):
        return []
    return [f"{path.relative_to(data_dir)}: {host_local.text(path).strip()[:80]!r}"
            for path in host_local.state_files(data_dir, container_id)]


@dataclass
class State:
    container: dict[str, Any]
    host: dict[str, Any]
    ipam: list[str]
    container_text: str
    host_text: str


def state(host_ns: Namespace, container_ns: Namespace, netconf: Any, container_id: str | None) -> State:
    c, h = container_ns.snapshot(), host_ns.snapshot()
    return State(_stable(c), _stable(h, SHARED_HOST_KINDS), reservations(netconf, container_id), c.describe(), h.describe())


def changes(before: State, after: State) -> list[str]:
    """What differs between two states, as readable sentences (empty: nothing changed)."""
    out = []
    for where in ("container", "host"):
        b, a = getattr(before, where), getattr(after, where)
        for key in ("links", "addresses", "routes"):
            added = [x for x in a[key] if x not in b[key]]
            gone = [x for x in b[key] if x not in a[key]]
            if added:
                out.append(f"{where} namespace gained {key}: {added}")
            if gone:
                out.append(f"{where} namespace lost {key}: {gone}")
    added_ipam = [x for x in after.ipam if x not in before.ipam]
    gone_ipam = [x for x in before.ipam if x not in after.ipam]
    if added_ipam:
        out.append(f"IPAM dataDir gained reservations: {added_ipam}")
    if gone_ipam:
        out.append(f"IPAM dataDir lost reservations: {gone_ipam}")
    return out


def describe_changes(diff: list[str], after: State) -> str:
    return "- " + "\n- ".join(diff) + f"\ncontainer now:\n{after.container_text}\nhost now:\n{after.host_text}"


# --------------------------------------------------------------------------
# Calls
# --------------------------------------------------------------------------


def del_config(netconf: dict[str, Any], add: Invocation | None, version: str) -> dict[str, Any]:
    """The config a runtime sends with DEL/CHECK after `add`: its result as prevResult
    from 0.3.0 on (attachment.with_prev_result); `netconf` as given when `add` printed
    no result. Only for test_config, test_environment and test_version, until they
    are written on the Attachment (Attachment.prev_config)."""
    if add is None or add.result is None:
        return netconf
    return with_prev_result(netconf, add.result, version)


def cleanup(cni: Runner, netconf: dict[str, Any], add: Invocation | None, container_ns: Namespace, ifname: str,
            container_id: str, version: str, **kwargs: Any) -> Invocation:
    """DEL after an ADD, the way a runtime would (best effort; the caller decides what to assert).
    Only for test_config, test_environment and test_version, until they are written on
    the Attachment, whose delete() and context manager do this."""
    att = cni.attach(netconf, container_ns, ifname, container_id, version)
    if add is not None and add.result is not None:
        return att.delete(add.result, **kwargs)
    return att.invoke("DEL", netconf, **kwargs)


def refused_cleanly_if_refused(cni: Runner, host_ns: Namespace, conf: dict[str, Any], container_ns: Namespace, ifname: str,
                                container_id: str, version: str, what: str, code: int) -> None:
    """ADD with something a plugin MAY refuse (`what`): accepting it is fine; a refusal
    must come with an error object and change nothing."""
    before = state(host_ns, container_ns, conf, container_id)
    att = cni.attach(conf, container_ns, ifname, container_id, version)
    add = att.add()
    if add.exit_code == 0:
        att.delete(add.result)
        return  # accepting it is allowed
    after = state(host_ns, container_ns, conf, container_id)
    assert add.failed_cleanly, f"a plugin may refuse {what}, but then with an error object (preferably code {code}):\n{add.describe()}"
    diff = changes(before, after)
    assert not diff, f"the refused ADD ({what}) changed state:\n{describe_changes(diff, after)}\n{add.describe()}"


def highest(listed: list[Any]) -> str | None:
    """The highest well-formed version in a VERSION answer's list."""
    good = [v for v in listed if isinstance(v, str) and SEMVER.match(v)]
    return max(good, key=versions.key) if good else None


def just_above(version: str) -> str:
    """The version one patch level above `version` (a version no plugin listing `version` as its newest supports)."""
    major, minor, patch = versions.key(version)
    return f"{major}.{minor}.{patch + 1}"


def supported_versions(cni: Runner) -> list[str]:
    return versions.listed(versions.ask(cni)) or []


def mentions_variable(err_text: str, variable: str) -> bool:
    """Whether an error message names the CNI_* variable: its full name, or for the names that
    are no English word (CONTAINERID, IFNAME, NETNS) the name without the prefix, any case.
    "interface name", "command" or "network namespace" do not name a variable: spec-v1.0.0
    code 4, "The error message must contain the variable name"."""
    text = err_text.lower()
    names = [variable.lower()]
    bare = variable.lower().removeprefix("cni_")
    if bare in ("containerid", "ifname", "netns"):
        names.append(bare)
    return any(re.search(rf"(?<![a-z0-9_]){re.escape(n)}(?![a-z0-9_])", text) for n in names)
