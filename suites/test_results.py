"""The ADD result: its shape at the requested spec version, and its truth.

Shape: stdout holds one JSON document, in the requested version's layout
(0.1.0/0.2.0 ip4/ip6; 0.3.x-0.4.0 interfaces/ips with ips[].version; 1.0.0 on
without it), with the request's cniVersion, ips[].interface indexes into
interfaces, and sandbox = CNI_NETNS on container interfaces. IPAM plugins get
the abbreviated IPAM result instead.

Truth: what the result reports is in the kernel (MACs, addresses, routes),
cross-checked against pyroute2 snapshots of the container and host namespaces.
"""

from __future__ import annotations

import json

import pytest

from cnitest import checks, ipaddr, versions
from cnitest.result import Result

# --- stdout and the envelope --------------------------------------------------


@pytest.mark.cni_rule("add.result.stdout")
def test_add_prints_a_result(attachment):
    inv = attachment.add()
    assert inv.exit_code == 0, f"a successful ADD exits 0 and prints its result; this one did not succeed:\n{inv.describe()}"
    assert not inv.problems and isinstance(inv.result, dict), (
        f"ADD exited 0, so the spec expects a result object on stdout; got something else:\n{inv.describe()}"
    )


@pytest.mark.cni_rule("io.stdout.single-json")
def test_stdout_is_one_json_document(attachment, cni_version):
    add = attachment.add()
    calls = [add]
    if add.exit_code == 0 and isinstance(add.document, dict):
        if versions.has_check(cni_version):
            calls.append(attachment.check(add.result))
        calls.append(attachment.delete(add.result))
    for inv in calls:
        text = inv.stdout.decode("utf-8", "replace")
        if not text.strip():
            assert inv.verb != "ADD" or inv.exit_code != 0, f"ADD succeeded with an empty stdout:\n{inv.describe()}"
            continue
        try:
            json.loads(text)
        except ValueError as exc:
            pytest.fail(
                f"the spec expects stdout to be exactly one JSON document (logs belong on stderr); "
                f"{inv.verb}'s stdout is not ({exc}):\n{inv.describe()}"
            )
        assert not inv.problems, f"{inv.verb}'s stdout is not one well-formed JSON document:\n{inv.describe()}"


@pytest.mark.cni_rule("add.result.cniversion-matches")
def test_result_cniversion_is_the_requested_one(attachment, cni_version):
    add = attachment.add_or_block()
    got = add.result.get("cniVersion")
    assert got == cni_version, f"the result's cniVersion must equal the request's {cni_version!r}; the plugin answered {got!r}:\n{add.describe()}"


# --- shape per version ---------------------------------------------------------


@pytest.mark.cni_rule("add.result.legacy-shape")
def test_legacy_result_shape(attachment, cni_version):
    add = attachment.add_or_block()
    extra = [k for k in ("interfaces", "ips") if k in add.result]
    assert not extra, f"a {cni_version} result has ip4/ip6 objects and no {' or '.join(extra)} list:\n{add.describe()}"
    assert add.valid, f"the result is not in the {cni_version} shape (ip4/ip6 with ip, gateway, routes):\n{add.describe()}"


@pytest.mark.cni_rule("add.result.interfaces")
def test_result_interfaces_shape(attachment, cni_version):
    add = attachment.add_or_block()
    interfaces = add.result.get("interfaces")
    assert isinstance(interfaces, list), f"a {cni_version} result has an interfaces list; the plugin gave {interfaces!r}:\n{add.describe()}"
    wrong = []
    for i, iface in enumerate(interfaces):
        if not isinstance(iface, dict) or not isinstance(iface.get("name"), str):
            wrong.append(f"interfaces[{i}] has no string name: {iface!r}")
            continue
        wrong += [f"interfaces[{i}].{k} is not a string: {iface[k]!r}" for k in ("mac", "sandbox") if k in iface and not isinstance(iface[k], str)]
    wrong += checks.schema_errors_at(add.schema_errors, "interfaces")
    assert not wrong, f"interfaces entries are {{name, mac?, sandbox?}} of strings at {cni_version}:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("add.result.ips-shape")
