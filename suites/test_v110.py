"""What spec 1.1.0 added: optional result fields, STATUS error codes, and the
refusal of GC and STATUS at older versions.

The optional fields (interfaces[].mtu/socketPath/pciID, routes[].mtu/advmss/
priority/table/scope) are judged only when a plugin gives them; giving none is
fine. Go plugins 1.1.1 speak at most 1.0.0, so the 1.1.0 tests run only against
1.1.0 plugins; the old-version tests run on everything up to 1.0.0.
"""

from __future__ import annotations

import copy
import ipaddress
import socket
from typing import Any

import pytest

from cnitest import checks, config, netns
from cnitest.attachment import BlockedBy, require


def _non_negative_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@pytest.mark.cni_rule("add.result.interface-mtu")
def test_interface_mtu_is_the_link_mtu(attachment, container_ns, host_ns, cni_ifname):
    add = attachment.add_or_block()
    interfaces = [i if isinstance(i, dict) else {} for i in add.result.get("interfaces") or []]
    snaps = {"container": container_ns.snapshot(), "host": host_ns.snapshot()}
    inside, outside = checks.located_interfaces(add.result, snaps["container"], snaps["host"], cni_ifname)
    where = {i: "container" for i in inside} | {i: "host" for i in outside}
    wrong = []
    for i, iface in enumerate(interfaces):
        if "mtu" not in iface:
            continue
        mtu = iface["mtu"]
        if not _non_negative_int(mtu):
            wrong.append(f"interfaces[{i}].mtu is {mtu!r}, not a non-negative integer")
            continue
        if i in where:
            link = snaps[where[i]].link(iface["name"])
            if link is not None and link.mtu is not None and mtu != link.mtu:
                wrong.append(f"interfaces[{i}] {iface['name']} ({where[i]}) reports mtu {mtu}, the link has {link.mtu}")
    assert not wrong, "an interface's mtu, when given, is a non-negative integer equal to the link's MTU:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("add.result.interface-mtu-present")
def test_interface_entries_give_their_mtu(attachment, container_ns, host_ns, cni_ifname):
    """Presence only (SHOULD, 'if applicable'); whether a given mtu is right is add.result.interface-mtu."""
    add = attachment.add_or_block()
    interfaces = [i if isinstance(i, dict) else {} for i in add.result.get("interfaces") or []]
    inside, outside = checks.located_interfaces(add.result, container_ns.snapshot(), host_ns.snapshot(), cni_ifname)
    if not inside and not outside:
        pytest.skip("not applicable: the result lists no interface found as a link in either namespace")
    missing = [f"interfaces[{i}] {interfaces[i].get('name')!r}" for i in sorted({*inside, *outside}) if "mtu" not in interfaces[i]]
    assert not missing, "from 1.1.0 an interface entry of a link the attachment created gives its mtu; these do not:" + checks.listing(missing) + f"\n{add.describe()}"


@pytest.mark.cni_rule("add.result.interface-optional-fields")
def test_interface_socket_path_and_pci_id(attachment):
    add = attachment.add_or_block()
    wrong = []
    for i, iface in enumerate(add.result.get("interfaces") or []):
        if not isinstance(iface, dict):
            continue
        if "socketPath" in iface and not (isinstance(iface["socketPath"], str) and iface["socketPath"].startswith("/")):
            wrong.append(f"interfaces[{i}].socketPath is {iface['socketPath']!r}, not an absolute path")
        if "pciID" in iface and not isinstance(iface["pciID"], str):
            wrong.append(f"interfaces[{i}].pciID is {iface['pciID']!r}, not a string")
    assert not wrong, "interfaces[].socketPath, when given, is an absolute path and pciID a string:" + checks.listing(wrong) + f"\n{add.describe()}"


EXTENDED_ROUTE_FIELDS = ("mtu", "advmss", "priority", "table", "scope")


@pytest.mark.cni_rule("route.result.extended-fields")
def test_route_extended_fields(attachment):
    add = attachment.add_or_block()
    wrong = []
    for n, route in enumerate(add.result.get("routes") or []):
        if not isinstance(route, dict):
            continue
        wrong += [f"routes[{n}].{k} is {route[k]!r}, not a non-negative integer" for k in EXTENDED_ROUTE_FIELDS
                  if k in route and not _non_negative_int(route[k])]
    assert not wrong, f"route fields {', '.join(EXTENDED_ROUTE_FIELDS)}, when given, are non-negative integers:" + checks.listing(wrong) + f"\n{add.describe()}"


REQUESTED_ROUTE = {"dst": "198.51.100.0/24", "priority": 50, "mtu": 1300, "advmss": 1260, "scope": 0}
"""A route (TEST-NET-2) asked of host-local style IPAM with every 1.1.0 field but table (a gateway in
another table is a routing-policy question, not this rule's); what the result then gives is judged."""


def _kernel_view(field: str, value: int, family: int) -> int | None:
    """A result's value as the kernel stores it: table 0 is main, mtu/advmss 0 are unset,
    an IPv6 route of priority 0 gets 1024."""
    if field == "table" and value == 0:
        return 254
    if field in ("mtu", "advmss") and value == 0:
        return None
    if field == "priority" and value == 0 and family == socket.AF_INET6:
        return 1024
    return value


def _installed(route: netns.Route, field: str) -> int | None:
    value = getattr(route, field)
    return 0 if field == "priority" and value is None else value


