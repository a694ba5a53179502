"""Black-box tests of the Python reference plugins (reference_plugins/) and their
interoperability with the Go plugins in /usr/lib/cni.

Every call goes through the harness runner (`cnitest.runner.Runner.invoke`), which
runs the plugin inside the sandbox host namespace of the `sandbox` fixture.
Container namespaces come from `cnitest.netns.new()`: they are held by a file
descriptor and vanish, with every link in them, when closed, so nothing is left
behind on this machine. What is inside a namespace is read over netlink
(`Namespace.snapshot()`, `Namespace.iproute()`); the dataDir by plain file reads.
"""

from __future__ import annotations

import ipaddress
import os
import pathlib
import socket
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from cnitest import netns
from cnitest.runner import Invocation, Runner
from reference_plugins import plugins_dir
from reference_plugins.host_local import INDEX_NAME

from .conftest import GO_PLUGINS, require_go

VERSIONS = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]
GO_VERSIONS = VERSIONS[:-1]  # Go plugins 1.1.1 stop at 1.0.0
ROOT = os.geteuid() == 0
NO_NETNS = "None"  # CNI_NETNS for host-local calls: IPAM never enters the container


# --- the one way to call a plugin here: Runner.invoke ------------------------------

def call(runner: Runner, verb: str, conf, *, cid: str | None = "c1", ifname: str | None = "eth0",
         ns: netns.Namespace | str | None = NO_NETNS, **kw) -> Invocation:
    """`runner.invoke` with this file's defaults (container "c1", interface "eth0")."""
    return runner.invoke(verb, conf, container_ns=ns, ifname=ifname, container_id=cid, **kw)


def ok(inv: Invocation) -> Invocation:
    assert inv.succeeded, inv.describe()
    return inv


def fails(inv: Invocation, code: int | None = None, words: str | None = None) -> Invocation:
    """A failure with an error document (of `code`, with `words` in its msg, when given)."""
    assert inv.failed_cleanly, inv.describe()
    if code is not None:
        assert inv.error.code == code, inv.describe()
    if words is not None:
        assert words in inv.error.msg, inv.describe()
    return inv


def first_address(inv: Invocation) -> str:
    ok(inv)
    return inv.result["ips"][0]["address"]


# --- fixtures -------------------------------------------------------------------

@pytest.fixture(scope="session")
def py_dir():
    return plugins_dir()


@pytest.fixture(scope="session")
def py_hl(py_dir):
    return py_dir / "host-local"


@pytest.fixture(scope="session")
def py_br(py_dir):
    return py_dir / "bridge"


@pytest.fixture(scope="session")
def go_hl():
    return require_go("host-local")


@pytest.fixture(scope="session")
def go_br():
    return require_go("bridge")


@pytest.fixture
def hl(py_hl, sandbox):
    """A runner for the Python host-local."""
    return Runner(py_hl, sandbox, result_kind="ipam-result")


@pytest.fixture
def ghl(go_hl, sandbox):
    """A runner for the Go host-local, in the same sandbox."""
    return Runner(go_hl, sandbox, result_kind="ipam-result")


def ipam_conf(data_dir, version="1.0.0", name="net1", **ipam):
    ipam.setdefault("ranges", [[{"subnet": "10.50.0.0/24"}]])
    d = {"cniVersion": version, "name": name,
         "ipam": dict({"type": "host-local", "dataDir": str(data_dir)}, **ipam)}
    return d


def held(data_dir, name="net1"):
    """{ip: content} of the reservation files."""
    out = {}
    d = pathlib.Path(data_dir) / name
    if not d.exists():
        return out
    for f in d.iterdir():
        try:
            ipaddress.ip_address(f.name)
        except ValueError:
            continue
        out[f.name] = f.read_bytes().decode()
    return out


def _strip_empty_dns(d):
    d = dict(d)
    if d.get("dns") == {}:
        del d["dns"]
    return d


# --- skeleton / versions --------------------------------------------------------

@pytest.mark.parametrize("plugin", ["host-local", "bridge"])
@pytest.mark.parametrize("version", VERSIONS + [None, "9.9.9"])
def test_version(py_dir, sandbox, plugin, version):
    conf = {} if version is None else {"cniVersion": version}
    inv = ok(call(Runner(py_dir / plugin, sandbox), "VERSION", conf))
    assert inv.result["supportedVersions"] == VERSIONS, inv.describe()
    assert inv.result["cniVersion"] == (version if version in VERSIONS else "1.1.0"), inv.describe()