def test_result_ips_shape(attachment, cni_version):
    add = attachment.add_or_block()
    ips = add.result.get("ips", [])
    assert isinstance(ips, list), f"ips must be a list at {cni_version}; the plugin gave {ips!r}:\n{add.describe()}"
    wrong = []
    for n, ip in enumerate(ips):
        address = ip.get("address") if isinstance(ip, dict) else None
        if not ipaddr.is_cidr(address):
            wrong.append(f"ips[{n}].address {address!r} is not an address with a prefix length")
            continue
        gateway = ip.get("gateway")
        if gateway is not None and not (ipaddr.is_ip(gateway) and ipaddr.family(gateway) == ipaddr.family(address)):
            wrong.append(f"ips[{n}].gateway {gateway!r} is not a plain IPv{ipaddr.family(address)} address")
    wrong += checks.schema_errors_at(add.schema_errors, "ips", but=(".version", ".interface"))
    assert not wrong, "each ips entry is an address in CIDR form with an optional plain gateway of its family:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("add.result.ips-version")
def test_ips_carry_version(attachment, cni_version):
    add = attachment.add_or_block()
    wrong = []
    for n, ip in enumerate(add.result.get("ips") or []):
        if not isinstance(ip, dict):
            continue
        version = ip.get("version")
        if version not in ("4", "6"):
            wrong.append(f"ips[{n}].version is {version!r}, not '4' or '6'")
        elif ipaddr.is_cidr(ip.get("address")) and ipaddr.family(ip["address"]) != int(version):
            wrong.append(f"ips[{n}].version {version!r} disagrees with address {ip['address']}")
    assert not wrong, f"at {cni_version} every ips entry carries version '4' or '6' matching its address:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("add.result.ips-version-dropped")
def test_ips_carry_no_version(attachment, cni_version):
    add = attachment.add_or_block()
    stray = [n for n, ip in enumerate(add.result.get("ips") or []) if isinstance(ip, dict) and "version" in ip]
    assert not stray, f"from 1.0.0 ips entries have no version field; the {cni_version} result has one in ips{stray}:\n{add.describe()}"


@pytest.mark.cni_rule("add.result.ips-interface-index")
def test_ips_interface_indexes_point_into_interfaces(attachment):
    add = attachment.add_or_block()
    interfaces = add.result.get("interfaces")
    count = len(interfaces) if isinstance(interfaces, list) else 0
    wrong = []
    for n, ip in enumerate(add.result.get("ips") or []):
        if not isinstance(ip, dict) or "interface" not in ip:
            continue
        index = ip["interface"]
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count:
            wrong.append(f"ips[{n}].interface is {index!r}, but interfaces has {count} entries")
    assert not wrong, "ips[].interface is an index into the interfaces list:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("add.result.ips-interface-filled")
def test_container_addresses_name_their_interface(attachment, container_ns, cni_ifname):
    add = attachment.add_or_block()
    snap = container_ns.snapshot()
    interfaces = add.result.get("interfaces") or []
    wrong = []
    for n, ip in enumerate(add.result.get("ips") or []):
        if not isinstance(ip, dict) or not ipaddr.is_cidr(ip.get("address")) or not snap.has_address(cni_ifname, ip["address"]):
            continue
        index = ip.get("interface")
        named = interfaces[index].get("name") if isinstance(index, int) and 0 <= index < len(interfaces) and isinstance(interfaces[index], dict) else None
        if named != cni_ifname:
            wrong.append(f"ips[{n}] {ip['address']} is on {cni_ifname} in the container, but its interface index is {index!r} (-> {named!r})")
    assert not wrong, "addresses on the container interface should carry the index of that interface:" + checks.listing(wrong) + f"\n{add.describe()}"


# --- sandbox and interfaces against the kernel ---------------------------------


@pytest.mark.cni_rule("add.result.sandbox-present")
def test_container_interfaces_carry_sandbox(attachment, container_ns, host_ns, cni_ifname):
    add = attachment.add_or_block()
    inside, _ = checks.located_interfaces(add.result, container_ns.snapshot(), host_ns.snapshot(), cni_ifname)
    interfaces = add.result.get("interfaces") or []
    names = [interfaces[i].get("name") for i in inside]
    assert inside, f"the result lists no interface that is in the container (expected at least {cni_ifname!r}):\n{add.describe()}"
    wrong = [f"interfaces[{i}] {interfaces[i].get('name')!r} is in the container but has sandbox {interfaces[i].get('sandbox')!r}"
             for i in inside if not interfaces[i].get("sandbox")]
    assert not wrong, f"interfaces in the container ({', '.join(map(str, names))}) must carry a sandbox:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("add.result.sandbox-equals-netns")
