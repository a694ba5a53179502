"""host-local IPAM plugin, compatible with the on-disk state of the Go host-local
(containernetworking/plugins v1.1.1, plugins/ipam/host-local/backend/disk):

  <dataDir>/<network name>/lock                 flock(LOCK_EX) on this file guards everything
  <dataDir>/<network name>/<ip>                 "<containerID>\\r\\n<ifname>" (older: "<containerID>")
  <dataDir>/<network name>/last_reserved_ip.<N> last address handed out from range set N

No network access and no pyroute2: this must start fast.
"""

import fcntl
from binascii import crc32

from . import fastos as os
from . import skel
from .iputil import BadIP, fmt_cidr, fmt_ip, host_mask, network, parse_cidr, parse_ip
from .skel import CNIError

DEFAULT_DATA_DIR = "/var/lib/cni/networks"
LAST_IP_PREFIX = "last_reserved_ip."
LINE_BREAK = "\r\n"
ERR_ALLOC = 100       # no address / requested address unavailable / duplicate
ERR_NOT_HELD = 101    # CHECK: an address of prevResult is not held by this attachment


def _cfg_err(msg, details=""):
    return CNIError(skel.ERR_INVALID_CONFIG, msg, details)


# --- configuration --------------------------------------------------------------

class Range:
    __slots__ = ("bits", "net", "plen", "start", "end", "gateway")

    def __init__(self, d):
        if not isinstance(d, dict):
            raise _cfg_err("a range must be an object", repr(d))
        try:
            bits, v, plen = parse_cidr(d.get("subnet"))
        except BadIP as e:
            raise _cfg_err("invalid subnet", str(e)) from None
        if plen > bits - 2:
            raise _cfg_err("Network {} too small to allocate from".format(d.get("subnet")))
        if v != network(bits, v, plen):
            raise _cfg_err("Network has host bits set", "for a prefix of length %d the network "
                           "address is %s" % (plen, fmt_ip(bits, network(bits, v, plen))))
        self.bits, self.net, self.plen = bits, v, plen
        last = v | host_mask(bits, plen)
        if bits == 32:
            last -= 1  # never the IPv4 broadcast address
        self.gateway = self._ip(d, "gateway", v + 1, check=False)
        self.start = self.end = None
        self.start = self._ip(d, "rangeStart", v + 1)
        self.end = self._ip(d, "rangeEnd", last)

    def _ip(self, d, key, default, check=True):
        s = d.get(key)
        if s in (None, ""):
            return default
        try:
            bits, v = parse_ip(s)
        except BadIP as e:
            raise _cfg_err(f"invalid {key}", str(e)) from None
        if check and (bits != self.bits or not self.contains(v)):
            raise _cfg_err(f"{key} {s} not in network {self.subnet()}")
        if not check and bits != self.bits:
            raise _cfg_err(f"{key} {s} is not of the subnet's family")
        return v

    def subnet(self):
        return fmt_cidr(self.bits, self.net, self.plen)

    def contains(self, v):
        if network(self.bits, v, self.plen) != self.net:
            return False
        if self.start is not None and v < self.start:
            return False
        if self.end is not None and v > self.end:
            return False
        return True

    def usable(self, v):
        """Allocatable by the iterator: not gateway, not IPv4 network/broadcast."""
        if v == self.gateway:
            return False
        if self.bits == 32 and v in (self.net, self.net | host_mask(32, self.plen)):
            return False
        return True

    def __str__(self):
        return f"{fmt_ip(self.bits, self.start)}-{fmt_ip(self.bits, self.end)}"

    def overlaps(self, o):
        return self.bits == o.bits and (self.contains(o.start) or self.contains(o.end)
                                        or o.contains(self.start) or o.contains(self.end))


class RangeSet(list):
    def range_for(self, bits, v):
        for r in self:
            if r.bits == bits and r.contains(v):
                return r
        return None

    def __str__(self):
        return ",".join(str(r) for r in self)


