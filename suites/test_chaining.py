"""Chaining: a chained plugin handles prevResult, passes it on, and uses it on DEL and CHECK.

The fixtures run the base plugin (ptp) first and put its result in prevResult.
Here a dns section is added to that prevResult as well, so that every part of a
result (interfaces, ips, routes, dns) is there to be dropped by a careless plugin.
"""

from __future__ import annotations

import copy
import ipaddress
import json
from typing import Any

import pytest

from cnitest import checks

PREV_DNS = {"nameservers": ["10.88.0.53"], "domain": "cnitest.example", "search": ["cnitest.example"], "options": ["ndots:2"]}

pytestmark = pytest.mark.cni_kinds("chained")


@pytest.fixture
def chained_conf(netconf: dict[str, Any]) -> dict[str, Any]:
    """The chained plugin's config, with a prevResult that has every part of a result."""
    conf = copy.deepcopy(netconf)
    prev = conf.get("prevResult")
    if not isinstance(prev, dict):
        pytest.fail(f"the fixture built no prevResult for a chained plugin: {conf}")
    prev["dns"] = copy.deepcopy(PREV_DNS)
    return conf


@pytest.fixture
def chained(attach, chained_conf):
    """This test's attachment of the chained plugin (DELeted at the end if it was ADDed)."""
    return attach(chained_conf)


def _ip(value: Any) -> str:
    try:
        return str(ipaddress.ip_interface(value))
    except ValueError:
        return str(value)


def _route_key(r: dict[str, Any]) -> tuple[str, str | None]:
    dst = r.get("dst")
    try:
        dst = str(ipaddress.ip_network(dst, strict=False))
    except (ValueError, TypeError):
        pass
    gw = r.get("gw")
    return str(dst), str(ipaddress.ip_address(gw)) if isinstance(gw, str) else None