def test_sandbox_is_cni_netns(attachment, container_ns, host_ns, cni_ifname):
    add = attachment.add_or_block()
    inside, _ = checks.located_interfaces(add.result, container_ns.snapshot(), host_ns.snapshot(), cni_ifname)
    interfaces = add.result.get("interfaces") or []
    wrong = [f"interfaces[{i}] {interfaces[i].get('name')!r}: sandbox {interfaces[i].get('sandbox')!r}"
             for i in inside if interfaces[i].get("sandbox") != container_ns.path]
    assert not wrong, f"the sandbox of a container interface should be the CNI_NETNS value {container_ns.path!r}:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("add.result.host-interface-no-sandbox")
def test_host_interfaces_have_no_sandbox(attachment, container_ns, host_ns, cni_ifname):
    add = attachment.add_or_block()
    _, outside = checks.located_interfaces(add.result, container_ns.snapshot(), host_ns.snapshot(), cni_ifname)
    interfaces = add.result.get("interfaces") or []
    wrong = [f"interfaces[{i}] {interfaces[i].get('name')!r} is in the host namespace but has sandbox {interfaces[i].get('sandbox')!r}"
             for i in outside if interfaces[i].get("sandbox")]
    assert not wrong, "host-side interfaces have an empty or absent sandbox:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("add.result.interfaces-all")
def test_interfaces_cover_what_add_created(attachment, host_ns, container_ns, cni_ifname):
    before = {link.name for link in host_ns.snapshot().links}
    add = attachment.add_or_block()
    created = sorted({link.name for link in host_ns.snapshot().links} - before)
    if container_ns.snapshot().link(cni_ifname) is not None:
        created.append(cni_ifname)
    listed = {i.get("name") for i in add.result.get("interfaces") or [] if isinstance(i, dict)}
    missing = [name for name in created if name not in listed]
    assert not missing, (
        f"the interfaces list must cover every interface the attachment created; ADD made {created}, "
        f"the result leaves out {missing}:\n{add.describe()}"
    )


def _macs(add, container_ns, host_ns, cni_ifname):
    """(where, index, link, mac given) for every result interface found in a namespace."""
    snaps = {"container": container_ns.snapshot(), "host": host_ns.snapshot()}
    inside, outside = checks.located_interfaces(add.result, snaps["container"], snaps["host"], cni_ifname)
    interfaces = add.result.get("interfaces") or []
    return [(where, i, snaps[where].link(interfaces[i]["name"]), interfaces[i].get("mac"))
            for where, indexes in (("container", inside), ("host", outside)) for i in indexes]


@pytest.mark.cni_rule("add.result.mac")
def test_reported_macs_are_real(attachment, container_ns, host_ns, cni_ifname):
    add = attachment.add_or_block()
    wrong = [f"interfaces[{i}] {link.name} ({where}) has MAC {link.mac}, the result says {mac!r}"
             for where, i, link, mac in _macs(add, container_ns, host_ns, cni_ifname)
             if mac is not None and (not isinstance(mac, str) or not link.mac or mac.lower() != link.mac.lower())]
    assert not wrong, "each mac the result gives must be the interface's real link-layer address:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("add.result.mac-present")
def test_container_interface_gives_its_mac(attachment, container_ns, host_ns, cni_ifname):
    add = attachment.add_or_block()
    wrong = [f"interfaces[{i}] {link.name} has link address {link.mac} but the result gives no mac"
             for where, i, link, mac in _macs(add, container_ns, host_ns, cni_ifname)
             if mac is None and where == "container" and link.mac and link.mac != "00:00:00:00:00:00"]
    assert not wrong, "a container interface with a link-layer address should give it as mac:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("add.result.ips-configured")
def test_reported_addresses_are_configured(attachment, container_ns, cni_ifname):
    add = attachment.add_or_block()
    snap = container_ns.snapshot()
    wrong = checks.address_mismatches(add.result, snap, cni_ifname, container_ns.path)
    assert not wrong, "addresses the result puts on the container interface should be configured there:" + checks.listing(wrong) + f"\ncontainer:\n{snap.describe()}\n{add.describe()}"


# --- routes --------------------------------------------------------------------


