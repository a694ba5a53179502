"""A minimal synchronous rtnetlink client (links, addresses, routes) built on the
C ``_socket`` module and ``struct``.

Why not pyroute2: ``import pyroute2.iproute.linux`` costs ~90 ms even with the
package ``__init__`` bypassed (asyncio, multiprocessing, ssl, ...), and the
message classes alone ~45 ms; the whole budget of a bridge ADD is ~20 ms.  See
README.md for the measurements.  Only what the bridge plugin needs is here.

Namespaces: :func:`socket_in_netns` switches the calling thread into the
namespace with setns(2), opens the netlink socket there (a netlink socket stays
bound to the namespace it was created in) and switches back.  The plugins are
single-threaded short-lived processes, so doing this on the main thread is safe.
"""

import _socket
import os
import struct

AF_UNSPEC, AF_INET, AF_INET6, AF_BRIDGE = 0, 2, 10, 7
AF_NETLINK, NETLINK_ROUTE = 16, 0
CLONE_NEWNET = 0x40000000

NLMSG_ERROR, NLMSG_DONE = 2, 3
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK = 16, 17, 18, 19
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26
F_REQUEST, F_MULTI, F_ACK, F_DUMP = 0x1, 0x2, 0x4, 0x300
F_REPLACE, F_EXCL, F_CREATE, F_APPEND = 0x100, 0x200, 0x400, 0x800
NLA_F_NESTED = 0x8000

IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_MASTER = 1, 3, 4, 10
IFLA_PROTINFO, IFLA_TXQLEN, IFLA_OPERSTATE, IFLA_LINKINFO = 12, 13, 16, 18
IFLA_NET_NS_FD = 28
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
VETH_INFO_PEER = 1
IFLA_BRPORT_MODE = 4  # hairpin
IFF_UP, IFF_PROMISC = 0x1, 0x100
IFA_ADDRESS, IFA_LOCAL = 1, 2
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_METRICS, RTA_TABLE = 1, 4, 5, 6, 8, 15
RTAX_MTU, RTAX_ADVMSS = 2, 8
RT_TABLE_MAIN = 254
RTPROT_BOOT = 3
RT_SCOPE_UNIVERSE, RT_SCOPE_LINK = 0, 253
RTN_UNICAST = 1
OPER_UP = 6

_HDR = struct.Struct("=IHHII")
_IFI = struct.Struct("=BxHiII")
_IFA = struct.Struct("=BBBBI")
_RTM = struct.Struct("=BBBBBBBBI")
_RTA = struct.Struct("=HH")


class NetlinkError(OSError):
    pass


def _pad(n):
    return (n + 3) & ~3


def attr(t, data):
    if isinstance(data, str):
        data = data.encode() + b"\0"
    n = _RTA.size + len(data)
    return _RTA.pack(n, t) + data + b"\0" * (_pad(n) - n)


def nested(t, *attrs):
    return attr(t | NLA_F_NESTED, b"".join(attrs))


def u32(v):
    return struct.pack("=I", v)


def parse_attrs(buf, off=0):
    out = {}
    while off + 4 <= len(buf):
        n, t = _RTA.unpack_from(buf, off)
        if n < 4:
            break
        out.setdefault(t & 0x3FFF, buf[off + 4:off + n])
        off += _pad(n)
    return out


def _cstr(b):
    return b.split(b"\0", 1)[0].decode()


def _mac(b):
    return ":".join(f"{c:02x}" for c in b) if b else ""


class Link:
    __slots__ = ("index", "flags", "name", "mac", "mtu", "master", "kind", "operstate")

    def __init__(self, body):
        _, _, self.index, self.flags, _ = _IFI.unpack_from(body)
        a = parse_attrs(body, _IFI.size)
        self.name = _cstr(a.get(IFLA_IFNAME, b""))
        self.mac = _mac(a.get(IFLA_ADDRESS))
        self.mtu = struct.unpack("=I", a[IFLA_MTU])[0] if IFLA_MTU in a else 0
        self.master = struct.unpack("=I", a[IFLA_MASTER])[0] if IFLA_MASTER in a else 0
        self.operstate = a[IFLA_OPERSTATE][0] if IFLA_OPERSTATE in a else 0
        self.kind = ""
        if IFLA_LINKINFO in a:
            li = parse_attrs(a[IFLA_LINKINFO])
            self.kind = _cstr(li.get(IFLA_INFO_KIND, b""))