def _rangeset(raw, i):
    if not isinstance(raw, list) or not raw:
        raise _cfg_err("invalid range set %d: empty range set" % i)
    rs = RangeSet(Range(d) for d in raw)
    if any(r.bits != rs[0].bits for r in rs):
        raise _cfg_err("invalid range set %d: mixed address families" % i)
    for a in range(len(rs)):
        for b in range(a + 1, len(rs)):
            if rs[a].overlaps(rs[b]):
                raise _cfg_err("invalid range set %d: subnets %s and %s overlap" % (i, rs[a], rs[b]))
    return rs


def _req_ip(s):
    if isinstance(s, str) and "/" in s:
        s = s.split("/", 1)[0]
    try:
        return parse_ip(s)
    except BadIP as e:
        raise CNIError(skel.ERR_INVALID_CONFIG, "cannot understand ip", str(e)) from None


class Config:
    def __init__(self, args):
        conf = args.conf
        ipam = conf.get("ipam")
        if not isinstance(ipam, dict):
            raise _cfg_err("IPAM config missing 'ipam' key")
        self.name = conf["name"]
        self.data_dir = ipam.get("dataDir") or DEFAULT_DATA_DIR
        if not isinstance(self.data_dir, str):
            raise _cfg_err("dataDir must be a string")
        self.resolv_conf = ipam.get("resolvConf") or ""
        routes = ipam.get("routes") or []
        if not isinstance(routes, list):
            raise _cfg_err("routes must be a list")
        self.routes = []
        for r in routes:
            try:
                parse_cidr(r.get("dst"))
                if r.get("gw"):
                    parse_ip(r["gw"])
            except (BadIP, AttributeError) as e:
                raise _cfg_err(f"invalid route {r!r}", str(e)) from None
            self.routes.append({k: v for k, v in r.items() if v not in (None, "")})

        # Requested addresses: CNI_ARGS IP=, args.cni.ips, runtimeConfig.ips.
        # CONVENTIONS.md: when args carries the equivalent key (args.cni.ips for
        # CNI_ARGS IP), a plugin that understands args must ignore the CNI_ARGS
        # field.  Go v1.1.1 appends both instead.
        self.requested = []
        env = skel.parse_cni_args(args.args, known=("IP", "K8S_POD_NAME", "K8S_POD_NAMESPACE",
                                                    "K8S_POD_INFRA_CONTAINER_ID", "K8S_POD_UID"))
        cargs = (conf.get("args") or {}).get("cni") or {}
        if not isinstance(cargs, dict):
            raise _cfg_err("args.cni must be an object")
        arg_ips = cargs.get("ips") or []
        if env.get("IP") and not arg_ips:
            for s in env["IP"].split(","):
                self.requested.append(_req_ip(s.strip()))
        for s in arg_ips:
            self.requested.append(_req_ip(s))
        rc = conf.get("runtimeConfig") or {}
        for s in rc.get("ips") or []:
            self.requested.append(_req_ip(s))

        raw_sets = []
        if ipam.get("subnet"):
            raw_sets.append([{k: ipam.get(k) for k in ("subnet", "rangeStart", "rangeEnd", "gateway")}])
        raw_sets = list(rc.get("ipRanges") or []) + raw_sets + list(ipam.get("ranges") or [])
        if not raw_sets:
            raise _cfg_err("no IP ranges specified")
        self.ranges = [_rangeset(rs, i) for i, rs in enumerate(raw_sets)]
        n4 = sum(1 for rs in self.ranges if rs[0].bits == 32)
        if (n4 > 1 or len(self.ranges) - n4 > 1) and skel.vtuple(args.version) < (0, 3, 0):
            raise _cfg_err(f"CNI version {args.version} does not support more than 1 address per family")
        for a in range(len(self.ranges)):
            for b in range(a + 1, len(self.ranges)):
                if any(x.overlaps(y) for x in self.ranges[a] for y in self.ranges[b]):
                    raise _cfg_err("range set %d overlaps with %d" % (a, b))


# --- store ----------------------------------------------------------------------

