"""bridge CNI plugin (Python reference), modelled on containernetworking/plugins
v1.1.1 plugins/main/bridge.

Everything on the host side happens in the network namespace the plugin runs in;
the container end of the veth lives in CNI_NETNS.  Netlink is spoken through the
small ``netlink`` module of this package (see README.md for why not pyroute2).
"""

import os
import struct
import time

from . import fastjson as json
from . import netlink as nl
from . import skel
from .iputil import BadIP, fmt_ip, network, parse_cidr, parse_ip
from .skel import CNIError

ERR_INVALID_NETNS = 8   # what libcni/skel use for "bad CNI_NETNS"
ERR_LINK = 110          # netlink / interface errors
ERR_CHECK = 111         # CHECK found a difference
ERR_IPAM = 112          # IPAM returned something unusable

_FAMILY = {32: nl.AF_INET, 128: nl.AF_INET6}


# --- configuration --------------------------------------------------------------

class Conf:
    def __init__(self, args):
        c = args.conf
        self.name = c["name"]
        self.bridge = c.get("bridge") or "cni0"
        try:
            skel.validate_ifname(self.bridge)
        except CNIError as e:
            raise CNIError(skel.ERR_INVALID_CONFIG, f"invalid bridge name {self.bridge!r}",
                           e.msg) from None
        self.is_default_gw = bool(c.get("isDefaultGateway"))
        self.is_gw = bool(c.get("isGateway")) or self.is_default_gw
        self.force_address = bool(c.get("forceAddress"))
        self.ip_masq = bool(c.get("ipMasq"))
        self.ip_masq_backend = c.get("ipMasqBackend") or "iptables"
        if self.ip_masq_backend not in ("iptables", "nftables"):
            raise CNIError(skel.ERR_INVALID_CONFIG, "ipMasqBackend must be iptables or nftables")
        self.mtu = int(c.get("mtu") or 0)
        self.hairpin = bool(c.get("hairpinMode"))
        self.promisc = bool(c.get("promiscMode"))
        self.macspoofchk = bool(c.get("macspoofchk"))
        self.vlan = int(c.get("vlan") or 0)
        self.ipam = c.get("ipam") or {}
        if not isinstance(self.ipam, dict):
            raise CNIError(skel.ERR_INVALID_CONFIG, "ipam must be an object")
        self.ipam_type = self.ipam.get("type") or ""
        self.dns = c.get("dns") or {}
        if self.vlan < 0 or self.vlan > 4094:
            raise CNIError(skel.ERR_INVALID_CONFIG, "invalid VLAN ID %d (must be between 0 and 4094)"
                           % self.vlan)
        if self.hairpin and self.promisc:
            raise CNIError(skel.ERR_INVALID_CONFIG,
                           "cannot set hairpin mode and promiscuous mode at the same time")
        self.mac = ""
        env = skel.parse_cni_args(args.args, known=("MAC", "IP", "K8S_POD_NAME", "K8S_POD_NAMESPACE",
                                                     "K8S_POD_INFRA_CONTAINER_ID", "K8S_POD_UID"))
        if env.get("MAC"):
            self.mac = env["MAC"]
        rc = c.get("runtimeConfig") or {}
        if rc.get("mac"):
            self.mac = rc["mac"]
        if self.mac:
            try:
                self.mac_bytes = bytes(int(x, 16) for x in self.mac.split(":"))
                assert len(self.mac_bytes) == 6
            except (ValueError, AssertionError):
                raise CNIError(skel.ERR_INVALID_CONFIG, f"invalid MAC address {self.mac!r}") from None


# --- delegation -----------------------------------------------------------------

