"""Start-up/latency benchmark: Python reference plugins vs the Go plugins.

    python -m reference_plugins.benchmark [--go-dir /usr/lib/cni] [-n 30]

host-local runs directly with a temporary dataDir; bridge runs (via nsenter) in
scratch namespaces made and removed here.  Needs root for the bridge part.
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid

from . import plugins_dir


def _run(argv, env, data):
    p = subprocess.run(argv, env=env, input=data, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError("%s failed: %s %s" % (argv, p.stdout, p.stderr))


def _env(cmd, cid, netns, ifname, path):
    return {"PATH": os.environ.get("PATH", ""), "CNI_COMMAND": cmd, "CNI_CONTAINERID": cid,
            "CNI_NETNS": netns, "CNI_IFNAME": ifname, "CNI_PATH": path}


def bench_host_local(d, n):
    tmp = tempfile.mkdtemp()
    try:
        conf = json.dumps({"cniVersion": "1.0.0", "name": "bench", "ipam": {
            "type": "host-local", "ranges": [[{"subnet": "10.200.0.0/16"}]],
            "dataDir": tmp}}).encode()
        exe = os.path.join(d, "host-local")
        t = {}
        for cmd in ("ADD", "DEL"):
            t0 = time.perf_counter()
            for i in range(n):
                _run([exe], _env(cmd, "b%d" % i, "/x", "eth0", d), conf)
            t[cmd] = (time.perf_counter() - t0) / n * 1000
        return t
    finally:
        shutil.rmtree(tmp)


def bench_bridge(d, n):
    tag = uuid.uuid4().hex[:6]
    host, cont = "t-host-b%s" % tag, "t-cont-b%s" % tag
    tmp = tempfile.mkdtemp()
    try:
        for ns in (host, cont):
            subprocess.run(["ip", "netns", "add", ns], check=True)
        conf = json.dumps({"cniVersion": "1.0.0", "name": "bench", "type": "bridge",
                           "bridge": "bbr0", "isGateway": True, "ipam": {
                               "type": "host-local", "ranges": [[{"subnet": "10.201.0.0/16"}]],
                               "dataDir": tmp}}).encode()
        exe = ["nsenter", "--net=/var/run/netns/" + host, "--", os.path.join(d, "bridge")]
        t = {}
        for cmd in ("ADD", "DEL"):
            t0 = time.perf_counter()
            for i in range(n):
                _run(exe, _env(cmd, "b%d" % i, "/var/run/netns/" + cont, "e%d" % i, d), conf)
            t[cmd] = (time.perf_counter() - t0) / n * 1000
        t0 = time.perf_counter()
        for i in range(n):
            subprocess.run(["nsenter", "--net=/var/run/netns/" + host, "--", "true"], check=True)
        t["nsenter"] = (time.perf_counter() - t0) / n * 1000
        return t
    finally:
        for ns in (host, cont):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--go-dir", default="/usr/lib/cni")
    ap.add_argument("-n", type=int, default=30)
    a = ap.parse_args()
    py = str(plugins_dir())
    for name, fn in (("host-local", bench_host_local), ("bridge+host-local", bench_bridge)):
        for label, d in (("go", a.go_dir), ("python", py)):
            t = fn(d, a.n)
            print("%-18s %-6s " % (name, label)
                  + "  ".join("%s %.1f ms" % (k, v) for k, v in t.items()))


if __name__ == "__main__":
    main()
