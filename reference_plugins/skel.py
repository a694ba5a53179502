"""Shared CNI plugin skeleton: environment, stdin, version negotiation, errors,
CNI_ARGS parsing and result conversion between spec versions.

Only built-in modules are used here (through fastjson and fastos) so that plugins start fast.
Internally every plugin works on a *current* result (the 1.1.0 shape); it is
converted to the caller's cniVersion on output by :func:`convert_result`.
"""

import sys

from . import fastjson as json
from . import fastos

SUPPORTED_VERSIONS = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")
CURRENT_VERSION = "1.1.0"

# Well-known error codes (spec, section 5 "Error").
ERR_INCOMPATIBLE_VERSION = 1
ERR_UNSUPPORTED_FIELD = 2
ERR_UNKNOWN_CONTAINER = 3
ERR_INVALID_ENV = 4
ERR_IO = 5
ERR_DECODE = 6
ERR_INVALID_CONFIG = 7
ERR_TRY_AGAIN = 11
ERR_NOT_AVAILABLE = 50
ERR_NOT_AVAILABLE_LIMITED = 51
ERR_INTERNAL = 999  # what the Go skel uses for "any other error"; 100+ is plugin-specific

# Required environment variables per verb, from the spec's "Required environment
# parameters" lists (CNI_COMMAND is always required).
REQUIRED_ENV = {
    "ADD": ("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"),
    "CHECK": ("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"),
    "DEL": ("CNI_CONTAINERID", "CNI_IFNAME"),
    "GC": ("CNI_PATH",),
    "STATUS": (),
    "VERSION": (),
}


class CNIError(Exception):
    """An error reported to the runtime as the spec's error JSON."""

    def __init__(self, code, msg, details=""):
        super().__init__(msg)
        self.code = int(code)
        self.msg = str(msg)
        self.details = str(details or "")

    def to_dict(self, version):
        d = {"cniVersion": version, "code": self.code, "msg": self.msg}
        if self.details:
            d["details"] = self.details
        return d


def log(*parts):
    """Logs go to stderr only."""
    print(*parts, file=sys.stderr)


def vtuple(v):
    try:
        t = tuple(int(x) for x in str(v).split("."))
    except ValueError:
        raise CNIError(ERR_DECODE, f"invalid version {v!r}") from None
    if len(t) != 3:
        raise CNIError(ERR_DECODE, f"invalid version {v!r}")
    return t


def version_ge(a, b):
    return vtuple(a) >= vtuple(b)


# --- validation ---------------------------------------------------------------

_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_NAME_TAIL = _ALNUM | frozenset("_.-")


def valid_name(s):
    """Spec rule for container IDs and network names: first char ASCII alphanumeric,
    then any of alphanumeric, '_', '.', '-'."""
    return bool(s) and s[0] in _ALNUM and all(c in _NAME_TAIL for c in s)


def validate_container_id(cid):
    if not valid_name(cid):
        raise CNIError(ERR_INVALID_ENV, "invalid characters in CNI_CONTAINERID", cid)


def validate_ifname(name):
    if not name:
        raise CNIError(ERR_INVALID_ENV, "CNI_IFNAME is empty")
    if len(name) > 15 or len(name.encode()) > 15:
        raise CNIError(ERR_INVALID_ENV, "CNI_IFNAME is too long",
                       f"interface name should be at most 15 characters: {name!r}")
    if name in (".", ".."):
        raise CNIError(ERR_INVALID_ENV, "CNI_IFNAME is . or ..")
    for c in name:
        if c in "/:" or c.isspace():
            raise CNIError(ERR_INVALID_ENV,
                           "CNI_IFNAME contains / or : or whitespace characters", repr(name))


def validate_network_name(name):
    if not isinstance(name, str) or not name:
        raise CNIError(ERR_INVALID_CONFIG, "missing network name")
    if not valid_name(name):
        raise CNIError(ERR_INVALID_CONFIG, "invalid characters found in network name", name)


# --- CNI_ARGS -------------------------------------------------------------------

def parse_cni_args(s, known=()):
    """Parse "K=V;K=V".  Keys not in ``known`` are an error unless
    IgnoreUnknown is set to a true value (CONVENTIONS.md).  Returns a dict."""
    out = {}
    if not s:
        return out
    for pair in s.split(";"):
        if pair == "":
            continue
        k, sep, v = pair.partition("=")
        if not sep or not k:
            raise CNIError(ERR_INVALID_ENV, f"CNI_ARGS: invalid pair {pair!r}")
        out[k] = v
    ignore = out.get("IgnoreUnknown", "").lower() in ("1", "true", "t")
    for k in out:
        if k != "IgnoreUnknown" and k not in known and not ignore:
            raise CNIError(ERR_INVALID_ENV, f"CNI_ARGS: unknown key {k!r}",
                           "set IgnoreUnknown=1 to ignore unknown keys")
    return out


# --- results --------------------------------------------------------------------

def _ip_version(addr):
    return "6" if ":" in addr else "4"


def _drop_empty(d):
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}


