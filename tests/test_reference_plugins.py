"""Black-box tests of the Python reference plugins (reference_plugins/) and their
interoperability with the Go plugins in /usr/lib/cni.

Network tests run only inside scratch namespaces created here (``t-host-*`` for the
plugin, ``t-cont-*`` for the container) and remove them in finalizers.

All subprocess/env plumbing is in :func:`run_plugin` so it can be swapped for the
harness runner later.
"""

import ipaddress
import json
import os
import pathlib
import subprocess
import uuid

import pytest

from reference_plugins import plugins_dir
from reference_plugins.host_local import INDEX_NAME

VERSIONS = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]
GO_DIR = pathlib.Path("/usr/lib/cni")
GO_VERSIONS = VERSIONS[:-1]  # Go plugins 1.1.1 stop at 1.0.0
ROOT = os.geteuid() == 0


# --- the one subprocess helper -------------------------------------------------

class Res:
    def __init__(self, rc, out, err):
        self.rc, self.raw, self.err = rc, out, err
        try:
            self.json = json.loads(out) if out.strip() else None
        except ValueError:
            self.json = None

    @property
    def code(self):
        return (self.json or {}).get("code")

    def __repr__(self):
        return f"Res(rc={self.rc!r}, out={self.raw[:400]!r}, err={self.err[-400:]!r})"