def _route_field_mismatches(result: dict[str, Any], snap: netns.Snapshot) -> tuple[list[str], int]:
    """(mismatches, how many route entries with 1.1.0 fields were compared with an installed route)."""
    wrong, compared = [], 0
    for n, route in enumerate(result.get("routes") or []):
        if not isinstance(route, dict) or not isinstance(route.get("dst"), str):
            continue
        given = {k: route[k] for k in EXTENDED_ROUTE_FIELDS if k in route and _non_negative_int(route[k])}
        if not given:
            continue
        try:
            dst = ipaddress.ip_network(route["dst"], strict=False)
            gw = ipaddress.ip_address(route["gw"]) if route.get("gw") else None
        except ValueError:
            continue  # route.result.shape's finding
        family = socket.AF_INET6 if dst.version == 6 else socket.AF_INET
        candidates = [r for r in snap.routes if r.family == family and ipaddress.ip_network(r.dst, strict=False) == dst
                      and (gw is None or (r.gateway is not None and ipaddress.ip_address(r.gateway) == gw))]
        if not candidates:
            continue  # not installed at all: route.installed
        compared += 1
        want = {k: _kernel_view(k, v, family) for k, v in given.items()}
        if any(all(_installed(r, k) == v for k, v in want.items()) for r in candidates):
            continue
        seen = "; ".join(", ".join(f"{k} {_installed(r, k)}" for k in want) for r in candidates)
        wrong.append(f"routes[{n}] {route['dst']} gives {given}, the kernel holds it with {seen}")
    return wrong, compared


@pytest.mark.cni_kinds("interface")
@pytest.mark.cni_rule("route.result.extended-fields-kernel")
def test_route_extended_fields_match_the_kernel(attach, netconf, container_ns, cni_container_id):
    """Ask host-local style IPAM for a route with the 1.1.0 fields; every field the result then
    gives must be the installed route's. A plugin that gives none has nothing to judge."""
    conf = copy.deepcopy(netconf)
    ipam = config.ipam_section(conf)
    asked = ipam is not None and isinstance(ipam.get("ranges"), list)
    if asked:
        ipam["routes"] = [*(ipam.get("routes") or []), dict(REQUESTED_ROUTE)]
    add = attach(conf).add()
    if asked and not add.succeeded:
        plain = attach(netconf, container_id=cni_container_id + "-plain").add()
        require(plain, what="ADD with the profile's own config")  # a plain ADD failing too blocks the test
        pytest.skip(f"not applicable: the plugin refused the requested route {REQUESTED_ROUTE} (no rule makes it take one):\n{add.describe()}")
    require(add)
    wrong, compared = _route_field_mismatches(add.result, container_ns.snapshot())
    assert not wrong, (
        "a route's table, priority, mtu, advmss and scope, when the result gives them, are the installed route's:"
        + checks.listing(wrong) + f"\ncontainer:\n{container_ns.snapshot().describe()}\n{add.describe()}"
    )


@pytest.mark.cni_rule("error.code.status-unavailable")
def test_failing_status_uses_code_50_or_51(cni, attach, cni_target, netconf_factory, cni_version):
    """STATUS is made to fail the one way a black box allows: its address pool is exhausted."""
    conf = netconf_factory(cni_version, prev_result=False)
    ipam = config.ipam_section(conf)
    if cni_target.profile.kind == "chained" or ipam is None or not isinstance(ipam.get("ranges"), list):
        pytest.skip("not applicable: STATUS is made to fail by exhausting a host-local style 'ranges' pool")
    ipam["ranges"] = [[{"subnet": "10.88.7.0/30"}]]  # .1 is the gateway, .2 the only address to hand out
    ipam["routes"] = []
    with attach(conf) as att:
        att.add_or_block(what="ADD of the pool's only address")
        st = cni.invoke("STATUS", conf, None, None, None)
    if st.exit_code == 0:
        raise BlockedBy("status.exhausted-fails", f"STATUS did not fail with the pool exhausted, so no code to judge:\n{st.describe()}")
    if not st.failed_cleanly:
        raise BlockedBy("error.json.on-stdout", f"the failing STATUS printed no error object, so no code to read:\n{st.describe()}")
    assert st.error.code in (50, 51), (
        f"the pool is exhausted, so the plugin cannot serve ADD: STATUS should fail with code 50 (or 51 when existing "
        f"containers lose connectivity), it used {st.error.code}:\n{st.describe()}"
    )


def _old_verb(cni, netconf_factory, cni_version, verb, cni_container_id, cni_ifname):
    conf = copy.deepcopy(netconf_factory(cni_version, prev_result=False))
    if verb == "GC":
        conf["cni.dev/valid-attachments"] = conf["cni.dev/attachments"] = [{"containerID": cni_container_id, "ifname": cni_ifname}]
    return cni.invoke(verb, conf, None, None, None)


@pytest.mark.cni_rule("gc.old-version-rejected")
def test_gc_refused_below_1_1_0(cni, netconf_factory, cni_version, cni_container_id, cni_ifname):
    inv = _old_verb(cni, netconf_factory, cni_version, "GC", cni_container_id, cni_ifname)
    assert inv.exit_code not in (0, None), f"GC does not exist at {cni_version} (it came with 1.1.0); a GC request at {cni_version} should fail, but it succeeded:\n{inv.describe()}"
    assert inv.failed_cleanly, f"GC at {cni_version} should fail with an error object on stdout:\n{inv.describe()}"


@pytest.mark.cni_rule("status.old-version-rejected")
def test_status_refused_below_1_1_0(cni, netconf_factory, cni_version, cni_container_id, cni_ifname):
    inv = _old_verb(cni, netconf_factory, cni_version, "STATUS", cni_container_id, cni_ifname)
    assert inv.exit_code not in (0, None), f"STATUS does not exist at {cni_version} (it came with 1.1.0); a STATUS request at {cni_version} should fail, but it succeeded:\n{inv.describe()}"
    assert inv.failed_cleanly, f"STATUS at {cni_version} should fail with an error object on stdout:\n{inv.describe()}"
