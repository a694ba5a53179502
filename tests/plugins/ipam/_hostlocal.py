"""A small host-local look-alike with switchable faults, for the IPAM property tests.

Each executable next to this file runs main() with one fault. Stdlib only.
State: one file per reserved address under <dataDir>/<network name>/, holding
"<container id>\\n<ifname>", like the Go plugin.
"""

import fcntl
import ipaddress
import json
import os
import sys
import time

VERSIONS = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0"]


class Fail(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code, self.msg = code, msg


def _key(v):
    return tuple(int(p) for p in v.split("."))


def _range(entry, fault):
    try:
        subnet = ipaddress.ip_network(entry["subnet"], strict=True)
    except (KeyError, ValueError, TypeError) as exc:
        raise Fail(7, f"invalid subnet {entry.get('subnet')!r}: {exc}") from None
    if subnet.prefixlen > subnet.max_prefixlen - 2:
        raise Fail(7, f"network {subnet} too small to allocate from")
    first = subnet.network_address + 1
    last = subnet.broadcast_address - 1 if subnet.version == 4 else subnet.broadcast_address
    if fault == "hands-out-network":
        first, last = subnet.network_address, subnet.broadcast_address
    try:
        start = ipaddress.ip_address(entry["rangeStart"]) if entry.get("rangeStart") else first
        end = ipaddress.ip_address(entry["rangeEnd"]) if entry.get("rangeEnd") else last
        gw = ipaddress.ip_address(entry["gateway"]) if entry.get("gateway") else subnet.network_address + 1
    except ValueError as exc:
        raise Fail(7, str(exc)) from None
    for name, a in (("rangeStart", start), ("rangeEnd", end)):
        if a.version != subnet.version or a not in subnet:
            raise Fail(7, f"{name} {a} not in network {subnet}")
    if gw.version != subnet.version or gw not in subnet:
        raise Fail(7, f"gateway {gw} not in network {subnet}")
    if end < start:
        raise Fail(7, f"rangeEnd {end} before rangeStart {start}")
    if fault == "ignores-range":
        start, end = subnet.network_address + 1, last
    return {"subnet": subnet, "start": start, "end": end, "gw": gw}


def _sets(conf, fault):
    ipam = conf.get("ipam")
    if not isinstance(ipam, dict):
        raise Fail(7, "IPAM config missing 'ipam' key")
    raw = []
    if ipam.get("subnet"):
        raw.append([{k: ipam[k] for k in ("subnet", "rangeStart", "rangeEnd", "gateway") if k in ipam}])
    raw += ipam.get("ranges") or []
    if not raw:
        raise Fail(7, "no IP ranges specified")
    sets = [[_range(e, fault) for e in rs] for rs in raw]
    flat = [r for rs in sets for r in rs]
    for i, a in enumerate(flat):
        for b in flat[i + 1:]:
            if a["subnet"].version == b["subnet"].version and a["start"] <= b["end"] and b["start"] <= a["end"]:
                raise Fail(7, f"ranges {a['start']}-{a['end']} and {b['start']}-{b['end']} overlap")
    fams = [rs[0]["subnet"].version for rs in sets]
    if _key(conf.get("cniVersion", "0.1.0")) < (0, 3, 0) and len(fams) != len(set(fams)):
        raise Fail(7, "more than one address per family needs 0.3.0")
    return sets, ipam


def _result(version, ips, routes):
    if _key(version) < (0, 3, 0):
        out = {"cniVersion": version}
        for fam, key in ((4, "ip4"), (6, "ip6")):
            for cidr, gw in ips:
                if ipaddress.ip_interface(cidr).version == fam:
                    block = {"ip": cidr, "gateway": gw}
                    rts = [r for r in routes if ipaddress.ip_network(r["dst"]).version == fam]
                    if rts:
                        block["routes"] = rts
                    out[key] = block
        return out
    entries = []
    for cidr, gw in ips:
        e = {"address": cidr, "gateway": gw}
        if _key(version) < (1, 0, 0):
            e["version"] = str(ipaddress.ip_interface(cidr).version)
        entries.append(e)
    return {"cniVersion": version, "ips": entries, "routes": routes, "dns": {}}


def _owner(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def main(fault=None):
    cmd = os.environ.get("CNI_COMMAND", "")
    cid, ifname = os.environ.get("CNI_CONTAINERID", ""), os.environ.get("CNI_IFNAME", "")
    version = "1.0.0"
    try:
        if cmd == "VERSION":
            print(json.dumps({"cniVersion": "1.0.0", "supportedVersions": VERSIONS}))
            return 0
        try:
            conf = json.loads(sys.stdin.read())
        except ValueError as exc:
            raise Fail(6, f"cannot decode config: {exc}") from None
        version = conf.get("cniVersion", "0.1.0")
        sets, ipam = _sets(conf, fault)
        data = os.path.join(ipam.get("dataDir") or "/var/lib/cni/networks", conf.get("name", ""))
        os.makedirs(data, exist_ok=True)
        lock = open(os.path.join(data, "lock"), "w")  # noqa: SIM115 (held until exit)
        if fault != "no-locking":
            fcntl.flock(lock, fcntl.LOCK_EX)
        me = f"{cid}\n{ifname}"
        if cmd == "DEL":
            if fault != "no-release":
                for name in os.listdir(data):
                    if _owner(os.path.join(data, name)) == me:
                        os.unlink(os.path.join(data, name))
            return 0
        if cmd == "CHECK":
            if not any(_owner(os.path.join(data, n)) == me for n in os.listdir(data)):
                raise Fail(100, f"no address reserved for {cid}/{ifname}")
            return 0
        if cmd != "ADD":
            raise Fail(4, f"unknown CNI_COMMAND {cmd!r}")
        got, made = [], []
        for n, rs in enumerate(sets):
            chosen = None
            for r in rs:
                a = r["start"]
                while a <= r["end"] and chosen is None:
                    path = os.path.join(data, str(a))
                    if a == r["gw"] and fault != "hands-out-gateway":
                        pass
                    elif fault == "same-address":
                        chosen = (a, r)
                    elif fault == "no-locking":
                        if not os.path.exists(path):
                            time.sleep(0.15)  # the window another ADD walks into
                            chosen = (a, r)
                    else:
                        try:
                            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                            chosen = (a, r)
                        except FileExistsError:
                            pass
                    a += 1
                if chosen:
                    break
            if chosen is None:
                for p in made:
                    os.unlink(p)
                if fault == "exhaustion-exit-0":
                    print(json.dumps({"cniVersion": version, "code": 100, "msg": f"no IP addresses available in range set {n}"}))
                    return 0
                raise Fail(100, f"no IP addresses available in range set {n}")
            a, r = chosen
            path = os.path.join(data, str(a))
            with open(path, "w") as f:
                f.write(me)
            made.append(path)
            got.append((f"{a}/{r['subnet'].prefixlen}", str(r["gw"])))
        print(json.dumps(_result(version, got, ipam.get("routes") or [])))
        return 0
    except Fail as exc:
        print(json.dumps({"cniVersion": version, "code": exc.code, "msg": exc.msg}))
        return 1