@pytest.mark.parametrize("kw,code", [
    ({"env": {"CNI_COMMAND": None}}, 4),
    ({"env": {"CNI_COMMAND": "FROB"}}, 4),
    ({"cid": None}, 4),
    ({"ns": None}, 4),
    ({"ifname": ""}, 4),
    ({"cid": "-bad"}, 4),
    ({"cid": "a/b"}, 4),
    ({"ifname": "x" * 16}, 4),
    ({"ifname": "a:b"}, 4),
    ({"ifname": ".."}, 4),
    ({"ifname": "a b"}, 4),
])
def test_env_errors(hl, tmp_path, kw, code):
    fails(call(hl, "ADD", ipam_conf(tmp_path), **kw), code)
    assert held(tmp_path) == {}


def test_del_does_not_need_netns(hl, tmp_path):
    inv = ok(call(hl, "DEL", ipam_conf(tmp_path), ns=None))
    assert "CNI_NETNS" not in inv.env


@pytest.mark.parametrize("conf,code", [
    (b"{not json", 6),
    (b"[1]", 6),
    ({"cniVersion": "0.5.0", "name": "n", "ipam": {}}, 1),
    ({"cniVersion": "banana", "name": "n", "ipam": {}}, 1),
    ({"cniVersion": "1.0.0", "ipam": {}}, 7),
    ({"cniVersion": "1.0.0", "name": "../etc", "ipam": {}}, 7),
    ({"cniVersion": "1.0.0", "name": "n"}, 7),
    ({"cniVersion": "1.0.0", "name": "n", "ipam": {"ranges": [[{"subnet": "10.0.0.0/31"}]]}}, 7),
    ({"cniVersion": "1.0.0", "name": "n", "ipam": {"ranges": [[{"subnet": "10.0.0.1/24"}]]}}, 7),
])
def test_config_errors(hl, conf, code):
    fails(call(hl, "ADD", conf), code)


def test_cni_args_unknown_key(hl, tmp_path):
    fails(call(hl, "ADD", ipam_conf(tmp_path), cni_args="FOO=bar"), 4)
    ok(call(hl, "ADD", ipam_conf(tmp_path), cni_args="IgnoreUnknown=1;FOO=bar"))


@pytest.mark.parametrize("cmd,minv", [("CHECK", "0.4.0"), ("GC", "1.1.0"), ("STATUS", "1.1.0")])
def test_verbs_refused_below_version(hl, tmp_path, cmd, minv):
    for v in VERSIONS:
        conf = ipam_conf(tmp_path, v)
        conf["cni.dev/valid-attachments"] = []
        inv = call(hl, cmd, conf)
        if VERSIONS.index(v) < VERSIONS.index(minv):
            assert inv.failed_cleanly and inv.error.code == 1, (v, inv.describe())
        else:
            assert inv.error is None or inv.error.code != 1, (v, inv.describe())


# --- host-local -----------------------------------------------------------------

def two_family(tmp_path, v):
    return ipam_conf(tmp_path, v, ranges=[[{"subnet": "10.50.0.0/24"}], [{"subnet": "fd00:50::/120"}]],
                     routes=[{"dst": "0.0.0.0/0"}, {"dst": "::/0"}])


@pytest.mark.parametrize("version", VERSIONS)
def test_host_local_result_shape(hl, tmp_path, version):
    res = ok(call(hl, "ADD", two_family(tmp_path, version))).result
    assert res["cniVersion"] == version
    if version in ("0.1.0", "0.2.0"):
        assert res["ip4"] == {"ip": "10.50.0.2/24", "gateway": "10.50.0.1",
                              "routes": [{"dst": "0.0.0.0/0"}]}
        assert res["ip6"] == {"ip": "fd00:50::2/120", "gateway": "fd00:50::1",
                              "routes": [{"dst": "::/0"}]}
        assert "ips" not in res
    else:
        ips = res["ips"]
        assert [i["address"] for i in ips] == ["10.50.0.2/24", "fd00:50::2/120"]
        if version.startswith("0."):
            assert [i["version"] for i in ips] == ["4", "6"]
        else:
            assert all("version" not in i for i in ips)
        assert all("interface" not in i for i in ips)
        assert res["routes"] == [{"dst": "0.0.0.0/0"}, {"dst": "::/0"}]
    assert held(tmp_path) == {"10.50.0.2": "c1\r\neth0", "fd00:50::2": "c1\r\neth0"}
    ok(call(hl, "DEL", two_family(tmp_path, version)))
    assert held(tmp_path) == {}
    ok(call(hl, "DEL", two_family(tmp_path, version)))