def exec_plugin(args, plugin_type, command, stdin_data):
    """Run a delegated plugin found by name in CNI_PATH with our environment (and
    CNI_COMMAND=command) and the same stdin.  Returns the parsed JSON (or None for
    empty output); raises CNIError carrying the delegate's own error."""
    path = args.find_plugin(plugin_type)
    env = dict(args.env if args.env is not None else os.environ)
    env["CNI_COMMAND"] = command
    if _is_our_host_local(path) and not env.get("CNITEST_REF_EXEC_IPAM"):
        # The delegate is this package's own host-local launcher for this very
        # interpreter: run the same code in-process instead of paying a second
        # interpreter start (~15 ms).  Same env, same stdin, same result/error JSON.
        from . import host_local
        code, data = skel.dispatch(host_local.HANDLERS, env, stdin_data)
        return _delegate_outcome(plugin_type, command, code, data, b"")
    rin, win = os.pipe()
    rout, wout = os.pipe()
    try:
        pid = os.posix_spawn(path, [path], env, file_actions=[
            (os.POSIX_SPAWN_DUP2, rin, 0), (os.POSIX_SPAWN_DUP2, wout, 1),
            (os.POSIX_SPAWN_CLOSE, win), (os.POSIX_SPAWN_CLOSE, rout)])
    except OSError:
        for fd in (rin, win, rout, wout):
            os.close(fd)
        raise
    os.close(rin)
    os.close(wout)
    try:
        view = memoryview(stdin_data)
        while view:
            n = os.write(win, view)
            view = view[n:]
    except BrokenPipeError:
        pass
    finally:
        os.close(win)
    chunks = []
    while True:
        b = os.read(rout, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(rout)
    _, status = os.waitpid(pid, 0)
    out = b"".join(chunks)
    code = os.waitstatus_to_exitcode(status)
    try:
        data = json.loads(out) if out.strip() else None
    except ValueError:
        data = None
        if code == 0:
            raise CNIError(ERR_IPAM, f"{plugin_type} {command}: cannot decode output",
                           out[:200].decode(errors="replace")) from None
    return _delegate_outcome(plugin_type, command, code, data, out)


_LAUNCHER_MARK = b"# Generated by reference_plugins.plugins_dir()"


def _is_our_host_local(path):
    try:
        with open(path, "rb") as f:
            head = f.read(8192)  # the whole launcher: its import line comes last
    except OSError:
        return False
    import sys
    return (head.startswith(b"#!" + os.fsencode(sys.executable) + b" ")
            and _LAUNCHER_MARK in head and b".host_local import main" in head)


def _delegate_outcome(plugin_type, command, code, data, out):
    if code != 0:
        if isinstance(data, dict) and "code" in data:
            raise CNIError(data.get("code") or ERR_IPAM, data.get("msg", ""),
                           data.get("details", ""))
        raise CNIError(ERR_IPAM, "%s %s failed with exit status %d" % (plugin_type, command, code),
                       out[:200].decode(errors="replace"))
    return data


# --- helpers --------------------------------------------------------------------

def _sysctl(path, value):
    try:
        with open("/proc/sys/" + path, "w") as f:
            f.write(value)
    except OSError:
        pass


def _open_netns(args):
    try:
        fd = nl.open_netns(args.netns)
    except OSError as e:
        raise CNIError(ERR_INVALID_NETNS, f"failed to open netns {args.netns!r}", str(e)) from None
    st = os.fstat(fd)
    me = os.stat("/proc/thread-self/ns/net")
    if (st.st_dev, st.st_ino) == (me.st_dev, me.st_ino) and \
            os.environ.get("CNI_NETNS_OVERRIDE", "").upper() not in ("1", "TRUE"):
        os.close(fd)
        raise CNIError(ERR_INVALID_NETNS,
                       "plugin's netns and netns from CNI_NETNS should not be the same")
    return fd


def _container_rtnl(fd, sysctls=()):
    """A netlink socket inside the container netns (and optional sysctl writes there)."""
    try:
        with nl.NetNS(fd):
            r = nl.RTNL()
            for p, v in sysctls:
                _sysctl(p, v)
    except OSError as e:
        raise CNIError(ERR_INVALID_NETNS, "cannot enter netns", str(e)) from None
    return r


def _container_sysctls(fd, items):
    with nl.NetNS(fd):
        for p, v in items:
            _sysctl(p, v)


def _ensure_bridge(h, conf):
    br = h.link(conf.bridge)
    if br is None:
        attrs = nl.attr(nl.IFLA_MTU, nl.u32(conf.mtu)) if conf.mtu else b""
        try:
            h.new_link(conf.bridge, "bridge", attrs=attrs)
        except nl.NetlinkError as e:
            if e.errno != 17:  # EEXIST: a concurrent ADD made it
                raise CNIError(ERR_LINK, f"could not add bridge {conf.bridge!r}", str(e)) from None
        br = h.link(conf.bridge)
    if br is None or br.kind != "bridge":
        raise CNIError(ERR_LINK, f"{conf.bridge!r} already exists but is not a bridge")
    _sysctl(f"net/ipv6/conf/{conf.bridge}/accept_ra", "0")
    h.set_link(br.index, up=True, promisc=True if conf.promisc else None)
    return br


def _mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


# The IPv6 gateway goes on the bridge without duplicate address detection. The
# container side already runs with accept_dad=0, as in Go. With DAD the gateway
# stays tentative for about a second (more under load) after ADD. During that time
# the host sources from the bridge's link-local address or not at all, and
# host<->container traffic over IPv6 stalls. Go's bridge has this window too.
IFA_F_NODAD = 0x02


def _ensure_addr(h, br, family, gw, plen, force):
    """Go's ensureAddr: the gateway address on the bridge; a different IPv4 address
    (or overlapping IPv6 one) is an error unless forceAddress."""
    bits = 32 if family == nl.AF_INET else 128
    want = (parse_ip(gw)[1], plen)
    for a in h.addrs(br.index, family):
        if a.address.startswith("fe80:"):
            continue
        have = (parse_ip(a.address)[1], a.prefixlen)
        if have == want:
            return
        overlap = network(bits, have[0], min(have[1], plen)) == network(bits, want[0], min(have[1], plen))
        if family == nl.AF_INET or overlap:
            if force:
                h.del_addr(br.index, family, a.address, a.prefixlen)
            else:
                raise CNIError(ERR_LINK, "%r already has an IP address different from %s/%d"
                               % (br.name, gw, plen))
    try:
        h.add_addr(br.index, family, gw, plen, flags=IFA_F_NODAD if family == nl.AF_INET6 else 0)
    except nl.NetlinkError as e:
        if e.errno != 17:
            raise CNIError(ERR_LINK, f"could not add IP address to {br.name!r}", str(e)) from None
    # keep the bridge MAC stable (as Go does)
    cur = h.link(index=br.index)
    if cur and cur.mac:
        h.set_link(br.index, attrs=nl.attr(nl.IFLA_ADDRESS, _mac_bytes(cur.mac)))


def _chain_name(name, cid):
    import hashlib
    return ("CNI-" + hashlib.sha512((name + cid).encode()).hexdigest())[:28]


def _run(argv, check=True):
    import subprocess
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise CNIError(ERR_LINK, "{} failed".format(" ".join(argv)), p.stderr.strip())
    return p


def _masq_setup(conf, cid, addresses):
    chain = _chain_name(conf.name, cid)
    comment = f'name: "{conf.name}" id: "{cid}"'
    if conf.ip_masq_backend == "nftables":
        rules = ["add table inet cni_plugins_masquerade",
                 "add chain inet cni_plugins_masquerade postrouting "
                 "{ type nat hook postrouting priority srcnat; }"]
        for cidr in addresses:
            bits, v, plen = parse_cidr(cidr)
            fam = "ip" if bits == 32 else "ip6"
            mcast = "224.0.0.0/4" if bits == 32 else "ff00::/8"
            netw = "%s/%d" % (fmt_ip(bits, network(bits, v, plen)), plen)
            rules.append(f'add rule inet cni_plugins_masquerade postrouting {fam} saddr {fmt_ip(bits, v)} '
                         f'{fam} daddr != {netw} {fam} daddr != {mcast} masquerade comment "{chain}"')
        import subprocess
        p = subprocess.run(["nft", "-f", "-"], input="\n".join(rules) + "\n",
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise CNIError(ERR_LINK, "nft failed", p.stderr.strip())
        return
    for cidr in addresses:
        bits, v, plen = parse_cidr(cidr)
        ipt = "iptables" if bits == 32 else "ip6tables"
        mcast = "224.0.0.0/4" if bits == 32 else "ff00::/8"
        _run([ipt, "-w", "-t", "nat", "-N", chain], check=False)
        for rule in (["-d", cidr, "-j", "ACCEPT"], ["!", "-d", mcast, "-j", "MASQUERADE"]):
            full = rule + ["-m", "comment", "--comment", comment]
            if _run([ipt, "-w", "-t", "nat", "-C", chain] + full, check=False).returncode != 0:
                _run([ipt, "-w", "-t", "nat", "-A", chain] + full)
        rule = ["-s", fmt_ip(bits, v), "-j", chain, "-m", "comment", "--comment", comment]
        if _run([ipt, "-w", "-t", "nat", "-C", "POSTROUTING"] + rule, check=False).returncode != 0:
            _run([ipt, "-w", "-t", "nat", "-A", "POSTROUTING"] + rule)


def _masq_teardown(conf, cid, addresses):
    chain = _chain_name(conf.name, cid)
    comment = f'name: "{conf.name}" id: "{cid}"'
    if conf.ip_masq_backend == "nftables":
        p = _run(["nft", "-a", "list", "chain", "inet", "cni_plugins_masquerade", "postrouting"],
                 check=False)
        for line in p.stdout.splitlines():
            if f'"{chain}"' in line and "# handle" in line:
                h = line.rsplit("# handle", 1)[1].strip()
                _run(["nft", "delete", "rule", "inet", "cni_plugins_masquerade", "postrouting",
                      "handle", h], check=False)
        return
    for cidr in addresses:
        bits, v, _ = parse_cidr(cidr)
        ipt = "iptables" if bits == 32 else "ip6tables"
        _run([ipt, "-w", "-t", "nat", "-D", "POSTROUTING", "-s", fmt_ip(bits, v), "-j", chain,
              "-m", "comment", "--comment", comment], check=False)
        _run([ipt, "-w", "-t", "nat", "-F", chain], check=False)
        _run([ipt, "-w", "-t", "nat", "-X", chain], check=False)


def _calc_gateways(result, conf):
    """Go's calcGateways: ips[].interface=2, gateway default = first address of the
    subnet when isGateway, default route per family when isDefaultGateway.
    Returns {family: [(gw, plen), ...]}."""
    gws = {nl.AF_INET: [], nl.AF_INET6: []}
    have_default = set()
    for ipc in result["ips"]:
        try:
            bits, v, plen = parse_cidr(ipc["address"])
        except (BadIP, KeyError) as e:
            raise CNIError(ERR_IPAM, "IPAM returned an invalid address", str(e)) from None
        fam = _FAMILY[bits]
        ipc["interface"] = 2
        if not ipc.get("gateway") and conf.is_gw:
            ipc["gateway"] = fmt_ip(bits, network(bits, v, plen) + 1)
        if conf.is_default_gw and fam not in have_default:
            dflt = "0.0.0.0/0" if bits == 32 else "::/0"
            if not any(r.get("gw") and _norm_cidr(r.get("dst")) == dflt for r in result["routes"]):
                result["routes"].append({"dst": dflt, "gw": ipc.get("gateway")})
            have_default.add(fam)
        if conf.is_gw:
            gws[fam].append((ipc["gateway"], plen))
    return gws


def _norm_cidr(s):
    try:
        bits, v, plen = parse_cidr(s)
    except BadIP:
        return s
    return "%s/%d" % (fmt_ip(bits, network(bits, v, plen)), plen)


def _configure_iface(c, idx, result):
    """Go's ipam.ConfigureIface: addresses, link up, routes (gw defaults to the
    gateway of the family)."""
    default_gw = {}
    for ipc in result["ips"]:
        if ipc.get("interface") != 2:
            continue
        bits, v, plen = parse_cidr(ipc["address"])
        c.add_addr(idx, _FAMILY[bits], fmt_ip(bits, v), plen)
        if ipc.get("gateway") and bits not in default_gw:
            default_gw[bits] = ipc["gateway"]
    c.set_link(idx, up=True)
    for r in result["routes"]:
        bits, v, plen = parse_cidr(r["dst"])
        gw = r.get("gw") or default_gw.get(bits)
        kw = {}
        for k, nk in (("priority", "priority"), ("mtu", "mtu"), ("advmss", "advmss"),
                      ("table", "table")):
            if r.get(k):
                kw[nk] = int(r[k])
        if r.get("scope") is not None:
            kw["scope"] = int(r["scope"])
        try:
            c.add_route(_FAMILY[bits], fmt_ip(bits, network(bits, v, plen)), plen, gateway=gw,
                        oif=idx, **kw)
        except nl.NetlinkError as e:
            raise CNIError(ERR_LINK, "failed to add route {} via {}".format(r["dst"], gw), str(e)) from None


# --- verbs ----------------------------------------------------------------------

def cmd_add(args):
    conf = Conf(args)
    if conf.vlan:
        raise CNIError(skel.ERR_UNSUPPORTED_FIELD, "vlan: %d" % conf.vlan,
                       "bridge VLAN filtering is not implemented by this reference plugin")
    if conf.macspoofchk:
        raise CNIError(skel.ERR_UNSUPPORTED_FIELD, "macspoofchk: true",
                       "MAC spoof checking is not implemented by this reference plugin")
    nsfd = _open_netns(args)
    h = nl.RTNL()
    c = _container_rtnl(nsfd)
    try:
        if c.link(args.ifname) is not None:
            raise CNIError(ERR_LINK, f"interface {args.ifname!r} already exists in {args.netns}")
        br = _ensure_bridge(h, conf)
        host = None
        for _ in range(5):
            hname = "veth" + os.urandom(4).hex()
            peer = nl.attr(nl.IFLA_IFNAME, args.ifname) + nl.attr(nl.IFLA_NET_NS_FD, nl.u32(nsfd))
            common = nl.attr(nl.IFLA_MTU, nl.u32(conf.mtu)) if conf.mtu else b""
            if conf.mac:
                peer += nl.attr(nl.IFLA_ADDRESS, conf.mac_bytes)
            try:
                h.new_link(hname, "veth", attrs=common, info_data=nl.attr(
                    nl.VETH_INFO_PEER, struct.pack("=BxHiII", 0, 0, 0, 0, 0) + peer + common))
            except nl.NetlinkError as e:
                if e.errno == 17 and h.link(hname) is not None:
                    continue  # host name collision: try another
                raise CNIError(ERR_LINK, "failed to create veth pair", str(e)) from None
            host = h.link(hname)
            break
        if host is None:
            raise CNIError(ERR_LINK, "failed to create veth pair: no free host name")
        ok = False
        ipam_done = False
        try:
            h.set_link(host.index, up=True, attrs=nl.attr(nl.IFLA_MASTER, nl.u32(br.index)))
            h.set_hairpin(host.index, conf.hairpin)
            cont = c.link(args.ifname)
            result = {"cniVersion": skel.CURRENT_VERSION,
                      "interfaces": [{"name": br.name, "mac": br.mac, "mtu": br.mtu},
                                     {"name": host.name, "mac": host.mac, "mtu": host.mtu},
                                     {"name": cont.name, "mac": cont.mac, "mtu": cont.mtu, "sandbox": args.netns}],
                      "ips": [], "routes": []}
            if conf.ipam_type:
                try:
                    ipam_res = skel.parse_result(exec_plugin(args, conf.ipam_type, "ADD", args.stdin))
                finally:
                    ipam_done = True  # DEL on any failure from here on (spec, section 3)
                if not ipam_res or not ipam_res["ips"]:
                    raise CNIError(ERR_IPAM, "IPAM plugin returned missing IP config")
                result["ips"] = ipam_res["ips"]
                result["routes"] = ipam_res["routes"]
                gws = _calc_gateways(result, conf)
                sysctls = [(f"net/ipv6/conf/{args.ifname}/accept_dad", "0"),
                           (f"net/ipv4/conf/{args.ifname}/arp_notify", "1")]
                if any(":" in i["address"] for i in result["ips"]):
                    sysctls += [("net/ipv6/conf/lo/disable_ipv6", "0"),
                                (f"net/ipv6/conf/{args.ifname}/disable_ipv6", "0")]
                _container_sysctls(nsfd, sysctls)
                try:
                    _configure_iface(c, cont.index, result)
                except nl.NetlinkError as e:
                    raise CNIError(ERR_LINK, f"failed to configure {args.ifname}", str(e)) from None
                for delay in (0, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.25, 0.5, 1):
                    time.sleep(delay)
                    hv = h.link(index=host.index)
                    if hv is not None and hv.operstate == nl.OPER_UP:
                        break
                else:
                    raise CNIError(ERR_LINK, f"bridge port {host.name} not up")
                if conf.is_gw:
                    for fam in (nl.AF_INET, nl.AF_INET6):
                        for gw, plen in gws[fam]:
                            _ensure_addr(h, br, fam, gw, plen, conf.force_address)
                        if gws[fam]:
                            _sysctl("net/ipv4/ip_forward" if fam == nl.AF_INET
                                    else "net/ipv6/conf/all/forwarding", "1")
                if conf.ip_masq:
                    _masq_setup(conf, args.container_id, [i["address"] for i in result["ips"]])
            else:
                c.set_link(cont.index, up=True)
            br = h.link(conf.bridge)
            result["interfaces"][0]["mac"] = br.mac
            if conf.dns:
                result["dns"] = conf.dns
            ok = True
            return result
        finally:
            if not ok:
                if ipam_done:
                    try:
                        exec_plugin(args, conf.ipam_type, "DEL", args.stdin)
                    except CNIError as e:
                        skel.log(f"bridge: IPAM DEL after failed ADD: {e.msg}")
                try:
                    h.del_link(host.index)
                except OSError:
                    pass
    except nl.NetlinkError as e:
        raise CNIError(ERR_LINK, f"netlink: {e.strerror}", str(e)) from None
    finally:
        h.close()
        c.close()
        os.close(nsfd)


def cmd_del(args):
    conf = Conf(args)
    errors = []
    if conf.ipam_type:
        try:
            exec_plugin(args, conf.ipam_type, "DEL", args.stdin)
        except CNIError as e:
            errors.append(e)
    addresses = []
    prev = None
    try:
        prev = skel.parse_result(args.conf.get("prevResult"))
    except CNIError:
        pass
    if args.netns:
        try:
            nsfd = nl.open_netns(args.netns)
        except FileNotFoundError:
            nsfd = None
        except OSError as e:
            nsfd = None
            skel.log(f"bridge DEL: cannot open netns {args.netns}: {e}")
        if nsfd is not None:
            try:
                c = _container_rtnl(nsfd)
            except CNIError:
                c = None  # not (any more) a namespace, e.g. an unmounted netns file
            if c is not None:
                try:
                    link = c.link(args.ifname)
                    if link is not None:
                        addresses = ["%s/%d" % (a.address, a.prefixlen) for a in c.addrs(link.index)
                                     if not a.address.startswith("fe80:")]
                        c.del_link(link.index)
                except nl.NetlinkError as e:
                    if e.errno not in (19, 2):
                        errors.append(CNIError(ERR_LINK, f"failed to delete {args.ifname}", str(e)))
                finally:
                    c.close()
            os.close(nsfd)
    if conf.ip_masq and conf.ipam_type:
        if not addresses and prev:
            addresses = [i["address"] for i in prev["ips"]]
        try:
            _masq_teardown(conf, args.container_id, addresses)
        except CNIError as e:
            errors.append(e)
    if errors:
        raise errors[0]


def cmd_check(args):
    conf = Conf(args)
    prev = skel.parse_result(args.conf.get("prevResult"))
    if not prev:
        raise CNIError(skel.ERR_INVALID_CONFIG, "bridge CHECK: required prevResult missing")
    if conf.ipam_type:
        exec_plugin(args, conf.ipam_type, "CHECK", args.stdin)
    nsfd = _open_netns(args)
    h = nl.RTNL()
    try:
        c = _container_rtnl(nsfd)
    finally:
        os.close(nsfd)
    try:
        _check(args, conf, prev, h, c)
    finally:
        h.close()
        c.close()


def _check(args, conf, prev, h, c):
    def fail(msg, details=""):
        raise CNIError(ERR_CHECK, msg, details)

    ifaces = prev.get("interfaces") or []
    br_if = cont_if = host_if = None
    cont_idx = None
    for i, itf in enumerate(ifaces):
        if itf.get("sandbox"):
            if itf.get("name") == args.ifname:
                cont_if, cont_idx = itf, i
        elif itf.get("name") == conf.bridge:
            br_if = itf
        else:
            host_if = itf
    if cont_if is None:
        fail(f"prevResult has no interface {args.ifname!r} in sandbox")
    if cont_if.get("sandbox") != args.netns:
        fail("sandbox in prevResult {!r} does not match CNI_NETNS {!r}".format(cont_if.get("sandbox"), args.netns))
    br = h.link(conf.bridge)
    if br is None or br.kind != "bridge":
        fail(f"bridge {conf.bridge!r} not found")
    if br_if is None:
        fail(f"prevResult has no bridge interface {conf.bridge!r}")
    link = c.link(args.ifname)
    if link is None:
        fail(f"container interface {args.ifname} not found in {args.netns}")
    if link.kind != "veth":
        fail(f"container interface {args.ifname} is a {link.kind!r}, not a veth")
    if cont_if.get("mac") and cont_if["mac"].lower() != link.mac:
        fail("container interface {} has MAC {}, expected {}".format(args.ifname, link.mac,
                                                                cont_if["mac"]))
    if host_if is not None:
        hv = h.link(host_if.get("name"))
        if hv is None:
            fail("host veth {} not found".format(host_if.get("name")))
        if hv.master != br.index:
            fail(f"host veth {hv.name} is not attached to bridge {conf.bridge}")
        if host_if.get("mac") and host_if["mac"].lower() != hv.mac:
            fail("host veth {} has MAC {}, expected {}".format(hv.name, hv.mac, host_if["mac"]))
    have = {(a.address, a.prefixlen) for a in c.addrs(link.index)}
    for ipc in prev.get("ips") or []:
        if ipc.get("interface") is not None and ipc["interface"] != cont_idx:
            continue
        bits, v, plen = parse_cidr(ipc["address"])
        if (fmt_ip(bits, v), plen) not in have:
            fail("address {} missing on {}".format(ipc["address"], args.ifname))
    routes = c.routes()
    for r in prev.get("routes") or []:
        bits, v, plen = parse_cidr(r["dst"])
        dst = fmt_ip(bits, network(bits, v, plen)) if plen else None
        fam = _FAMILY[bits]
        found = False
        for kr in routes:
            if kr.family != fam or kr.dst_len != plen or (plen and kr.dst != dst):
                continue
            if r.get("gw") and kr.gateway and parse_ip(kr.gateway) != parse_ip(r["gw"]):
                continue
            found = True
            break
        if not found:
            fail("route {}{} missing in {}".format(r["dst"], " via " + r["gw"] if r.get("gw") else "",
                                               args.netns))


def cmd_gc(args):
    conf = Conf(args)
    if conf.ipam_type:
        exec_plugin(args, conf.ipam_type, "GC", args.stdin)


def cmd_status(args):
    conf = Conf(args)
    if conf.ipam_type:
        exec_plugin(args, conf.ipam_type, "STATUS", args.stdin)


def main():
    skel.plugin_main({"ADD": cmd_add, "DEL": cmd_del, "CHECK": cmd_check,
                      "GC": cmd_gc, "STATUS": cmd_status},
                     about="CNI bridge plugin (cnitest reference, Python)")


if __name__ == "__main__":
    main()