def dropped(prev: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """What of prevResult is missing from the output (interfaces, ips, routes, dns)."""
    missing = []
    p, o = checks.normalize(prev), checks.normalize(out)
    have_ifaces = {(i.get("name"), i.get("sandbox") or "") for i in o.interfaces}
    for n, iface in enumerate(p.interfaces):
        if (iface.get("name"), iface.get("sandbox") or "") not in have_ifaces:
            missing.append(f"interfaces[{n}] {iface.get('name')} (sandbox {iface.get('sandbox') or '-'})")
    have_ips = {_ip(ip.address) for ip in o.ips}
    for n, ip in enumerate(p.ips):
        if _ip(ip.address) not in have_ips:
            missing.append(f"ips[{n}] {ip.address}")
    have_routes = {_route_key(r) for r in o.routes}
    for n, r in enumerate(p.routes):
        if _route_key(r) not in have_routes:
            missing.append(f"routes[{n}] {r}")
    pdns, odns = prev.get("dns") or {}, out.get("dns") or {}
    for key in ("nameservers", "search", "options"):
        for value in pdns.get(key) or []:
            if value not in (odns.get(key) or []):
                missing.append(f"dns.{key} {value!r}")
    if pdns.get("domain") and odns.get("domain") != pdns["domain"]:
        missing.append(f"dns.domain {pdns['domain']!r}")
    return missing


def _comparable(result: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(result)
    doc.pop("cniVersion", None)
    if not doc.get("dns"):
        doc.pop("dns", None)  # Go prints "dns": {} for an empty section
    return doc


def _added(att):
    """`att` ADDed; the chained plugin must accept the prevResult it was given."""
    add = att.add()
    assert add.succeeded and add.result is not None, f"ADD with a prevResult must succeed:\n{add.describe()}"
    return add


@pytest.mark.cni_rule("chain.prevresult.handled")
def test_prevresult_handled(chained):
    add = chained.add()
    assert add.succeeded and add.result is not None, f"ADD with a prevResult must succeed (the plugin must handle prevResult):\n{add.describe()}"
    prev_ips = {_ip(ip.address) for ip in checks.normalize(chained.config["prevResult"]).ips}
    out_ips = {_ip(ip.address) for ip in checks.normalize(add.result).ips}
    assert prev_ips <= out_ips, (
        "the output must be derived from prevResult (passed through or modified), not made as if there were none; "
        f"prevResult has addresses {sorted(prev_ips)}, the output {sorted(out_ips)}:\n{add.describe()}"
    )


def _nothing_dropped(att, expectation):
    add = _added(att)
    missing = dropped(att.config["prevResult"], add.result)
    assert not missing, f"{expectation}; the output dropped:\n- " + "\n- ".join(missing) + f"\n{add.describe()}"


@pytest.mark.cni_rule("chain.prevresult.no-dropping")
def test_prevresult_nothing_dropped(chained):
    _nothing_dropped(chained, "from 1.0.0 a chained plugin must output prevResult with only its own changes: every interface, ip, route and dns entry stays")


@pytest.mark.cni_rule("chain.prevresult.echo-legacy")
def test_prevresult_echoed_legacy(chained):
    _nothing_dropped(chained, "at 0.3.x-0.4.0 a chained plugin should echo prevResult (or modify it)")


@pytest.mark.cni_rule("chain.prevresult.echo")
def test_prevresult_echoed(chained, container_ns, cni_version):
    """A plugin that changes nothing visible echoes prevResult; visible changes must be real (kernel-checked)."""
    add = _added(chained)
    prev, out = _comparable(chained.config["prevResult"]), _comparable(add.result)
    snap = container_ns.snapshot()
    # interface fields a chained plugin may legitimately change (tuning's mac/mtu): accept the
    # change when the kernel holds the new value; anything else must be echoed unchanged
    for pi, oi in zip(prev.get("interfaces") or [], out.get("interfaces") or []):
        if not (isinstance(pi, dict) and isinstance(oi, dict)):
            continue
        link = snap.link(str(oi.get("name"))) if oi.get("sandbox") else None
        for key in ("mac", "mtu"):
            if key in oi and oi.get(key) != pi.get(key) and link is not None:
                real = link.mac if key == "mac" else link.mtu
                if str(oi[key]).lower() == str(real).lower():
                    pi[key] = oi[key]
    extra_ifaces = (out.get("interfaces") or [])[len(prev.get("interfaces") or []):]
    if extra_ifaces:  # appended interfaces (bandwidth's ifb) are modifications, not echo failures
        out["interfaces"] = (out.get("interfaces") or [])[: len(prev.get("interfaces") or [])]
    assert out == prev, (
        f"at {cni_version} a chained plugin that changes nothing visible must output a result equivalent to prevResult;\n"
        f"prevResult: {json.dumps(prev, sort_keys=True)}\noutput:     {json.dumps(out, sort_keys=True)}"
    )


@pytest.mark.cni_rule("chain.prevresult.indexes-stable")
def test_interface_indexes_stable(chained):
    add = _added(chained)
    p, o = checks.normalize(chained.config["prevResult"]), checks.normalize(add.result)
    wrong = []
    for ip in o.ips:
        before = next((x for x in p.ips if _ip(x.address) == _ip(ip.address)), None)
        if before is None or before.interface is None or ip.interface is None:
            continue
        want = p.interfaces[before.interface].get("name") if before.interface < len(p.interfaces) else None
        got = o.interfaces[ip.interface].get("name") if 0 <= ip.interface < len(o.interfaces) else None
        if want != got:
            wrong.append(f"{ip.address}: interface index {ip.interface} now names {got!r}, in prevResult it named {want!r}")
    assert not wrong, "interfaces appended by a chained plugin must not move existing ones:\n- " + "\n- ".join(wrong)


@pytest.mark.cni_rule("chain.prevresult.del-accepted")
def test_del_with_prevresult(chained):
    _added(chained)
    rm = chained.delete()
    assert rm.succeeded, f"DEL with the final ADD result as prevResult should succeed:\n{rm.describe()}"


@pytest.mark.cni_versions(min="0.4.0")
@pytest.mark.cni_rule("check.after-add-succeeds")
def test_check_with_chained_result(chained, cni_version):
    _added(chained)
    chk = chained.check()
    assert chk.succeeded, f"CHECK right after ADD, with that ADD's output as prevResult, must succeed at {cni_version}:\n{chk.describe()}"