class Addr:
    __slots__ = ("family", "prefixlen", "index", "address")

    def __init__(self, body):
        self.family, self.prefixlen, _, _, self.index = _IFA.unpack_from(body)
        a = parse_attrs(body, _IFA.size)
        raw = a.get(IFA_LOCAL) or a.get(IFA_ADDRESS) or b""
        self.address = _socket.inet_ntop(self.family, raw) if raw else ""


class Route:
    __slots__ = ("family", "dst_len", "table", "dst", "gateway", "oif", "scope", "type")

    def __init__(self, body):
        (self.family, self.dst_len, _, _, table, _, self.scope, self.type,
         _) = _RTM.unpack_from(body)
        a = parse_attrs(body, _RTM.size)
        self.table = struct.unpack("=I", a[RTA_TABLE])[0] if RTA_TABLE in a else table
        self.dst = _socket.inet_ntop(self.family, a[RTA_DST]) if RTA_DST in a else None
        self.gateway = _socket.inet_ntop(self.family, a[RTA_GATEWAY]) if RTA_GATEWAY in a else None
        self.oif = struct.unpack("=I", a[RTA_OIF])[0] if RTA_OIF in a else 0


class RTNL:
    """One NETLINK_ROUTE socket; every request waits for its ACK or dump end."""

    def __init__(self, sock=None):
        self.sock = sock or _socket.socket(AF_NETLINK, _socket.SOCK_RAW | _socket.SOCK_CLOEXEC,
                                           NETLINK_ROUTE)
        self.sock.bind((0, 0))
        self.seq = 0

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def request(self, mtype, flags, payload):
        self.seq += 1
        seq = self.seq
        msg = _HDR.pack(_HDR.size + len(payload), mtype, flags | F_REQUEST, seq, 0) + payload
        self.sock.send(msg)
        out = []
        while True:
            data = self.sock.recv(65536)
            off = 0
            while off + _HDR.size <= len(data):
                n, t, fl, s, _ = _HDR.unpack_from(data, off)
                body = data[off + _HDR.size:off + n]
                off += _pad(n)
                if s != seq:
                    continue
                if t == NLMSG_DONE:
                    return out
                if t == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", body)[0]
                    if err:
                        raise NetlinkError(err, os.strerror(err))
                    return out
                out.append((t, body))
                if not fl & F_MULTI:
                    return out

    # --- links
    def links(self):
        return [Link(b) for t, b in self.request(RTM_GETLINK, F_DUMP, _IFI.pack(AF_UNSPEC, 0, 0, 0, 0))
                if t == RTM_NEWLINK]

    def link(self, name=None, index=0):
        """A Link by name or index, or None."""
        payload = _IFI.pack(AF_UNSPEC, 0, index, 0, 0)
        if name is not None:
            payload += attr(IFLA_IFNAME, name)
        try:
            res = self.request(RTM_GETLINK, 0, payload)
        except NetlinkError as e:
            if e.errno in (19, 2):  # ENODEV, ENOENT
                return None
            raise
        return Link(res[0][1]) if res else None

    def new_link(self, name, kind, flags=F_CREATE | F_EXCL, attrs=b"", info_data=b""):
        info = attr(IFLA_INFO_KIND, kind)
        if info_data:
            info += nested(IFLA_INFO_DATA, info_data)
        self.request(RTM_NEWLINK, flags | F_ACK, _IFI.pack(AF_UNSPEC, 0, 0, 0, 0)
                     + attr(IFLA_IFNAME, name) + attrs + nested(IFLA_LINKINFO, info))

    def set_link(self, index, up=None, promisc=None, attrs=b""):
        flags = change = 0
        if up is not None:
            change |= IFF_UP
            flags |= IFF_UP if up else 0
        if promisc is not None:
            change |= IFF_PROMISC
            flags |= IFF_PROMISC if promisc else 0
        self.request(RTM_NEWLINK, F_ACK, _IFI.pack(AF_UNSPEC, 0, index, flags, change) + attrs)

    def del_link(self, index):
        self.request(RTM_DELLINK, F_ACK, _IFI.pack(AF_UNSPEC, 0, index, 0, 0))

    def set_hairpin(self, index, on):
        self.request(RTM_SETLINK, F_ACK, _IFI.pack(AF_BRIDGE, 0, index, 0, 0)
                     + nested(IFLA_PROTINFO, attr(IFLA_BRPORT_MODE, bytes([1 if on else 0]))))

    # --- addresses
    def addrs(self, index=0, family=AF_UNSPEC):
        out = [Addr(b) for t, b in self.request(RTM_GETADDR, F_DUMP, _IFA.pack(family, 0, 0, 0, 0))
               if t == RTM_NEWADDR]
        return [a for a in out if not index or a.index == index]

    def add_addr(self, index, family, address, prefixlen, flags=0):
        raw = _socket.inet_pton(family, address)
        self.request(RTM_NEWADDR, F_CREATE | F_EXCL | F_ACK,
                     _IFA.pack(family, prefixlen, flags, 0, index)
                     + attr(IFA_LOCAL, raw) + attr(IFA_ADDRESS, raw))

    def del_addr(self, index, family, address, prefixlen):
        raw = _socket.inet_pton(family, address)
        self.request(RTM_DELADDR, F_ACK, _IFA.pack(family, prefixlen, 0, 0, index)
                     + attr(IFA_LOCAL, raw) + attr(IFA_ADDRESS, raw))

    # --- routes
    def routes(self, family=AF_UNSPEC):
        return [Route(b) for t, b in self.request(RTM_GETROUTE, F_DUMP,
                                                   _RTM.pack(family, 0, 0, 0, 0, 0, 0, 0, 0))
                if t == RTM_NEWROUTE]

    def add_route(self, family, dst, dst_len, gateway=None, oif=0, scope=RT_SCOPE_UNIVERSE,
                  table=RT_TABLE_MAIN, priority=None, mtu=None, advmss=None):
        attrs = b""
        if dst_len:
            attrs += attr(RTA_DST, _socket.inet_pton(family, dst))
        if gateway:
            attrs += attr(RTA_GATEWAY, _socket.inet_pton(family, gateway))
        if oif:
            attrs += attr(RTA_OIF, u32(oif))
        if priority is not None:
            attrs += attr(RTA_PRIORITY, u32(priority))
        attrs += attr(RTA_TABLE, u32(table))
        metrics = b""
        if mtu:
            metrics += attr(RTAX_MTU, u32(mtu))
        if advmss:
            metrics += attr(RTAX_ADVMSS, u32(advmss))
        if metrics:
            attrs += nested(RTA_METRICS, metrics)
        # CREATE|APPEND like netlink.RouteAddEcmp in Go: a second default route via
        # another interface of the same namespace is appended, not refused.
        self.request(RTM_NEWROUTE, F_CREATE | F_APPEND | F_ACK,
                     _RTM.pack(family, dst_len, 0, 0, table if table < 256 else 252,
                               RTPROT_BOOT, scope, RTN_UNICAST, 0) + attrs)