def parse_result(res):
    """Turn a result of any supported version into the current (1.1.0) shape.
    Returns None for None/empty input."""
    if not res:
        return None
    if not isinstance(res, dict):
        raise CNIError(ERR_DECODE, "result is not a JSON object")
    ver = res.get("cniVersion") or "0.1.0"
    if ver not in SUPPORTED_VERSIONS:
        raise CNIError(ERR_INCOMPATIBLE_VERSION, f"unsupported result version {ver!r}")
    cur = {"cniVersion": CURRENT_VERSION, "interfaces": [], "ips": [], "routes": []}
    if vtuple(ver) < (0, 3, 0):
        for key in ("ip4", "ip6"):
            ipc = res.get(key)
            if not ipc:
                continue
            ent = {"address": ipc["ip"]}
            if ipc.get("gateway"):
                ent["gateway"] = ipc["gateway"]
            cur["ips"].append(ent)
            for r in ipc.get("routes") or []:
                cur["routes"].append(_drop_empty({"dst": r.get("dst"), "gw": r.get("gw")}))
    else:
        cur["interfaces"] = [dict(i) for i in res.get("interfaces") or []]
        for ipc in res.get("ips") or []:
            ent = {k: v for k, v in ipc.items() if k != "version"}
            cur["ips"].append(ent)
        cur["routes"] = [dict(r) for r in res.get("routes") or []]
    if res.get("dns"):
        cur["dns"] = dict(res["dns"])
    return cur


_ROUTE_KEYS_11 = ("dst", "gw", "mtu", "advmss", "priority", "table", "scope")
_IFACE_KEYS_11 = ("name", "mac", "mtu", "sandbox", "socketPath", "pciID")


def convert_result(cur, version):
    """Convert a current (1.1.0 shape) result dict into ``version``'s shape."""
    vt = vtuple(version)
    dns = _drop_empty(cur.get("dns") or {})
    if vt < (0, 3, 0):
        out = {"cniVersion": version}
        for ipc in cur.get("ips") or []:
            key = "ip6" if _ip_version(ipc["address"]) == "6" else "ip4"
            if key not in out:
                out[key] = _drop_empty({"ip": ipc["address"], "gateway": ipc.get("gateway")})
        for r in cur.get("routes") or []:
            key = "ip6" if ":" in r["dst"] else "ip4"
            if key in out:
                out[key].setdefault("routes", []).append(
                    _drop_empty({"dst": r["dst"], "gw": r.get("gw")}))
        if "ip4" not in out and "ip6" not in out:
            raise CNIError(ERR_INCOMPATIBLE_VERSION,
                           f"cannot convert result to {version}: no valid IP addresses")
        out["dns"] = dns  # always, even empty: SPEC.md lists dns among the keys an ADD result must have
        return out
    out = {"cniVersion": version}
    new = vt >= (1, 1, 0)
    ikeys = _IFACE_KEYS_11 if new else ("name", "mac", "mtu", "sandbox") if vt >= (1, 0, 0) \
        else ("name", "mac", "sandbox")
    rkeys = _ROUTE_KEYS_11 if new else ("dst", "gw")
    ifaces = [_drop_empty({k: i.get(k) for k in ikeys}) for i in cur.get("interfaces") or []]
    if ifaces:
        out["interfaces"] = ifaces
    ips = []
    for ipc in cur.get("ips") or []:
        ent = {}
        if vt < (1, 0, 0):
            ent["version"] = _ip_version(ipc["address"])
        if ipc.get("interface") is not None:
            ent["interface"] = ipc["interface"]
        ent["address"] = ipc["address"]
        if ipc.get("gateway"):
            ent["gateway"] = ipc["gateway"]
        ips.append(ent)
    if ips:
        out["ips"] = ips
    routes = [{k: r[k] for k in rkeys if r.get(k) not in (None, "")} for r in cur.get("routes") or []]
    if routes:
        out["routes"] = routes
    out["dns"] = dns  # always, even empty, as Go does: "must output a JSON object with the following keys"
    return out


# --- environment and dispatch ---------------------------------------------------

class CmdArgs:
    """Everything a verb handler needs."""

    __slots__ = ("command", "container_id", "netns", "ifname", "args", "path",
                 "stdin", "conf", "version", "env")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))

    def find_plugin(self, name):
        """Locate a plugin executable by name in CNI_PATH."""
        if not name or "/" in name or name in (".", ".."):
            raise CNIError(ERR_INVALID_CONFIG, f"invalid plugin type {name!r}")
        for d in self.path:
            p = fastos.join(d, name)
            if fastos.isfile(p) and fastos.access(p, fastos.X_OK):
                return p
        raise CNIError(ERR_INVALID_CONFIG, f"failed to find plugin {name!r} in path {self.path}")


def _emit(obj):
    sys.stdout.write(json.dumps(obj))
    sys.stdout.write("\n")
    sys.stdout.flush()