def run_plugin(plugin, command, conf, *, cid="c1", ifname="eth0", netns="/x", args=None,
               path=None, host_ns=None, env=None, unset=(), popen=False):
    """Run ``plugin`` (a path) once.  ``conf`` is a dict (or raw str/bytes) fed on stdin.
    ``host_ns`` names a scratch namespace to run the plugin in (via nsenter).
    Returns a Res, or the Popen object with ``popen=True``."""
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CNI_COMMAND": command,
         "CNI_CONTAINERID": cid, "CNI_IFNAME": ifname, "CNI_NETNS": netns,
         "CNI_PATH": path if path is not None else str(pathlib.Path(plugin).parent)}
    if args is not None:
        e["CNI_ARGS"] = args
    e.update(env or {})
    for k in unset:
        e.pop(k, None)
    e = {k: v for k, v in e.items() if v is not None}
    data = conf if isinstance(conf, (str, bytes)) else json.dumps(conf)
    if isinstance(data, str):
        data = data.encode()
    argv = [str(plugin)]
    if host_ns:
        argv = ["nsenter", f"--net=/var/run/netns/{host_ns}", "--"] + argv
    if popen:
        p = subprocess.Popen(argv, env=e, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        p.stdin.write(data)
        p.stdin.close()
        return p
    p = subprocess.run(argv, env=e, input=data, capture_output=True, timeout=60)
    return Res(p.returncode, p.stdout.decode(), p.stderr.decode())


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
    p = GO_DIR / "host-local"
    if not os.access(p, os.X_OK):
        pytest.skip("Go host-local not installed")
    return p


@pytest.fixture(scope="session")
def go_br():
    p = GO_DIR / "bridge"
    if not os.access(p, os.X_OK):
        pytest.skip("Go bridge not installed")
    return p


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
def test_version(py_dir, plugin, version):
    conf = {} if version is None else {"cniVersion": version}
    r = run_plugin(py_dir / plugin, "VERSION", conf)
    assert r.rc == 0, r
    assert r.json["supportedVersions"] == VERSIONS
    assert r.json["cniVersion"] == (version if version in VERSIONS else "1.1.0")


@pytest.mark.parametrize("kw,code", [
    ({"unset": ["CNI_COMMAND"]}, 4),
    ({"env": {"CNI_COMMAND": "FROB"}}, 4),
    ({"unset": ["CNI_CONTAINERID"]}, 4),
    ({"unset": ["CNI_NETNS"]}, 4),
    ({"ifname": ""}, 4),
    ({"cid": "-bad"}, 4),
    ({"cid": "a/b"}, 4),
    ({"ifname": "x" * 16}, 4),
    ({"ifname": "a:b"}, 4),
    ({"ifname": ".."}, 4),
    ({"ifname": "a b"}, 4),
])
def test_env_errors(py_hl, tmp_path, kw, code):
    r = run_plugin(py_hl, "ADD", ipam_conf(tmp_path), **kw)
    assert r.rc != 0 and r.code == code, r
    assert held(tmp_path) == {}


def test_del_does_not_need_netns(py_hl, tmp_path):
    r = run_plugin(py_hl, "DEL", ipam_conf(tmp_path), unset=["CNI_NETNS"])
    assert r.rc == 0, r


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
def test_config_errors(py_hl, conf, code):
    r = run_plugin(py_hl, "ADD", conf)
    assert r.rc != 0 and r.code == code, r


def test_cni_args_unknown_key(py_hl, tmp_path):
    r = run_plugin(py_hl, "ADD", ipam_conf(tmp_path), args="FOO=bar")
    assert r.rc != 0 and r.code == 4, r
    r = run_plugin(py_hl, "ADD", ipam_conf(tmp_path), args="IgnoreUnknown=1;FOO=bar")
    assert r.rc == 0, r


@pytest.mark.parametrize("cmd,minv", [("CHECK", "0.4.0"), ("GC", "1.1.0"), ("STATUS", "1.1.0")])
def test_verbs_refused_below_version(py_hl, tmp_path, cmd, minv):
    for v in VERSIONS:
        conf = ipam_conf(tmp_path, v)
        conf["cni.dev/valid-attachments"] = []
        r = run_plugin(py_hl, cmd, conf)
        if VERSIONS.index(v) < VERSIONS.index(minv):
            assert r.rc != 0 and r.code == 1, (v, r)
        else:
            assert r.code != 1, (v, r)


# --- host-local -----------------------------------------------------------------

def two_family(tmp_path, v):
    return ipam_conf(tmp_path, v, ranges=[[{"subnet": "10.50.0.0/24"}], [{"subnet": "fd00:50::/120"}]],
                     routes=[{"dst": "0.0.0.0/0"}, {"dst": "::/0"}])


@pytest.mark.parametrize("version", VERSIONS)
def test_host_local_result_shape(py_hl, tmp_path, version):
    r = run_plugin(py_hl, "ADD", two_family(tmp_path, version))
    assert r.rc == 0, r
    res = r.json
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
    r = run_plugin(py_hl, "DEL", two_family(tmp_path, version))
    assert r.rc == 0, r
    assert held(tmp_path) == {}
    r = run_plugin(py_hl, "DEL", two_family(tmp_path, version))
    assert r.rc == 0, r


@pytest.mark.parametrize("version", GO_VERSIONS)
def test_host_local_same_output_as_go(py_hl, go_hl, tmp_path, version):
    conf_py = two_family(tmp_path / "py", version)
    conf_go = two_family(tmp_path / "go", version)
    for c in (conf_py, conf_go):
        c["ipam"]["ranges"][0][0].update(rangeStart="10.50.0.10", rangeEnd="10.50.0.20",
                                          gateway="10.50.0.254")
    for i in range(3):
        a = run_plugin(py_hl, "ADD", conf_py, cid="k%d" % i)
        b = run_plugin(go_hl, "ADD", conf_go, cid="k%d" % i)
        assert a.rc == 0 and b.rc == 0, (a, b)
        assert _strip_empty_dns(a.json) == _strip_empty_dns(b.json)
    assert held(tmp_path / "py") == held(tmp_path / "go")
    # the same files as Go, plus the Python plugin's key index
    assert sorted(set(os.listdir(tmp_path / "py" / "net1")) - {INDEX_NAME}) == sorted(os.listdir(tmp_path / "go" / "net1"))
    for f in ("last_reserved_ip.0", "last_reserved_ip.1"):
        assert (tmp_path / "py" / "net1" / f).read_text() == (tmp_path / "go" / "net1" / f).read_text()


def test_host_local_exhaustion_and_status(py_hl, tmp_path):
    # /29: .1 gateway, .2-.6 allocatable, .7 broadcast
    conf = ipam_conf(tmp_path, "1.1.0", ranges=[[{"subnet": "10.60.0.0/29"}]])
    got = []
    for i in range(5):
        assert run_plugin(py_hl, "STATUS", conf).rc == 0
        r = run_plugin(py_hl, "ADD", conf, cid="e%d" % i)
        assert r.rc == 0, r
        got.append(r.json["ips"][0]["address"])
    assert got == ["10.60.0.%d/29" % i for i in range(2, 7)]
    r = run_plugin(py_hl, "ADD", conf, cid="e9")
    assert r.rc != 0 and r.code >= 100 and "no IP addresses available" in r.json["msg"], r
    r = run_plugin(py_hl, "STATUS", conf)
    assert r.rc != 0 and r.code == 50, r
    assert run_plugin(py_hl, "DEL", conf, cid="e3").rc == 0
    assert run_plugin(py_hl, "STATUS", conf).rc == 0
    r = run_plugin(py_hl, "ADD", conf, cid="e9")
    assert r.json["ips"][0]["address"] == "10.60.0.5/29", r


def test_host_local_wraps_after_last_reserved(py_hl, tmp_path):
    conf = ipam_conf(tmp_path, ranges=[[{"subnet": "10.61.0.0/24", "rangeStart": "10.61.0.10",
                                         "rangeEnd": "10.61.0.12"}]])
    addrs = [run_plugin(py_hl, "ADD", conf, cid="w%d" % i).json["ips"][0]["address"] for i in range(3)]
    assert addrs == ["10.61.0.10/24", "10.61.0.11/24", "10.61.0.12/24"]
    assert run_plugin(py_hl, "DEL", conf, cid="w0").rc == 0
    r = run_plugin(py_hl, "ADD", conf, cid="w3")
    assert r.json["ips"][0]["address"] == "10.61.0.10/24"


def test_host_local_old_subnet_form(py_hl, tmp_path):
    conf = {"cniVersion": "0.2.0", "name": "old",
            "ipam": {"type": "host-local", "subnet": "10.62.0.0/16", "rangeStart": "10.62.1.5",
                     "rangeEnd": "10.62.1.9", "gateway": "10.62.0.254", "dataDir": str(tmp_path),
                     "routes": [{"dst": "192.168.0.0/16", "gw": "10.62.0.253"}]}}
    r = run_plugin(py_hl, "ADD", conf)
    assert r.rc == 0, r
    assert r.json["ip4"] == {"ip": "10.62.1.5/16", "gateway": "10.62.0.254",
                             "routes": [{"dst": "192.168.0.0/16", "gw": "10.62.0.253"}]}
    assert held(tmp_path, "old") == {"10.62.1.5": "c1\r\neth0"}


def test_host_local_ip_arg_and_runtime_config(py_hl, tmp_path):
    conf = ipam_conf(tmp_path)
    r = run_plugin(py_hl, "ADD", conf, cid="a", args="IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.50.0.77")
    assert r.rc == 0 and r.json["ips"][0]["address"] == "10.50.0.77/24", r
    r = run_plugin(py_hl, "ADD", conf, cid="b", args="IP=10.50.0.77")
    assert r.rc != 0 and "not available" in r.json["msg"], r
    r = run_plugin(py_hl, "ADD", conf, cid="b", args="IP=10.50.0.1")
    assert r.rc != 0 and "gateway" in r.json["msg"], r
    r = run_plugin(py_hl, "ADD", conf, cid="b", args="IP=10.99.0.1")
    assert r.rc != 0 and "failed to allocate all requested IPs" in r.json["msg"], r
    c2 = dict(conf, runtimeConfig={"ips": ["10.50.0.88/24"]})
    r = run_plugin(py_hl, "ADD", c2, cid="b")
    assert r.rc == 0 and r.json["ips"][0]["address"] == "10.50.0.88/24", r
    c3 = dict(conf, runtimeConfig={"ipRanges": [[{"subnet": "10.70.0.0/24"}]]})
    r = run_plugin(py_hl, "ADD", c3, cid="c")
    assert r.rc == 0 and [i["address"] for i in r.json["ips"]] == ["10.70.0.2/24", "10.50.0.2/24"], r
    assert held(tmp_path) == {"10.50.0.77": "a\r\neth0", "10.50.0.88": "b\r\neth0",
                              "10.70.0.2": "c\r\neth0", "10.50.0.2": "c\r\neth0"}
    # a failure releases the addresses already taken for this attachment
    c4 = dict(conf, runtimeConfig={"ipRanges": [[{"subnet": "10.71.0.0/24"}]]})
    r = run_plugin(py_hl, "ADD", c4, cid="d", args="IP=10.50.0.77")
    assert r.rc != 0
    assert not [ip for ip, who in held(tmp_path).items() if who.startswith("d\r")]


def test_host_local_args_win_over_cni_args(py_hl, tmp_path):
    """CONVENTIONS.md: args.cni.ips present -> the CNI_ARGS IP field is ignored."""
    conf = dict(ipam_conf(tmp_path), args={"cni": {"ips": ["10.50.0.42/24"]}})
    r = run_plugin(py_hl, "ADD", conf, cid="a", args="IgnoreUnknown=1;IP=10.50.0.43")
    assert r.rc == 0 and [i["address"] for i in r.json["ips"]] == ["10.50.0.42/24"], r
    assert held(tmp_path) == {"10.50.0.42": "a\r\neth0"}


def test_host_local_duplicate_add_refused(py_hl, tmp_path):
    conf = ipam_conf(tmp_path)
    assert run_plugin(py_hl, "ADD", conf).rc == 0
    r = run_plugin(py_hl, "ADD", conf)
    assert r.rc != 0 and "duplicate" in r.json["msg"], r
    assert run_plugin(py_hl, "ADD", conf, ifname="eth1").rc == 0


def test_host_local_check(py_hl, tmp_path):
    conf = ipam_conf(tmp_path, "0.4.0")
    add = run_plugin(py_hl, "ADD", conf)
    chk = dict(conf, prevResult=add.json)
    assert run_plugin(py_hl, "CHECK", chk).rc == 0
    assert run_plugin(py_hl, "CHECK", chk, ifname="eth9").rc != 0
    other = dict(conf, prevResult=dict(add.json, ips=[{"version": "4", "address": "10.50.0.99/24"}]))
    assert run_plugin(py_hl, "CHECK", other).rc != 0
    assert run_plugin(py_hl, "DEL", conf).rc == 0
    r = run_plugin(py_hl, "CHECK", chk)
    assert r.rc != 0 and r.code >= 100, r


@pytest.mark.parametrize("key", ["cni.dev/valid-attachments", "cni.dev/attachments"])
def test_host_local_gc(py_hl, tmp_path, key):
    conf = two_family(tmp_path, "1.1.0")
    for cid, ifn in (("g1", "eth0"), ("g1", "eth1"), ("g2", "eth0")):
        assert run_plugin(py_hl, "ADD", conf, cid=cid, ifname=ifn).rc == 0
    # an old-format (id only) reservation of a still valid container is kept
    (tmp_path / "net1" / "10.50.0.200").write_text("g2")
    (tmp_path / "net1" / "10.50.0.201").write_text("gone")
    gc = dict(conf, **{key: [{"containerID": "g1", "ifname": "eth1"}, {"containerID": "g2", "ifname": "eth0"}]})
    r = run_plugin(py_hl, "GC", gc, unset=["CNI_CONTAINERID", "CNI_IFNAME", "CNI_NETNS"])
    assert r.rc == 0 and r.raw.strip() == "", r
    assert held(tmp_path) == {"10.50.0.3": "g1\r\neth1", "fd00:50::3": "g1\r\neth1",
                              "10.50.0.4": "g2\r\neth0", "fd00:50::4": "g2\r\neth0",
                              "10.50.0.200": "g2"}
    assert (tmp_path / "net1" / "lock").exists()
    assert (tmp_path / "net1" / "last_reserved_ip.0").exists()


def test_host_local_releases_old_format(py_hl, go_hl, tmp_path):
    conf = ipam_conf(tmp_path)
    d = tmp_path / "net1"
    d.mkdir()
    (d / "10.50.0.9").write_text("oldc")
    for plugin in (py_hl, go_hl):
        (d / "10.50.0.9").write_text("oldc")
        r = run_plugin(plugin, "CHECK", dict(conf, prevResult={"cniVersion": "1.0.0", "ips": [
            {"address": "10.50.0.9/24"}]}), cid="oldc")
        assert r.rc == 0, (plugin, r)
        assert run_plugin(plugin, "DEL", conf, cid="oldc").rc == 0
        assert held(tmp_path) == {}, plugin


def test_host_local_no_write_outside_datadir(py_hl, tmp_path):
    for name in ("..", "a/../../x", "/etc"):
        r = run_plugin(py_hl, "ADD", ipam_conf(tmp_path / "d", name=name))
        assert r.rc != 0 and r.code == 7, r
    assert not (tmp_path / "x").exists()


# --- Go <-> Python interop on one dataDir --------------------------------------

def test_interop_take_turns(py_hl, go_hl, tmp_path):
    conf = ipam_conf(tmp_path, "1.0.0", ranges=[[{"subnet": "10.80.0.0/28"}], [{"subnet": "fd00:80::/124"}]])
    seen = set()
    for i in range(10):
        plugin = (py_hl, go_hl)[i % 2]
        r = run_plugin(plugin, "ADD", conf, cid="t%d" % i)
        assert r.rc == 0, (plugin, r)
        for ip in r.json["ips"]:
            assert ip["address"] not in seen
            seen.add(ip["address"])
    assert len(held(tmp_path)) == 20
    # release in the other implementation
    for i in range(10):
        plugin = (go_hl, py_hl)[i % 2]
        assert run_plugin(plugin, "DEL", conf, cid="t%d" % i).rc == 0
        assert not [k for k, v in held(tmp_path).items() if v.startswith("t%d\r" % i)]
    assert held(tmp_path) == {}
    # both continue after the last reserved address written by the other
    a = run_plugin(go_hl, "ADD", conf, cid="x1").json["ips"][0]["address"]
    b = run_plugin(py_hl, "ADD", conf, cid="x2").json["ips"][0]["address"]
    c = run_plugin(go_hl, "ADD", conf, cid="x3").json["ips"][0]["address"]
    assert [a, b, c] == ["10.80.0.12/28", "10.80.0.13/28", "10.80.0.14/28"]


def _index_complete(data_dir):
    """Whether the Python host-local would trust its key index for net1 right now."""
    from reference_plugins.host_local import Store
    with Store(str(data_dir), "net1") as store:
        return store.body is not None


def test_host_local_index_is_only_a_hint(py_hl, go_hl, tmp_path):
    """The key index (duplicate check, DEL, CHECK without reading every file) must
    never hide what Go host-local did in the same dataDir behind its back."""
    conf = ipam_conf(tmp_path, "1.0.0", ranges=[[{"subnet": "10.81.0.0/28"}], [{"subnet": "fd00:81::/124"}]])
    d = tmp_path / "net1"
    for cid in ("a", "b"):
        assert run_plugin(py_hl, "ADD", conf, cid=cid).rc == 0
    assert _index_complete(tmp_path)
    index = (d / INDEX_NAME).read_bytes()
    assert not any(chr(c).isalnum() for c in index), index  # no container id, no address in clear
    # Go reserves without updating the index: the index is stale, the duplicate is found
    assert run_plugin(go_hl, "ADD", conf, cid="g").rc == 0
    assert not _index_complete(tmp_path)
    r = run_plugin(py_hl, "ADD", conf, cid="g")
    assert r.rc != 0 and r.code == 100 and "duplicate" in r.json["msg"], r
    assert _index_complete(tmp_path)  # rebuilt from the files
    # Go releases behind the index's back: the stale hint is not a duplicate
    assert run_plugin(go_hl, "DEL", conf, cid="a").rc == 0
    r = run_plugin(py_hl, "ADD", conf, cid="a")
    assert r.rc == 0, r
    assert len([v for v in held(tmp_path).values() if v == "a\r\neth0"]) == 2
    # our DEL releases what Go reserved
    assert run_plugin(py_hl, "DEL", conf, cid="g").rc == 0
    assert not [v for v in held(tmp_path).values() if v.startswith("g\r")]
    # a change within the same clock tick: a reservation appears and the directory
    # mtime is put back; ctime still moves, so the index is no longer trusted
    assert _index_complete(tmp_path)
    st = os.stat(d)
    (d / "10.81.0.14").write_text("s\r\neth0")
    os.utime(d, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert not _index_complete(tmp_path)
    r = run_plugin(py_hl, "ADD", conf, cid="s")
    assert r.rc != 0 and "duplicate" in r.json["msg"], r
    # old id-only files, CHECK and DEL through the index
    (d / "fd00:81::e").write_text("old")
    assert run_plugin(py_hl, "CHECK", dict(conf, prevResult={"cniVersion": "1.0.0", "ips": [
        {"address": "fd00:81::e/124"}]}), cid="old").rc == 0
    assert _index_complete(tmp_path)
    assert run_plugin(py_hl, "DEL", conf, cid="old").rc == 0
    assert "fd00:81::e" not in held(tmp_path)
    # a damaged index is ignored
    (d / INDEX_NAME).write_bytes(index[:40] + b"garbage")
    r = run_plugin(py_hl, "ADD", conf, cid="b")
    assert r.rc != 0 and "duplicate" in r.json["msg"], r
    for cid in ("a", "b", "s"):
        assert run_plugin((py_hl, go_hl)[cid == "b"], "DEL", conf, cid=cid).rc == 0
    assert held(tmp_path) == {}


def test_concurrent_adds_no_duplicates(py_hl, go_hl, tmp_path):
    """64 concurrent ADDs (Python and Go mixed) on a range with 40 free addresses."""
    conf = ipam_conf(tmp_path, "1.0.0", ranges=[[{"subnet": "10.90.0.0/24", "rangeStart": "10.90.0.10",
                                                  "rangeEnd": "10.90.0.49"}]])
    procs = [run_plugin((py_hl, go_hl)[i % 2] if os.access(go_hl, os.X_OK) else py_hl, "ADD", conf,
                        cid="cc%d" % i, popen=True) for i in range(64)]
    results = []
    for p in procs:
        out, err = p.stdout.read(), p.stderr.read()
        p.wait(timeout=120)
        p.stdout.close()
        p.stderr.close()
        results.append(Res(p.returncode, out.decode(), err.decode()))
    ok = [r for r in results if r.rc == 0]
    assert len(ok) == 40, [r for r in results if r.rc != 0][:3]
    addrs = [r.json["ips"][0]["address"] for r in ok]
    assert len(set(addrs)) == 40
    assert len(held(tmp_path)) == 40
    assert not [f for f in os.listdir(tmp_path / "net1") if f.startswith(".tmp")]


# --- bridge (scratch namespaces only) -----------------------------------------

needs_root = pytest.mark.skipif(not ROOT, reason="needs root for network namespaces")


def _ip_json(ns, *argv):
    p = subprocess.run(["ip", "-n", ns, "-j"] + list(argv), capture_output=True, text=True, check=True)
    return json.loads(p.stdout or "[]")


@pytest.fixture
def nsp(request):
    """A (host, container) pair of scratch namespaces, removed afterwards."""
    tag = uuid.uuid4().hex[:8]
    host, cont = f"t-host-{tag}", f"t-cont-{tag}"
    made = []

    def fin():
        for n in made:
            subprocess.run(["ip", "netns", "del", n], capture_output=True)
    request.addfinalizer(fin)
    for n in (host, cont):
        subprocess.run(["ip", "netns", "add", n], check=True)
        made.append(n)
        subprocess.run(["ip", "-n", n, "link", "set", "lo", "up"], check=True)
    return host, cont


def br_conf(data_dir, version, **kw):
    c = {"cniVersion": version, "name": "brnet", "type": "bridge", "bridge": "tbr0",
         "isDefaultGateway": True,
         "ipam": {"type": "host-local", "dataDir": str(data_dir),
                  "ranges": [[{"subnet": "10.33.0.0/24"}]] + (
                      [[{"subnet": "fd00:33::/120"}]] if version not in ("0.1.0", "0.2.0") else [])}}
    c.update(kw)
    return c


def _links(ns):
    return {l["ifname"]: l for l in _ip_json(ns, "link", "show")}


def _addrs(ns, dev):
    out = _ip_json(ns, "addr", "show", "dev", dev)
    return {"%s/%d" % (a["local"], a["prefixlen"]) for a in out[0]["addr_info"]
            if not a["local"].startswith("fe80")}


def bridge_add(plugin, conf, host, cont, cid="b1", ifname="eth0", path=None):
    return run_plugin(plugin, "ADD", conf, cid=cid, ifname=ifname, netns="/var/run/netns/" + cont,
                      host_ns=host, path=path)


@needs_root
@pytest.mark.parametrize("version", VERSIONS)
def test_bridge_add_check_del(py_br, py_dir, nsp, tmp_path, version):
    host, cont = nsp
    conf = br_conf(tmp_path, version)
    r = bridge_add(py_br, conf, host, cont)
    assert r.rc == 0, r
    res = r.json
    assert res["cniVersion"] == version
    assert _addrs(cont, "eth0") >= {"10.33.0.2/24"}
    assert "10.33.0.1/24" in _addrs(host, "tbr0")
    routes = _ip_json(cont, "route", "show", "default")
    assert routes and routes[0]["gateway"] == "10.33.0.1"
    if version in ("0.1.0", "0.2.0"):
        assert res["ip4"]["ip"] == "10.33.0.2/24"
        assert res["ip4"]["routes"] == [{"dst": "0.0.0.0/0", "gw": "10.33.0.1"}]
    else:
        names = [i["name"] for i in res["interfaces"]]
        assert names[0] == "tbr0" and names[2] == "eth0" and names[1].startswith("veth")
        assert res["interfaces"][2]["sandbox"] == "/var/run/netns/" + cont
        links = _links(host)
        assert links[names[1]]["master"] == "tbr0"
        assert _links(cont)["eth0"]["address"] == res["interfaces"][2]["mac"]
        assert [i["interface"] for i in res["ips"]] == [2, 2]
        assert _addrs(cont, "eth0") == {"10.33.0.2/24", "fd00:33::2/120"}
        assert {"dst": "::/0", "gw": "fd00:33::1"} in res["routes"]
    chk = dict(conf, prevResult=res)
    r = run_plugin(py_br, "CHECK", chk, cid="b1", netns="/var/run/netns/" + cont, host_ns=host)
    if VERSIONS.index(version) < VERSIONS.index("0.4.0"):
        assert r.rc != 0 and r.code == 1, r
    else:
        assert r.rc == 0, r
        # CHECK notices a missing route / address
        subprocess.run(["ip", "-n", cont, "route", "del", "default"], check=True)
        r = run_plugin(py_br, "CHECK", chk, cid="b1", netns="/var/run/netns/" + cont, host_ns=host)
        assert r.rc != 0 and "route" in r.json["msg"], r
    r = run_plugin(py_br, "DEL", chk, cid="b1", netns="/var/run/netns/" + cont, host_ns=host)
    assert r.rc == 0, r
    assert "eth0" not in _links(cont)
    assert not [n for n in _links(host) if n.startswith("veth")]
    assert held(tmp_path, "brnet") == {}
    # DEL again, DEL without netns, DEL with the netns gone
    for netns in ("/var/run/netns/" + cont, "", "/var/run/netns/t-nonexistent"):
        r = run_plugin(py_br, "DEL", conf, cid="b1", netns=netns, host_ns=host)
        assert r.rc == 0, (netns, r)


@needs_root
def test_bridge_refuses_existing_ifname(py_br, nsp, tmp_path):
    host, cont = nsp
    subprocess.run(["ip", "-n", cont, "link", "add", "eth0", "type", "veth", "peer", "name", "peer0"], check=True)
    r = bridge_add(py_br, br_conf(tmp_path, "1.0.0"), host, cont)
    assert r.rc != 0, r
    assert held(tmp_path, "brnet") == {}


@needs_root
def test_bridge_ipam_failure_removes_veth(py_br, nsp, tmp_path):
    host, cont = nsp
    conf = br_conf(tmp_path, "1.0.0")
    conf["ipam"]["ranges"] = [[{"subnet": "10.34.0.0/30"}]]  # one address: .2
    assert bridge_add(py_br, conf, host, cont, cid="x1").rc == 0
    r = bridge_add(py_br, conf, host, cont, cid="x2", ifname="eth1")
    assert r.rc != 0 and "no IP addresses" in r.json["msg"], r
    assert "eth1" not in _links(cont)
    assert len([n for n in _links(host) if n.startswith("veth")]) == 1
    assert held(tmp_path, "brnet") == {"10.34.0.2": "x1\r\neth0"}


@needs_root
def test_bridge_failure_after_ipam_releases_address(py_br, nsp, tmp_path):
    host, cont = nsp
    subprocess.run(["ip", "-n", host, "link", "add", "tbr0", "type", "bridge"], check=True)
    subprocess.run(["ip", "-n", host, "addr", "add", "192.168.77.1/24", "dev", "tbr0"], check=True)
    conf = br_conf(tmp_path, "1.0.0")  # isGateway: wants 10.33.0.1/24 on tbr0 -> conflict
    r = bridge_add(py_br, conf, host, cont)
    assert r.rc != 0 and "already has an IP address" in r.json["msg"], r
    assert held(tmp_path, "brnet") == {}
    assert "eth0" not in _links(cont)
    assert not [n for n in _links(host) if n.startswith("veth")]
    conf["forceAddress"] = True
    r = bridge_add(py_br, conf, host, cont)
    assert r.rc == 0, r
    assert "192.168.77.1/24" not in _addrs(host, "tbr0")


@needs_root
def test_bridge_gc_and_status_delegate(py_br, nsp, tmp_path):
    host, cont = nsp
    conf = br_conf(tmp_path, "1.1.0")
    conf["ipam"]["ranges"] = [[{"subnet": "10.35.0.0/30"}]]
    assert bridge_add(py_br, conf, host, cont, cid="s1").rc == 0
    r = run_plugin(py_br, "STATUS", conf, host_ns=host)
    assert r.rc != 0 and r.code == 50, r
    gc = dict(conf, **{"cni.dev/valid-attachments": []})
    r = run_plugin(py_br, "GC", gc, host_ns=host)
    assert r.rc == 0, r
    assert held(tmp_path, "brnet") == {}
    assert run_plugin(py_br, "STATUS", conf, host_ns=host).rc == 0


@needs_root
@pytest.mark.parametrize("combo", ["py-bridge+go-host-local", "go-bridge+py-host-local"])
def test_bridge_interop(py_br, py_dir, go_br, go_hl, nsp, tmp_path, combo):
    host, cont = nsp
    if combo.startswith("py"):
        bridge, path = py_br, str(GO_DIR)
    else:
        bridge, path = go_br, str(py_dir)
    conf = br_conf(tmp_path, "1.0.0")
    r = bridge_add(bridge, conf, host, cont, path=path)
    assert r.rc == 0, r
    assert _addrs(cont, "eth0") == {"10.33.0.2/24", "fd00:33::2/120"}
    assert held(tmp_path, "brnet") == {"10.33.0.2": "b1\r\neth0", "fd00:33::2": "b1\r\neth0"}
    chk = dict(conf, prevResult=r.json)
    r = run_plugin(bridge, "CHECK", chk, cid="b1", netns="/var/run/netns/" + cont, host_ns=host,
                   path=path)
    assert r.rc == 0, r
    r = run_plugin(bridge, "DEL", chk, cid="b1", netns="/var/run/netns/" + cont, host_ns=host,
                   path=path)
    assert r.rc == 0, r
    assert held(tmp_path, "brnet") == {}
    assert "eth0" not in _links(cont)


@needs_root
def test_bridge_ipmasq_iptables(py_br, nsp, tmp_path):
    host, cont = nsp
    probe = subprocess.run(["ip", "netns", "exec", host, "iptables", "-w", "-t", "nat", "-S"],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"iptables not usable: {probe.stderr.decode().strip()}")
    conf = br_conf(tmp_path, "1.0.0", ipMasq=True)
    conf["ipam"]["ranges"] = conf["ipam"]["ranges"][:1]
    r = bridge_add(py_br, conf, host, cont)
    if r.rc != 0 and "iptables" in (r.json or {}).get("msg", ""):
        pytest.skip("iptables rule failed here: {}".format(r.json.get("details")))
    assert r.rc == 0, r
    rules = subprocess.run(["ip", "netns", "exec", host, "iptables", "-w", "-t", "nat", "-S"],
                           capture_output=True, text=True).stdout
    assert "MASQUERADE" in rules and "-s 10.33.0.2/32" in rules
    r = run_plugin(py_br, "DEL", conf, cid="b1", netns="/var/run/netns/" + cont, host_ns=host)
    assert r.rc == 0, r
    rules = subprocess.run(["ip", "netns", "exec", host, "iptables", "-w", "-t", "nat", "-S"],
                           capture_output=True, text=True).stdout
    assert "MASQUERADE" not in rules and "CNI-" not in rules