# --- namespaces -----------------------------------------------------------------

_setns_fn = None


def setns(fd, nstype=CLONE_NEWNET):
    """setns(2) for the calling thread, via _ctypes (ctypes itself costs ~5 ms)."""
    global _setns_fn
    if hasattr(os, "setns"):  # Python 3.12+
        os.setns(fd, nstype)
        return
    if _setns_fn is None:
        try:
            import _ctypes
            _setns_fn = ("raw", _ctypes.dlsym(_ctypes.dlopen(None, 2), "setns"))
        except (ImportError, AttributeError, OSError):
            import ctypes
            _setns_fn = ("ctypes", ctypes.CDLL(None, use_errno=True).setns)
    how, fn = _setns_fn
    if how == "raw":
        import _ctypes
        if _ctypes.call_function(fn, (fd, nstype)) != 0:
            raise OSError("setns(%d) failed" % fd)
    else:
        if fn(fd, nstype) != 0:
            import ctypes
            e = ctypes.get_errno()
            raise OSError(e, "setns: " + os.strerror(e))


class NetNS:
    """Enter a network namespace on this thread for the duration of a ``with``."""

    def __init__(self, fd):
        self.fd = fd
        self.home = None

    def __enter__(self):
        self.home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        setns(self.fd)
        return self

    def __exit__(self, *exc):
        try:
            setns(self.home)
        finally:
            os.close(self.home)


def open_netns(path):
    """Open a netns path (/var/run/netns/x, /proc/<pid>/ns/net, /proc/<pid>/fd/<n>)."""
    return os.open(path, os.O_RDONLY | os.O_CLOEXEC)


def is_netns(fd):
    """True if fd refers to a network namespace (nsfs) -- checked by entering it."""
    try:
        with NetNS(fd):
            pass
        return True
    except OSError:
        return False