# The key index: which file may hold a given content, so that ADD (duplicate
# check), DEL and CHECK need not read every reservation file as Go does.
#
#   <dir>/.index.py-host-local = header line + records, one per reservation file:
#       "\n" H(content) NAME "\n"   H = 64-bit hash, NAME = the file name (hex)
#   Everything is written in a 16-letter alphabet of punctuation, so the file
#   never contains a container id or an address in clear text (no tool that greps
#   the dataDir for an id mistakes it for a reservation) and never equals
#   "<id>" or "<id>\r\n<ifname>" (Go's GetByID/ReleaseByID read every file).
#
# A record is only a hint: the file it names is read and compared before use, and
# stale records are dropped. The index is *complete* (every reservation file has
# a record) only while the directory is exactly as the last writer of the index
# left it.  That is proven with the directory's timestamps: after its own changes
# the writer sets the directory's mtime to one nanosecond *before* the mtime the
# kernel gave its last change, and stores (dev, inode, mtime, ctime) in the
# header.  Every later creation, removal or rename in the directory, e.g. a
# reservation by Go host-local (which knows nothing of this file), sets mtime and
# ctime to the same current time, so the stored pair, whose mtime differs from
# its ctime, can never come back, whatever the clock granularity or clock steps.
# A stale or damaged header (length, CRC) means: read every file, as Go does,
# and rebuild.  The index file is only rewritten in place, so writing it does
# not itself change the directory.

INDEX_NAME = ".index.py-host-local"
_ENC = str.maketrans("0123456789abcdef", "!#$%&()*+,:;<=>?")
_DEC = str.maketrans("!#$%&()*+,:;<=>?", "0123456789abcdef")
_MAGIC = b"^~^~"
_HDR_LEN = len(_MAGIC) + 5 * 16 + 8 + 1


def _khash(content):
    b = content.encode("utf-8", "surrogateescape")
    return (f"{crc32(b):08x}{crc32(b[::-1]):08x}").translate(_ENC)


def _enc_name(name):
    return name.encode("utf-8", "surrogateescape").hex().translate(_ENC)


def _dec_name(s):
    return bytes.fromhex(s.translate(_DEC)).decode("utf-8", "surrogateescape")