@pytest.mark.parametrize("version", GO_VERSIONS)
def test_host_local_same_output_as_go(hl, ghl, tmp_path, version):
    conf_py = two_family(tmp_path / "py", version)
    conf_go = two_family(tmp_path / "go", version)
    for c in (conf_py, conf_go):
        c["ipam"]["ranges"][0][0].update(rangeStart="10.50.0.10", rangeEnd="10.50.0.20",
                                          gateway="10.50.0.254")
    for i in range(3):
        a = ok(call(hl, "ADD", conf_py, cid=f"k{i}"))
        b = ok(call(ghl, "ADD", conf_go, cid=f"k{i}"))
        assert _strip_empty_dns(a.result) == _strip_empty_dns(b.result), (a.describe(), b.describe())
    assert held(tmp_path / "py") == held(tmp_path / "go")
    # the same files as Go, plus the Python plugin's key index
    assert sorted(set(os.listdir(tmp_path / "py" / "net1")) - {INDEX_NAME}) == sorted(os.listdir(tmp_path / "go" / "net1"))
    for f in ("last_reserved_ip.0", "last_reserved_ip.1"):
        assert (tmp_path / "py" / "net1" / f).read_text() == (tmp_path / "go" / "net1" / f).read_text()


def test_host_local_exhaustion_and_status(hl, tmp_path):
    # /29: .1 gateway, .2-.6 allocatable, .7 broadcast
    conf = ipam_conf(tmp_path, "1.1.0", ranges=[[{"subnet": "10.60.0.0/29"}]])
    got = []
    for i in range(5):
        ok(call(hl, "STATUS", conf))
        got.append(first_address(call(hl, "ADD", conf, cid=f"e{i}")))
    assert got == [f"10.60.0.{i}/29" for i in range(2, 7)]
    inv = fails(call(hl, "ADD", conf, cid="e9"), words="no IP addresses available")
    assert inv.error.code >= 100, inv.describe()
    fails(call(hl, "STATUS", conf), 50)
    ok(call(hl, "DEL", conf, cid="e3"))
    ok(call(hl, "STATUS", conf))
    assert first_address(call(hl, "ADD", conf, cid="e9")) == "10.60.0.5/29"


def test_host_local_wraps_after_last_reserved(hl, tmp_path):
    conf = ipam_conf(tmp_path, ranges=[[{"subnet": "10.61.0.0/24", "rangeStart": "10.61.0.10",
                                         "rangeEnd": "10.61.0.12"}]])
    addrs = [first_address(call(hl, "ADD", conf, cid=f"w{i}")) for i in range(3)]
    assert addrs == ["10.61.0.10/24", "10.61.0.11/24", "10.61.0.12/24"]
    ok(call(hl, "DEL", conf, cid="w0"))
    assert first_address(call(hl, "ADD", conf, cid="w3")) == "10.61.0.10/24"


def test_host_local_old_subnet_form(hl, tmp_path):
    conf = {"cniVersion": "0.2.0", "name": "old",
            "ipam": {"type": "host-local", "subnet": "10.62.0.0/16", "rangeStart": "10.62.1.5",
                     "rangeEnd": "10.62.1.9", "gateway": "10.62.0.254", "dataDir": str(tmp_path),
                     "routes": [{"dst": "192.168.0.0/16", "gw": "10.62.0.253"}]}}
    inv = ok(call(hl, "ADD", conf))
    assert inv.result["ip4"] == {"ip": "10.62.1.5/16", "gateway": "10.62.0.254",
                                 "routes": [{"dst": "192.168.0.0/16", "gw": "10.62.0.253"}]}
    assert held(tmp_path, "old") == {"10.62.1.5": "c1\r\neth0"}


