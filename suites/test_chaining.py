"""Chaining: a chained plugin handles prevResult, passes it on, and uses it on DEL and CHECK.

The fixtures run the base plugin (ptp) first and put its result in prevResult.
Here a dns section is added to that prevResult as well, so that every part of a
result (interfaces, ips, routes, dns) is there to be dropped by a careless plugin.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from cnitest import Result

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


def dropped(prev: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """What of prevResult is missing from the output (interfaces, ips, routes, dns)."""
    p, o = Result.read(prev), Result.read(out)
    have_ifaces = {(i.name, i.sandbox or "") for i in o.interfaces}
    missing = [f"interfaces[{n}] {i.name} (sandbox {i.sandbox or '-'})" for n, i in enumerate(p.interfaces)
               if (i.name, i.sandbox or "") not in have_ifaces]
    have_ips = {ip.address for ip in o.ips}
    missing += [f"ips[{n}] {ip.address}" for n, ip in enumerate(p.ips) if ip.address not in have_ips]
    have_routes = {(r.dst, r.gw) for r in o.routes}
    missing += [f"routes[{n}] {r.dst} via {r.gw or '-'}" for n, r in enumerate(p.routes) if (r.dst, r.gw) not in have_routes]
    for key in ("nameservers", "search", "options"):
        missing += [f"dns.{key} {value!r}" for value in getattr(p.dns, key) if value not in getattr(o.dns, key)]
    if p.dns.domain and o.dns.domain != p.dns.domain:
        missing.append(f"dns.domain {p.dns.domain!r}")
    return missing


def _comparable(result: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(result)
    doc.pop("cniVersion", None)
    if not doc.get("dns"):
        doc.pop("dns", None)  # Go prints "dns": {} for an empty section
    return doc


ACCEPTS_PREV = "ADD with a prevResult must succeed"  # every test here judges an ADD given prevResult


@pytest.mark.cni_rule("chain.prevresult.handled")
def test_prevresult_handled(chained):
    add = chained.add()
    assert add.succeeded and add.result is not None, f"ADD with a prevResult must succeed (the plugin must handle prevResult):\n{add.describe()}"
    prev_ips = {str(ip.address) for ip in Result.read(chained.config["prevResult"]).ips}
    out_ips = {str(ip.address) for ip in Result.read(add.result).ips}
    assert prev_ips <= out_ips, (
        "the output must be derived from prevResult (passed through or modified), not made as if there were none; "
        f"prevResult has addresses {sorted(prev_ips)}, the output {sorted(out_ips)}:\n{add.describe()}"
    )


def _nothing_dropped(att, expectation):
    add = att.add()
    assert add.succeeded and add.result is not None, f"{ACCEPTS_PREV}:\n{add.describe()}"
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
    add = chained.add()
    assert add.succeeded and add.result is not None, f"{ACCEPTS_PREV}:\n{add.describe()}"
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
    add = chained.add()
    assert add.succeeded and add.result is not None, f"{ACCEPTS_PREV}:\n{add.describe()}"
    p, o = Result.read(chained.config["prevResult"]), Result.read(add.result)
    wrong = []
    for ip in o.ips:
        before = next((x for x in p.ips if x.address == ip.address), None)
        if before is None or before.interface is None or ip.interface is None:
            continue
        want, got = p.interface_of(before), o.interface_of(ip)
        if (want and want.name) != (got and got.name):
            wrong.append(f"{ip.address}: interface index {ip.interface} now names {got and got.name!r}, "
                         f"in prevResult it named {want and want.name!r}")
    assert not wrong, "interfaces appended by a chained plugin must not move existing ones:\n- " + "\n- ".join(wrong)


@pytest.mark.cni_rule("chain.prevresult.del-accepted")
def test_del_with_prevresult(chained):
    add = chained.add()
    assert add.succeeded and add.result is not None, f"{ACCEPTS_PREV}:\n{add.describe()}"
    rm = chained.delete()
    assert rm.succeeded, f"DEL with the final ADD result as prevResult should succeed:\n{rm.describe()}"


@pytest.mark.cni_versions(min="0.4.0")
@pytest.mark.cni_rule("check.after-add-succeeds")
def test_check_with_chained_result(chained, cni_version):
    add = chained.add()
    assert add.succeeded and add.result is not None, f"{ACCEPTS_PREV}:\n{add.describe()}"
    chk = chained.check()
    assert chk.succeeded, f"CHECK right after ADD, with that ADD's output as prevResult, must succeed at {cni_version}:\n{chk.describe()}"