def _read_content(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace").strip()
    except OSError:
        return None


class Store:
    """Same layout and locking as Go's disk.Store (flock on <dir>/lock), plus the
    key index described above."""

    def __init__(self, data_dir, name, index=True):
        skel.validate_network_name(name)  # no '/', never '.' or '..'
        self.dir = os.join(data_dir, name)
        os.makedirs(self.dir, 0o755)
        self.lock_fd = os.open(os.join(self.dir, "lock"), os.O_CREAT | os.O_RDONLY, 0o750)
        self.use_index = index
        self.body = None      # index records (str) when known complete, else None
        self.dirty = False    # body differs from what the index file holds

    def __enter__(self):
        fcntl.flock(self.lock_fd, fcntl.LOCK_EX)
        if self.use_index:
            self._load_index()
        return self

    def __exit__(self, etype, *exc):
        try:
            if self.dirty and (etype is None or issubclass(etype, CNIError)):
                try:
                    self._save_index()
                except OSError:
                    pass  # only a hint: the next call reads every file
        finally:
            fcntl.flock(self.lock_fd, fcntl.LOCK_UN)
            os.close(self.lock_fd)

    # -- index file

    def _load_index(self):
        try:
            with open(os.join(self.dir, INDEX_NAME), "rb") as f:
                data = f.read()
            st = os.stat(self.dir)
        except OSError:
            return
        if len(data) < _HDR_LEN or not data.startswith(_MAGIC):
            return
        try:
            h = data[len(_MAGIC):_HDR_LEN - 1].decode("ascii").translate(_DEC)
            dev, ino, mt, ct, blen = (int(h[i:i + 16], 16) for i in range(0, 80, 16))
            crc = int(h[80:88], 16)
        except ValueError:
            return
        if (dev, ino, mt, ct) != (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns) \
                or mt == ct or len(data) != _HDR_LEN + blen or crc32(data[_HDR_LEN:]) != crc:
            return
        try:
            self.body = data[_HDR_LEN:].decode("ascii")
        except UnicodeDecodeError:
            return

    def _save_index(self):
        fd = os.open(os.join(self.dir, INDEX_NAME), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            body = self.body.encode("ascii")
            st = os.stat(self.dir)  # after every change of ours, the index file's creation included
            try:
                os.utime(self.dir, ns=(st.st_atime_ns, st.st_mtime_ns - 1))
                st = os.stat(self.dir)
                state = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
            except OSError:
                state = (0, 0, 0, 0)  # cannot prove completeness: never valid
            hdr = ("%016x" * 5 + "%08x") % (state + (len(body), crc32(body)))
            data = _MAGIC + hdr.translate(_ENC).encode() + b"\n" + body
            os.pwrite(fd, data, 0)
            os.ftruncate(fd, len(data))
        finally:
            os.close(fd)
        self.dirty = False

    def _scan(self):
        """Read every file (as Go does); rebuild the index from what is there."""
        found = list(self.entries())
        if self.use_index:
            self.body = "\n" + "".join(_khash(data) + _enc_name(name) + "\n"
                                       for _, name, ip, data in found if ip)
            self.dirty = True
        return found

    def _add_record(self, name, content):
        if self.body is not None:
            self.body += _khash(content) + _enc_name(name) + "\n"
            self.dirty = True

    def _drop_record(self, rec):
        if self.body is not None:
            self.body = self.body.replace("\n" + rec + "\n", "\n", 1)
            self.dirty = True

    def find(self, matches):
        """[(path, name, ip, content)] of the reservation files whose content is one
        of ``matches``: through the index when it is complete, else by reading all."""
        if self.body is None:
            return [e for e in self._scan() if e[2] and e[3] in matches]
        out, seen = [], set()
        for key in matches:
            h = "\n" + _khash(key)
            i = self.body.find(h)
            while i >= 0:
                j = self.body.index("\n", i + 1)
                rec = self.body[i + 1:j]
                i = self.body.find(h, j)
                name = _dec_name(rec[16:])
                if name in seen:
                    continue
                seen.add(name)
                path = os.join(self.dir, name)
                data = None if "/" in name else _read_content(path)
                if data is None or _khash(data) != rec[:16]:
                    self._drop_record(rec)  # released (or replaced) since
                    continue
                if data in matches:
                    try:
                        ip = parse_ip(name)
                    except BadIP:
                        continue
                    out.append((path, name, ip, data))
        return out

    # -- Go's disk.Store operations

    def reserve(self, cid, ifname, bits, v, range_id):
        """Create <dir>/<ip> holding "<id>\\r\\n<ifname>" atomically: the content is
        written to a temporary file that is then hard-linked into place (link(2)
        fails with EEXIST like O_EXCL, and readers never see a half-written file)."""
        ip = fmt_ip(bits, v)
        final = os.join(self.dir, ip)
        tmp = os.join(self.dir, ".tmp-%d-%s" % (os.getpid(), ip.replace(":", "_")))
        content = cid.strip() + LINE_BREAK + ifname
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, content.encode())
        finally:
            os.close(fd)
        try:
            os.link(tmp, final)
        except FileExistsError:
            return False
        finally:
            os.unlink(tmp)
        self._add_record(ip, content)
        self._write_last(range_id, ip)
        return True

    def _write_last(self, range_id, ip):
        path = os.join(self.dir, LAST_IP_PREFIX + str(range_id))
        tmp = os.join(self.dir, ".tmp-%d-last" % os.getpid())
        with open(tmp, "w") as f:
            f.write(ip)
        os.replace(tmp, path)

    def last_reserved(self, range_id):
        try:
            with open(os.join(self.dir, LAST_IP_PREFIX + str(range_id))) as f:
                return parse_ip(f.read().strip())
        except (OSError, BadIP):
            return None

    def entries(self):
        """Yield (path, name, ip (bits, int) or None, content stripped) for every file."""
        with os.scandir(self.dir) as it:
            for e in it:
                if not e.is_file(follow_symlinks=False):
                    continue
                data = _read_content(e.path)
                if data is None:
                    continue
                try:
                    ip = parse_ip(e.name)
                except BadIP:
                    ip = None
                yield e.path, e.name, ip, data

    def used(self):
        """Every address some file is named after (names only, no content read)."""
        out = set()
        for name in os.listdir(self.dir):
            try:
                out.add(parse_ip(name))
            except BadIP:
                pass
        return out

    def remove(self, path, name, data):
        try:
            os.unlink(path)
        except FileNotFoundError:
            return False
        self._drop_record(_khash(data) + _enc_name(name))
        return True

    def get_by_id(self, cid, ifname):
        return [ip for _, _, ip, _ in self.find((cid.strip() + LINE_BREAK + ifname, cid.strip()))]

    def release_by_id(self, cid, ifname):
        """Like Go: release files of "<id>\\r\\n<ifname>"; if there were none, the
        old id-only files."""
        new, old = cid.strip() + LINE_BREAK + ifname, cid.strip()
        held = self.find((new, old))
        for match in (new, old):
            found = False
            for path, name, _, data in held:
                if data == match and self.remove(path, name, data):
                    found = True
            if found:
                return


# --- allocation -----------------------------------------------------------------

def _candidates(rs, last):
    """Go's RangeIter order: start after the last reserved address (if it is in this
    range set) else at the first range's start; wrap across ranges; stop after one
    full turn.  Yields (range, int)."""
    n = len(rs)
    idx, cur, start = 0, None, None
    if last is not None:
        for i, r in enumerate(rs):
            if r.bits == last[0] and r.contains(last[1]):
                idx, cur = i, last[1]
                break
    if cur is None:
        cur = start = rs[0].start
        if rs[0].usable(cur):
            yield rs[0], cur
    while True:
        r = rs[idx]
        if cur == r.end:
            idx = (idx + 1) % n
            r = rs[idx]
            cur = r.start
        else:
            cur += 1
        if start is None:
            start = cur
        elif cur == start:
            return
        if r.usable(cur):
            yield r, cur


def _ipconf(r, v):
    return {"address": fmt_cidr(r.bits, v, r.plen), "gateway": fmt_ip(r.bits, r.gateway)}


def _allocate(store, rs, idx, args, requested):
    if requested is not None:
        bits, v = requested
        r = rs.range_for(bits, v)
        if v == r.gateway:
            raise CNIError(ERR_ALLOC, f"requested ip {fmt_ip(bits, v)} is subnet's gateway")
        if not store.reserve(args.container_id, args.ifname, bits, v, idx):
            raise CNIError(ERR_ALLOC, f"requested IP address {fmt_ip(bits, v)} is not available in range set {rs}")
        return _ipconf(r, v)
    for bits, v in store.get_by_id(args.container_id, args.ifname):
        if rs.range_for(bits, v):
            raise CNIError(ERR_ALLOC, f"{fmt_ip(bits, v)} has been allocated to {args.container_id}, duplicate allocation is not "
                           "allowed")
    for r, v in _candidates(rs, store.last_reserved(idx)):
        if store.reserve(args.container_id, args.ifname, r.bits, v, idx):
            return _ipconf(r, v)
    raise CNIError(ERR_ALLOC, f"no IP addresses available in range set: {rs}")


def parse_resolv_conf(path):
    dns = {}
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise CNIError(skel.ERR_INVALID_CONFIG, f"cannot read resolvConf {path}", str(e)) from None
    for line in lines:
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        fields = line.split()
        if len(fields) < 2:
            continue
        if fields[0] == "nameserver":
            dns.setdefault("nameservers", []).append(fields[1])
        elif fields[0] == "domain":
            dns["domain"] = fields[1]
        elif fields[0] == "search":
            dns.setdefault("search", []).extend(fields[1:])
        elif fields[0] == "options":
            dns.setdefault("options", []).extend(fields[1:])
    return dns


def cmd_add(args):
    cfg = Config(args)
    result = {"cniVersion": skel.CURRENT_VERSION, "ips": [], "routes": cfg.routes}
    if cfg.resolv_conf:
        result["dns"] = parse_resolv_conf(cfg.resolv_conf)
    requested = list(cfg.requested)
    with Store(cfg.data_dir, cfg.name) as store:
        try:
            for idx, rs in enumerate(cfg.ranges):
                want = None
                for i, (bits, v) in enumerate(requested):
                    if rs.range_for(bits, v):
                        want = requested.pop(i)
                        break
                try:
                    result["ips"].append(_allocate(store, rs, idx, args, want))
                except CNIError as e:
                    e.msg = "failed to allocate for range %d: %s" % (idx, e.msg)
                    raise
            if requested:
                raise CNIError(ERR_ALLOC, "failed to allocate all requested IPs: "
                               + " ".join(fmt_ip(b, v) for b, v in requested))
        except BaseException:
            if result["ips"]:
                store.release_by_id(args.container_id, args.ifname)
            raise
    return result


def cmd_del(args):
    cfg = Config(args)
    with Store(cfg.data_dir, cfg.name) as store:
        store.release_by_id(args.container_id, args.ifname)


def cmd_check(args):
    cfg = Config(args)
    prev = skel.parse_result(args.conf.get("prevResult"))
    with Store(cfg.data_dir, cfg.name) as store:
        held = set(store.get_by_id(args.container_id, args.ifname))
    if not held:
        raise CNIError(ERR_NOT_HELD, f"host-local: failed to find address added by container {args.container_id}")
    for ipc in (prev or {}).get("ips") or []:
        try:
            bits, v, _ = parse_cidr(ipc.get("address"))
        except BadIP as e:
            raise CNIError(skel.ERR_DECODE, "invalid prevResult address", str(e)) from None
        if any(rs.range_for(bits, v) for rs in cfg.ranges) and (bits, v) not in held:
            raise CNIError(ERR_NOT_HELD, f"host-local: address {fmt_ip(bits, v)} is not held by {args.container_id}/{args.ifname}")


def cmd_gc(args):
    cfg = Config(args)
    valid = args.conf.get("cni.dev/valid-attachments")
    if valid is None:
        valid = args.conf.get("cni.dev/attachments")
    if not isinstance(valid, list):
        raise CNIError(skel.ERR_INVALID_CONFIG, "GC needs a cni.dev/valid-attachments list")
    keep, keep_ids = set(), set()
    for a in valid:
        if not isinstance(a, dict):
            raise CNIError(skel.ERR_INVALID_CONFIG, f"invalid attachment {a!r}")
        cid = str(a.get("containerID", "")).strip()
        keep.add(cid + LINE_BREAK + str(a.get("ifname", "")))
        keep_ids.add(cid)
    errors = []
    with Store(cfg.data_dir, cfg.name) as store:
        for path, name, ip, data in store._scan():
            if ip is None:
                continue  # lock, last_reserved_ip.N, index, temp files
            if data in keep or (LINE_BREAK not in data and data in keep_ids):
                continue
            try:
                store.remove(path, name, data)
            except OSError as e:
                errors.append(f"{path}: {e}")
    if errors:
        raise CNIError(ERR_ALLOC, "GC could not release every stale address", "; ".join(errors))


def cmd_status(args):
    """Spec: a plugin with exhausted resources (e.g. IP addresses) returns an error;
    50 = "not available (cannot service ADD)".  51 would also claim that existing
    containers lose connectivity, which running out of addresses does not cause."""
    cfg = Config(args)
    try:
        store = Store(cfg.data_dir, cfg.name, index=False)
        with store:
            used = store.used()
    except OSError as e:
        raise CNIError(skel.ERR_NOT_AVAILABLE, "host-local: data dir unusable", str(e)) from None
    for idx, rs in enumerate(cfg.ranges):
        if all((r.bits, v) in used for r, v in _candidates(rs, None)):
            raise CNIError(skel.ERR_NOT_AVAILABLE,
                           "host-local: no IP addresses available in range set %d: %s" % (idx, rs))


HANDLERS = {"ADD": cmd_add, "DEL": cmd_del, "CHECK": cmd_check, "GC": cmd_gc, "STATUS": cmd_status}


def main():
    skel.plugin_main(HANDLERS, about="CNI host-local IPAM plugin (cnitest reference, Python)")


if __name__ == "__main__":
    main()