def _read_env(env):
    cmd = env.get("CNI_COMMAND", "")
    if not cmd:
        raise CNIError(ERR_INVALID_ENV, "required env variables [CNI_COMMAND] missing")
    if cmd not in REQUIRED_ENV:
        raise CNIError(ERR_INVALID_ENV, f"unknown CNI_COMMAND: {cmd}")
    missing = [v for v in REQUIRED_ENV[cmd] if not env.get(v)]
    if missing:
        raise CNIError(ERR_INVALID_ENV, "required env variables [{}] missing".format(",".join(missing)))
    a = CmdArgs(command=cmd, container_id=env.get("CNI_CONTAINERID", ""),
                netns=env.get("CNI_NETNS", ""), ifname=env.get("CNI_IFNAME", ""),
                args=env.get("CNI_ARGS", ""),
                path=[p for p in env.get("CNI_PATH", "").split(fastos.pathsep) if p])
    if cmd in ("ADD", "DEL", "CHECK"):
        validate_container_id(a.container_id)
        validate_ifname(a.ifname)
    return a


def _read_conf(data):
    try:
        conf = json.loads(data or b"")
    except ValueError as e:
        raise CNIError(ERR_DECODE, f"error unmarshalling network config: {e}") from None
    if not isinstance(conf, dict):
        raise CNIError(ERR_DECODE, "network config is not a JSON object")
    return conf


def _peek_version(data):
    """The request's cniVersion for error objects raised before the config is
    validated (e.g. a bad CNI_* variable): the stdin's cniVersion when it can be
    read and is one we know, 0.1.0 when the config has none (as libcni), else
    the current version."""
    try:
        conf = json.loads(data or b"")
    except ValueError:
        return CURRENT_VERSION
    if not isinstance(conf, dict):
        return CURRENT_VERSION
    ver = conf.get("cniVersion")
    if ver is None or ver == "":
        return "0.1.0"
    return ver if ver in SUPPORTED_VERSIONS else CURRENT_VERSION


_MIN_VERSION = {"CHECK": (0, 4, 0), "GC": (1, 1, 0), "STATUS": (1, 1, 0)}


def dispatch(handlers, env, data):
    """One CNI invocation without touching the process: ``env`` is the CNI_*
    environment (a mapping), ``data`` the stdin bytes.  Returns (exit status,
    output object or None).  ``handlers`` maps a verb (ADD, DEL, CHECK, GC, STATUS)
    to ``fn(CmdArgs)``; ADD returns a current (1.1.0 shape) result dict that is
    converted to the config's version, the others return None."""
    out_version = _peek_version(data)
    try:
        args = _read_env(env)
        if args.command == "VERSION":
            ver = CURRENT_VERSION
            try:
                v = json.loads(data or b"{}").get("cniVersion")
                if v in SUPPORTED_VERSIONS:
                    ver = v
            except (ValueError, AttributeError):
                pass
            return 0, {"cniVersion": ver, "supportedVersions": list(SUPPORTED_VERSIONS)}
        conf = _read_conf(data)
        ver = conf.get("cniVersion")
        if ver is None or ver == "":
            # libcni assumes 0.1.0; the spec makes the key required (cnitest rule config.cniversion.required)
            raise CNIError(ERR_INCOMPATIBLE_VERSION, "incompatible CNI versions", "the network config has no cniVersion")
        if not isinstance(ver, str):
            raise CNIError(ERR_DECODE, "cniVersion must be a string")
        if ver not in SUPPORTED_VERSIONS:
            raise CNIError(ERR_INCOMPATIBLE_VERSION, "incompatible CNI versions",
                           f"config is {ver!r}, plugin supports {list(SUPPORTED_VERSIONS)}")
        out_version = ver
        validate_network_name(conf.get("name"))
        minv = _MIN_VERSION.get(args.command)
        if minv and vtuple(ver) < minv:
            raise CNIError(ERR_INCOMPATIBLE_VERSION,
                           f"config version {ver} does not allow {args.command}")
        args.stdin = data
        args.conf = conf
        args.version = ver
        args.env = env
        fn = handlers.get(args.command)
        if fn is None:
            raise CNIError(ERR_INVALID_ENV, f"CNI_COMMAND {args.command} not implemented")
        res = fn(args)
        if args.command == "ADD":
            return 0, convert_result(res, ver)
        return 0, None
    except CNIError as e:
        return 1, e.to_dict(out_version)
    except Exception as e:  # keep errors readable, never a bare traceback on stdout
        import traceback
        traceback.print_exc(file=sys.stderr)
        return 1, CNIError(ERR_INTERNAL, f"{type(e).__name__}: {e}").to_dict(out_version)


def plugin_main(handlers, about=""):
    """Run one CNI invocation from the process environment and stdin; exits."""
    data = b""
    try:
        if not sys.stdin.isatty():
            data = sys.stdin.buffer.read()
    except (OSError, ValueError, AttributeError):  # closed or missing stdin
        data = b""
    rc, out = dispatch(handlers, fastos.environ(), data)
    if out is not None:
        try:
            _emit(out)
        except OSError:  # stdout closed by the caller: nothing more can be said
            pass
    fastos.exit_now(rc)