def _routes(result):
    routes = result.get("routes", [])
    return routes if isinstance(routes, list) else None


@pytest.mark.cni_rule("route.result.shape")
def test_route_entries_shape(attachment):
    add = attachment.add_or_block()
    routes = _routes(add.result)
    assert routes is not None, f"routes must be a list:\n{add.describe()}"
    wrong = []
    for n, route in enumerate(routes):
        if not isinstance(route, dict) or not ipaddr.is_cidr(route.get("dst")):
            wrong.append(f"routes[{n}] has no dst in CIDR form: {route!r}")
        elif "gw" in route and not ipaddr.is_ip(route["gw"]):
            wrong.append(f"routes[{n}].gw {route['gw']!r} is not a plain IP address")
    wrong += checks.schema_errors_at(add.schema_errors, "routes")
    assert not wrong, "each routes entry has dst in CIDR form and an optional plain gw:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("route.result.same-family")
def test_route_dst_and_gw_share_a_family(attachment, cni_version):
    add = attachment.add_or_block()
    wrong = [f"routes[{n}] {r['dst']} via {r['gw']}" for n, r in enumerate(_routes(add.result) or [])
             if isinstance(r, dict) and ipaddr.is_cidr(r.get("dst")) and ipaddr.is_ip(r.get("gw"))
             and ipaddr.family(r["dst"]) != ipaddr.family(r["gw"])]
    assert not wrong, f"at {cni_version} dst and gw of a route are of one IP family:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("route.installed")
def test_reported_routes_are_installed(attachment, container_ns):
    add = attachment.add_or_block()
    snap = container_ns.snapshot()
    wrong = checks.route_mismatches(add.result, snap)
    assert not wrong, "routes in the result should exist in the container after ADD:" + checks.listing(wrong) + f"\ncontainer:\n{snap.describe()}\n{add.describe()}"


# --- IPAM results -----------------------------------------------------------------


@pytest.mark.cni_rule("ipam.result.shape")
def test_ipam_result_shape(attachment, cni_version):
    add = attachment.add_or_block()
    ips = add.result.get("ips")
    wrong = [] if isinstance(ips, list) else [f"ips is {ips!r}, not a list"]
    for n, ip in enumerate(ips if isinstance(ips, list) else []):
        if not isinstance(ip, dict) or not ipaddr.is_cidr(ip.get("address")):
            wrong.append(f"ips[{n}] has no address in CIDR form: {ip!r}")
        elif "gateway" in ip and not ipaddr.is_ip(ip["gateway"]):
            wrong.append(f"ips[{n}].gateway {ip['gateway']!r} is not a plain IP address")
    wrong += checks.schema_errors_at(add.schema_errors, "ips", "routes", "dns", but=(".version", ".interface"))
    assert not wrong, f"an IPAM result at {cni_version} has an ips list (CIDR address, optional gateway), optional routes and dns:" + checks.listing(wrong) + f"\n{add.describe()}"


def _ipam_interface_fields(result):
    wrong = ["it has an interfaces list"] if "interfaces" in result else []
    wrong += [f"ips[{n}] has interface {ip['interface']!r}" for n, ip in enumerate(result.get("ips") or []) if isinstance(ip, dict) and "interface" in ip]
    return wrong


@pytest.mark.cni_rule("ipam.result.abbreviated")
def test_ipam_result_is_abbreviated(attachment, cni_version):
    add = attachment.add_or_block()
    wrong = _ipam_interface_fields(add.result)
    assert not wrong, f"from 1.0.0 an IPAM result has no interfaces and no ips[].interface; at {cni_version}:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("ipam.result.no-interfaces")
def test_ipam_result_leaves_out_interfaces(attachment, cni_version):
    add = attachment.add_or_block()
    wrong = _ipam_interface_fields(add.result)
    assert not wrong, f"at {cni_version} an IPAM result should leave out interfaces and ips[].interface:" + checks.listing(wrong) + f"\n{add.describe()}"


@pytest.mark.cni_rule("ipam.determines-ip")
def test_ipam_hands_out_an_address(attachment):
    add = attachment.add_or_block()
    res = Result.read(add.result)  # an address in the wrong form is one handed out too: its form is the schema tests' finding
    assert res.ips or res.unreadable_at("ip"), f"a successful IPAM ADD should return at least one address:\n{add.describe()}"