def test_host_local_ip_arg_and_runtime_config(hl, tmp_path):
    conf = ipam_conf(tmp_path)
    inv = call(hl, "ADD", conf, cid="a", cni_args="IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.50.0.77")
    assert first_address(inv) == "10.50.0.77/24"
    fails(call(hl, "ADD", conf, cid="b", cni_args="IP=10.50.0.77"), words="not available")
    fails(call(hl, "ADD", conf, cid="b", cni_args="IP=10.50.0.1"), words="gateway")
    fails(call(hl, "ADD", conf, cid="b", cni_args="IP=10.99.0.1"), words="failed to allocate all requested IPs")
    c2 = dict(conf, runtimeConfig={"ips": ["10.50.0.88/24"]})
    assert first_address(call(hl, "ADD", c2, cid="b")) == "10.50.0.88/24"
    c3 = dict(conf, runtimeConfig={"ipRanges": [[{"subnet": "10.70.0.0/24"}]]})
    inv = ok(call(hl, "ADD", c3, cid="c"))
    assert [i["address"] for i in inv.result["ips"]] == ["10.70.0.2/24", "10.50.0.2/24"], inv.describe()
    assert held(tmp_path) == {"10.50.0.77": "a\r\neth0", "10.50.0.88": "b\r\neth0",
                              "10.70.0.2": "c\r\neth0", "10.50.0.2": "c\r\neth0"}
    # a failure releases the addresses already taken for this attachment
    c4 = dict(conf, runtimeConfig={"ipRanges": [[{"subnet": "10.71.0.0/24"}]]})
    inv = call(hl, "ADD", c4, cid="d", cni_args="IP=10.50.0.77")
    assert inv.exit_code != 0, inv.describe()
    assert not [ip for ip, who in held(tmp_path).items() if who.startswith("d\r")]


def test_host_local_args_win_over_cni_args(hl, tmp_path):
    """CONVENTIONS.md: args.cni.ips present -> the CNI_ARGS IP field is ignored."""
    conf = dict(ipam_conf(tmp_path), args={"cni": {"ips": ["10.50.0.42/24"]}})
    inv = ok(call(hl, "ADD", conf, cid="a", cni_args="IgnoreUnknown=1;IP=10.50.0.43"))
    assert [i["address"] for i in inv.result["ips"]] == ["10.50.0.42/24"], inv.describe()
    assert held(tmp_path) == {"10.50.0.42": "a\r\neth0"}


def test_host_local_duplicate_add_refused(hl, tmp_path):
    conf = ipam_conf(tmp_path)
    ok(call(hl, "ADD", conf))
    fails(call(hl, "ADD", conf), words="duplicate")
    ok(call(hl, "ADD", conf, ifname="eth1"))


def test_host_local_check(hl, tmp_path):
    conf = ipam_conf(tmp_path, "0.4.0")
    add = ok(call(hl, "ADD", conf))
    chk = dict(conf, prevResult=add.result)
    ok(call(hl, "CHECK", chk))
    inv = call(hl, "CHECK", chk, ifname="eth9")
    assert inv.exit_code != 0, inv.describe()
    other = dict(conf, prevResult=dict(add.result, ips=[{"version": "4", "address": "10.50.0.99/24"}]))
    inv = call(hl, "CHECK", other)
    assert inv.exit_code != 0, inv.describe()
    ok(call(hl, "DEL", conf))
    inv = fails(call(hl, "CHECK", chk))
    assert inv.error.code >= 100, inv.describe()


@pytest.mark.parametrize("key", ["cni.dev/valid-attachments", "cni.dev/attachments"])
def test_host_local_gc(hl, tmp_path, key):
    conf = two_family(tmp_path, "1.1.0")
    for cid, ifn in (("g1", "eth0"), ("g1", "eth1"), ("g2", "eth0")):
        ok(call(hl, "ADD", conf, cid=cid, ifname=ifn))
    # an old-format (id only) reservation of a still valid container is kept
    (tmp_path / "net1" / "10.50.0.200").write_text("g2")
    (tmp_path / "net1" / "10.50.0.201").write_text("gone")
    gc = dict(conf, **{key: [{"containerID": "g1", "ifname": "eth1"}, {"containerID": "g2", "ifname": "eth0"}]})
    inv = ok(call(hl, "GC", gc, cid=None, ifname=None, ns=None))
    assert not {"CNI_CONTAINERID", "CNI_IFNAME", "CNI_NETNS"} & set(inv.env)
    assert inv.stdout.strip() == b"", inv.describe()
    assert held(tmp_path) == {"10.50.0.3": "g1\r\neth1", "fd00:50::3": "g1\r\neth1",
                              "10.50.0.4": "g2\r\neth0", "fd00:50::4": "g2\r\neth0",
                              "10.50.0.200": "g2"}
    assert (tmp_path / "net1" / "lock").exists()
    assert (tmp_path / "net1" / "last_reserved_ip.0").exists()


def test_host_local_releases_old_format(hl, ghl, tmp_path):
    conf = ipam_conf(tmp_path)
    d = tmp_path / "net1"
    d.mkdir()
    (d / "10.50.0.9").write_text("oldc")
    for runner in (hl, ghl):
        (d / "10.50.0.9").write_text("oldc")
        chk = dict(conf, prevResult={"cniVersion": "1.0.0", "ips": [{"address": "10.50.0.9/24"}]})
        ok(call(runner, "CHECK", chk, cid="oldc"))
        ok(call(runner, "DEL", conf, cid="oldc"))
        assert held(tmp_path) == {}, runner.plugin


def test_host_local_no_write_outside_datadir(hl, tmp_path):
    for name in ("..", "a/../../x", "/etc"):
        fails(call(hl, "ADD", ipam_conf(tmp_path / "d", name=name)), 7)
    assert not (tmp_path / "x").exists()


# --- Go <-> Python interop on one dataDir --------------------------------------

def test_interop_take_turns(hl, ghl, tmp_path):
    conf = ipam_conf(tmp_path, "1.0.0", ranges=[[{"subnet": "10.80.0.0/28"}], [{"subnet": "fd00:80::/124"}]])
    seen = set()
    for i in range(10):
        inv = ok(call((hl, ghl)[i % 2], "ADD", conf, cid=f"t{i}"))
        for ip in inv.result["ips"]:
            assert ip["address"] not in seen, inv.describe()
            seen.add(ip["address"])
    assert len(held(tmp_path)) == 20
    # release in the other implementation
    for i in range(10):
        ok(call((ghl, hl)[i % 2], "DEL", conf, cid=f"t{i}"))
        assert not [k for k, v in held(tmp_path).items() if v.startswith(f"t{i}\r")]
    assert held(tmp_path) == {}
    # both continue after the last reserved address written by the other
    a = first_address(call(ghl, "ADD", conf, cid="x1"))
    b = first_address(call(hl, "ADD", conf, cid="x2"))
    c = first_address(call(ghl, "ADD", conf, cid="x3"))
    assert [a, b, c] == ["10.80.0.12/28", "10.80.0.13/28", "10.80.0.14/28"]


def _index_complete(data_dir):
    """Whether the Python host-local would trust its key index for net1 right now."""
    from reference_plugins.host_local import Store
    with Store(str(data_dir), "net1") as store:
        return store.body is not None


def test_host_local_index_is_only_a_hint(hl, ghl, tmp_path):
    """The key index (duplicate check, DEL, CHECK without reading every file) must
    never hide what Go host-local did in the same dataDir behind its back."""
    conf = ipam_conf(tmp_path, "1.0.0", ranges=[[{"subnet": "10.81.0.0/28"}], [{"subnet": "fd00:81::/124"}]])
    d = tmp_path / "net1"
    for cid in ("a", "b"):
        ok(call(hl, "ADD", conf, cid=cid))
    assert _index_complete(tmp_path)
    index = (d / INDEX_NAME).read_bytes()
    assert not any(chr(c).isalnum() for c in index), index  # no container id, no address in clear
    # Go reserves without updating the index: the index is stale, the duplicate is found
    ok(call(ghl, "ADD", conf, cid="g"))
    assert not _index_complete(tmp_path)
    fails(call(hl, "ADD", conf, cid="g"), 100, "duplicate")
    assert _index_complete(tmp_path)  # rebuilt from the files
    # Go releases behind the index's back: the stale hint is not a duplicate
    ok(call(ghl, "DEL", conf, cid="a"))
    ok(call(hl, "ADD", conf, cid="a"))
    assert len([v for v in held(tmp_path).values() if v == "a\r\neth0"]) == 2
    # our DEL releases what Go reserved
    ok(call(hl, "DEL", conf, cid="g"))
    assert not [v for v in held(tmp_path).values() if v.startswith("g\r")]
    # a change within the same clock tick: a reservation appears and the directory
    # mtime is put back; ctime still moves, so the index is no longer trusted
    assert _index_complete(tmp_path)
    st = os.stat(d)
    (d / "10.81.0.14").write_text("s\r\neth0")
    os.utime(d, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert not _index_complete(tmp_path)
    fails(call(hl, "ADD", conf, cid="s"), words="duplicate")
    # old id-only files, CHECK and DEL through the index
    (d / "fd00:81::e").write_text("old")
    ok(call(hl, "CHECK", dict(conf, prevResult={"cniVersion": "1.0.0", "ips": [
        {"address": "fd00:81::e/124"}]}), cid="old"))
    assert _index_complete(tmp_path)
    ok(call(hl, "DEL", conf, cid="old"))
    assert "fd00:81::e" not in held(tmp_path)
    # a damaged index is ignored
    (d / INDEX_NAME).write_bytes(index[:40] + b"garbage")
    fails(call(hl, "ADD", conf, cid="b"), words="duplicate")
    for cid in ("a", "b", "s"):
        ok(call((hl, ghl)[cid == "b"], "DEL", conf, cid=cid))
    assert held(tmp_path) == {}


def test_concurrent_adds_no_duplicates(py_hl, go_hl, sandbox, tmp_path):
    """64 concurrent ADDs (Python and Go mixed) on a range with 40 free addresses."""
    conf = ipam_conf(tmp_path, "1.0.0", ranges=[[{"subnet": "10.90.0.0/24", "rangeStart": "10.90.0.10",
                                                  "rangeEnd": "10.90.0.49"}]])
    runners = (Runner(py_hl, sandbox, timeout=120), Runner(go_hl, sandbox, timeout=120))
    with ThreadPoolExecutor(max_workers=64) as pool:
        results = list(pool.map(lambda i: call(runners[i % 2], "ADD", conf, cid=f"cc{i}"), range(64)))
    assert not [r for r in results if r.timed_out or r.problems], [r.describe() for r in results if r.problems][:3]
    good = [r for r in results if r.exit_code == 0]
    assert len(good) == 40, [r.describe() for r in results if r.exit_code != 0][:3]
    addrs = [r.result["ips"][0]["address"] for r in good]
    assert len(set(addrs)) == 40
    assert len(held(tmp_path)) == 40
    assert not [f for f in os.listdir(tmp_path / "net1") if f.startswith(".tmp")]


# --- bridge (fd-held scratch namespaces only) ----------------------------------

needs_root = pytest.mark.skipif(not ROOT, reason="needs root for network namespaces")


@pytest.fixture
def cont():
    """The container namespace (the `sandbox` fixture is the host one)."""
    with netns.new("t-cont") as ns:
        yield ns


def br_conf(data_dir, version, **kw):
    c = {"cniVersion": version, "name": "brnet", "type": "bridge", "bridge": "tbr0",
         "isDefaultGateway": True,
         "ipam": {"type": "host-local", "dataDir": str(data_dir),
                  "ranges": [[{"subnet": "10.33.0.0/24"}]] + (
                      [[{"subnet": "fd00:33::/120"}]] if version not in ("0.1.0", "0.2.0") else [])}}
    c.update(kw)
    return c


def _links(ns):
    """{name: Link} in `ns`, over netlink."""
    return {link.name: link for link in ns.snapshot().links}


def _veths(ns):
    return [name for name in _links(ns) if name.startswith("veth")]


def _addrs(ns, dev):
    """The addresses on `dev` in `ns` (IPv6 link-local ones left out), as CIDRs."""
    return {a.cidr for a in ns.snapshot().addresses_of(dev) if not a.address.startswith("fe80")}


def _default_gateways(ns):
    """Gateways of the IPv4 default routes in the main table (as `ip route show default`)."""
    return [r.gateway for r in ns.snapshot().routes
            if r.family == socket.AF_INET and r.dst == "0.0.0.0/0" and r.table == 254]


@needs_root
@pytest.mark.parametrize("version", VERSIONS)
def test_bridge_add_check_del(py_br, sandbox, cont, tmp_path, version):
    host = sandbox
    br = Runner(py_br, host)
    conf = br_conf(tmp_path, version)
    inv = ok(call(br, "ADD", conf, cid="b1", ns=cont))
    res = inv.result
    assert res["cniVersion"] == version
    assert _addrs(cont, "eth0") >= {"10.33.0.2/24"}
    assert "10.33.0.1/24" in _addrs(host, "tbr0")
    gateways = _default_gateways(cont)
    assert gateways and gateways[0] == "10.33.0.1", cont.snapshot().describe()
    if version in ("0.1.0", "0.2.0"):
        assert res["ip4"]["ip"] == "10.33.0.2/24"
        assert res["ip4"]["routes"] == [{"dst": "0.0.0.0/0", "gw": "10.33.0.1"}]
    else:
        names = [i["name"] for i in res["interfaces"]]
        assert names[0] == "tbr0" and names[2] == "eth0" and names[1].startswith("veth")
        assert res["interfaces"][2]["sandbox"] == cont.path
        links = _links(host)
        assert links[names[1]].master == links["tbr0"].index, host.snapshot().describe()
        assert _links(cont)["eth0"].mac == res["interfaces"][2]["mac"]
        assert [i["interface"] for i in res["ips"]] == [2, 2]
        assert _addrs(cont, "eth0") == {"10.33.0.2/24", "fd00:33::2/120"}
        assert {"dst": "::/0", "gw": "fd00:33::1"} in res["routes"]
    chk = dict(conf, prevResult=res)
    inv = call(br, "CHECK", chk, cid="b1", ns=cont)
    if VERSIONS.index(version) < VERSIONS.index("0.4.0"):
        fails(inv, 1)
    else:
        ok(inv)
        # CHECK notices a missing route / address
        cont.iproute(lambda ipr: ipr.route("del", family=socket.AF_INET, dst="0.0.0.0/0", table=254))
        assert not _default_gateways(cont)
        fails(call(br, "CHECK", chk, cid="b1", ns=cont), words="route")
    ok(call(br, "DEL", chk, cid="b1", ns=cont))
    assert "eth0" not in _links(cont)
    assert not _veths(host)
    assert held(tmp_path, "brnet") == {}
    # DEL again, DEL without netns, DEL with the netns gone
    for gone in (cont, "", f"/var/run/netns/t-nonexistent-{uuid.uuid4().hex[:8]}"):
        inv = call(br, "DEL", conf, cid="b1", ns=gone)
        assert inv.succeeded, (gone, inv.describe())


@needs_root
def test_bridge_refuses_existing_ifname(py_br, sandbox, cont, tmp_path):
    cont.iproute(lambda ipr: ipr.link("add", ifname="eth0", kind="veth", peer="peer0"))
    assert {"eth0", "peer0"} <= set(_links(cont))
    inv = call(Runner(py_br, sandbox), "ADD", br_conf(tmp_path, "1.0.0"), cid="b1", ns=cont)
    assert inv.exit_code != 0, inv.describe()
    assert held(tmp_path, "brnet") == {}


@needs_root
def test_bridge_ipam_failure_removes_veth(py_br, sandbox, cont, tmp_path):
    host = sandbox
    br = Runner(py_br, host)
    conf = br_conf(tmp_path, "1.0.0")
    conf["ipam"]["ranges"] = [[{"subnet": "10.34.0.0/30"}]]  # one address: .2
    ok(call(br, "ADD", conf, cid="x1", ns=cont))
    fails(call(br, "ADD", conf, cid="x2", ifname="eth1", ns=cont), words="no IP addresses")
    assert "eth1" not in _links(cont)
    assert len(_veths(host)) == 1
    assert held(tmp_path, "brnet") == {"10.34.0.2": "x1\r\neth0"}


def _add_bridge_with_address(ipr, name, address, prefixlen):
    ipr.link("add", ifname=name, kind="bridge")
    index = ipr.link_lookup(ifname=name)[0]
    ipr.addr("add", index=index, address=address, prefixlen=prefixlen)


@needs_root
def test_bridge_failure_after_ipam_releases_address(py_br, sandbox, cont, tmp_path):
    host = sandbox
    br = Runner(py_br, host)
    host.iproute(lambda ipr: _add_bridge_with_address(ipr, "tbr0", "192.168.77.1", 24))
    assert "192.168.77.1/24" in _addrs(host, "tbr0")
    conf = br_conf(tmp_path, "1.0.0")  # isGateway: wants 10.33.0.1/24 on tbr0 -> conflict
    fails(call(br, "ADD", conf, cid="b1", ns=cont), words="already has an IP address")
    assert held(tmp_path, "brnet") == {}
    assert "eth0" not in _links(cont)
    assert not _veths(host)
    conf["forceAddress"] = True
    ok(call(br, "ADD", conf, cid="b1", ns=cont))
    assert "192.168.77.1/24" not in _addrs(host, "tbr0")


@needs_root
def test_bridge_gc_and_status_delegate(py_br, sandbox, cont, tmp_path):
    br = Runner(py_br, sandbox)
    conf = br_conf(tmp_path, "1.1.0")
    conf["ipam"]["ranges"] = [[{"subnet": "10.35.0.0/30"}]]
    ok(call(br, "ADD", conf, cid="s1", ns=cont))
    fails(call(br, "STATUS", conf, cid=None, ifname=None, ns=None), 50)
    gc = dict(conf, **{"cni.dev/valid-attachments": []})
    ok(call(br, "GC", gc, cid=None, ifname=None, ns=None))
    assert held(tmp_path, "brnet") == {}
    ok(call(br, "STATUS", conf, cid=None, ifname=None, ns=None))


@needs_root
@pytest.mark.parametrize("combo", ["py-bridge+go-host-local", "go-bridge+py-host-local"])
def test_bridge_interop(py_br, py_dir, go_br, go_hl, sandbox, cont, tmp_path, combo):
    # CNI_PATH holds only the other implementation's directory, so that the
    # bridge cannot find the host-local next to itself.
    if combo.startswith("py"):
        bridge, path = py_br, str(GO_PLUGINS)
    else:
        bridge, path = go_br, str(py_dir)
    br = Runner(bridge, sandbox)
    only = {"CNI_PATH": path}
    conf = br_conf(tmp_path, "1.0.0")
    inv = ok(call(br, "ADD", conf, cid="b1", ns=cont, env=only))
    assert _addrs(cont, "eth0") == {"10.33.0.2/24", "fd00:33::2/120"}
    assert held(tmp_path, "brnet") == {"10.33.0.2": "b1\r\neth0", "fd00:33::2": "b1\r\neth0"}
    # the host-local of the other implementation did the allocation: only the
    # Python one keeps a key index
    assert (tmp_path / "brnet" / INDEX_NAME).exists() == combo.startswith("go")
    chk = dict(conf, prevResult=inv.result)
    ok(call(br, "CHECK", chk, cid="b1", ns=cont, env=only))
    ok(call(br, "DEL", chk, cid="b1", ns=cont, env=only))
    assert held(tmp_path, "brnet") == {}
    assert "eth0" not in _links(cont)


def _nat_rules(ns, save=True):
    """The nat table as iptables prints it, read inside `ns` (iptables is not netlink)."""
    argv = ["iptables-save", "-t", "nat"] if save else ["iptables", "-w", "-t", "nat", "-S"]
    return ns.run(lambda: subprocess.run(argv, capture_output=True, text=True))


@needs_root
def test_bridge_ipmasq_iptables(py_br, sandbox, cont, tmp_path):
    host = sandbox
    probe = _nat_rules(host, save=False)
    if probe.returncode != 0:
        pytest.skip(f"iptables not usable: {probe.stderr.strip()}")
    br = Runner(py_br, host)
    conf = br_conf(tmp_path, "1.0.0", ipMasq=True)
    conf["ipam"]["ranges"] = conf["ipam"]["ranges"][:1]
    inv = call(br, "ADD", conf, cid="b1", ns=cont)
    if inv.error is not None and "iptables" in inv.error.msg:
        pytest.skip(f"iptables rule failed here: {inv.error.details}")
    ok(inv)
    rules = _nat_rules(host)
    assert rules.returncode == 0, rules.stderr
    assert "MASQUERADE" in rules.stdout and "-s 10.33.0.2/32" in rules.stdout, rules.stdout
    ok(call(br, "DEL", conf, cid="b1", ns=cont))
    rules = _nat_rules(host)
    assert rules.returncode == 0, rules.stderr
    assert "MASQUERADE" not in rules.stdout and "CNI-" not in rules.stdout, rules.stdout
