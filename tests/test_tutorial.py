"""docs/TUTORIAL.md works as written.

Its ```sh blocks are run in order in one `bash -euo pipefail`, with namespace
names and a scratch directory unique to this run, and the outputs the tutorial
promises are checked block by block. Whatever happens, the namespaces and the
scratch directory are removed afterwards, and the run must leave no namespace
or link behind.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "TUTORIAL.md"
VENV_BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)
MARK = "@@tutorial-block-{}@@"


def blocks(text: str) -> list[tuple[str, str]]:
    """Every fenced block as (info string, body), in order."""
    return [(m.group(1).strip(), m.group(2)) for m in FENCE.finditer(text)]


def sh_blocks() -> list[str]:
    return [body for lang, body in blocks(TUTORIAL.read_text()) if lang == "sh"]


def netns_list() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def root_links() -> set[str]:
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
    return {line.split(":")[1].strip().split("@")[0] for line in out.splitlines() if line.strip()}


def test_every_block_is_sh_or_text():
    """A block in another language would silently escape the test below."""
    found = blocks(TUTORIAL.read_text())
    assert found, "no code blocks found"
    assert {lang for lang, _ in found} <= {"sh", "text"}, [lang for lang, _ in found]
    assert len(sh_blocks()) >= 10


def printed_after(sh_index: int) -> str:
    """The ```text block that follows the sh block `sh_index`: what the tutorial says it prints."""
    found = blocks(TUTORIAL.read_text())
    positions = [i for i, (lang, _) in enumerate(found) if lang == "sh"]
    after = found[positions[sh_index] + 1] if positions[sh_index] + 1 < len(found) else ("", "")
    return after[1] if after[0] == "text" else ""


def split_output(out: str, n: int) -> list[str]:
    """The output of each block, from the markers echoed between them."""
    parts = re.split(r"^@@tutorial-block-(\d+)@@$\n?", out, flags=re.M)
    per = [""] * n
    for i in range(1, len(parts) - 1, 2):
        per[int(parts[i])] = parts[i + 1]
    return per


@pytest.mark.skipif(os.geteuid() != 0, reason="the tutorial needs root (network namespaces)")
def test_tutorial_runs_as_written():
    for tool in ("ip", "ping"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (scripts/setup installs iproute2 and iputils-ping)")
    code = sh_blocks()
    tag = uuid.uuid4().hex[:8]
    host_ns, cont_ns = f"cnitut-{tag}-host", f"cnitut-{tag}-x"
    scratch = Path(tempfile.mkdtemp(prefix=f"cnitut-{tag}-"))
    cnixdir = scratch / "cni-experiments"
    script = "".join(f"echo {MARK.format(i)}\n{body}" for i, body in enumerate(code))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CNI_"))}
    env.update(PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '/usr/sbin:/usr/bin:/sbin:/bin')}",
               HOST_NS=host_ns, CONT_NS=cont_ns, CNIXDIR=str(cnixdir), HOME=str(scratch))

    ns_before, links_before = netns_list(), root_links()
    try:
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=scratch, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
        out = proc.stdout
        per = split_output(out, len(code))
        last = max((i for i, part in enumerate(per) if f"{MARK.format(i)}" in out), default=-1)
        assert proc.returncode == 0, (
            f"block {last} failed (exit {proc.returncode}):\n{code[last] if last >= 0 else ''}\n--- output ---\n{out[-6000:]}")

        def block_with(needle: str) -> int:
            return next(i for i, body in enumerate(code) if needle in body)

        # host-local, called directly twice: two addresses of 1000::/120, one file each in the state dir.
        hl = per[block_with('"$CNI_DIR/host-local" <<EOF')]
        got = re.findall(r'"address": "(1000::[0-9a-f]+)/120"', hl)
        assert len(got) == 2 and len(set(got)) == 2, hl
        state = per[block_with('ls -l "$STATE"')]
        for name in (*got, "last_reserved_ip.0", "lock"):
            assert re.search(rf"\s{re.escape(name)}$", state, re.M), (name, state)
        assert r"\r  \n   N   o   n   e" in state, state  # "<id>\r\nNone": the CRLF the tutorial points out
        released = per[block_with("releasing ${f##*/}")]
        assert released.count("releasing 1000::") == 2, released
        assert not re.search(r"^1000::[0-9a-f:]*$", released, re.M), released  # only the bookkeeping files left

        # bridge ADD: eth0 in the container holds an address of 1000::/120, and it answers a ping.
        add = per[block_with('"$CNI_DIR/bridge" <<EOF | python3')]
        assert '"sandbox": "/var/run/netns/' + cont_ns + '"' in add, add
        shown = per[block_with("container address:")]
        addr = re.search(r"^container address: (1000::[0-9a-f]+)$", shown, re.M)
        assert addr, shown
        addr = addr.group(1)
        assert f"inet6 {addr}/120 scope global" in shown, shown
        assert re.search(r"^default via 1000::1 dev eth0", shown, re.M), shown
        assert re.search(r"^cbr0\s+UP", shown, re.M), shown
        ping = per[block_with("ping -6 -c1")]
        assert f"64 bytes from {addr}" in ping and " 0% packet loss" in ping, ping

        # DEL with the ID read back from the state file: reservation and eth0 gone.
        dele = per[block_with('CID=$(head -n1 "$STATE/$ADDR"')]
        assert re.search(r"^container ID: [0-9a-f-]{36}$", dele, re.M), dele
        gone = per[block_with('echo "$ADDR released"')]
        assert f"{addr} released" in gone and f"no eth0 in {cont_ns}" in gone, gone
        assert not re.search(r"^1000::[0-9a-f:]*$", gone, re.M), gone

        # cnitest exec: a validated result, the reservation kept on disk, then released.
        ex = per[block_with("cnitest exec ADD")]
        assert "-> exit 0" in ex and "valid: a well-formed 1.0.0 result document" in ex, ex
        ex_addr = re.search(r"\[(1000::[0-9a-f]+)/120", ex)
        assert ex_addr, ex
        ex_del = per[block_with("cnitest exec DEL")]
        assert re.search(rf"^{re.escape(ex_addr.group(1))}$", ex_del, re.M), ex_del  # held before DEL
        assert ex_del.count(ex_addr.group(1)) == 1, ex_del  # and not after it

        # The conformance suites, for one version: the summary lines the tutorial prints are the run's.
        suites = per[block_with("pytest --cni-plugin=")]
        assert re.search(r"spec 1\.0\.0\s+conforms", suites), suites[-3000:]
        for i, pattern in ((block_with("pytest --cni-plugin="), r"^\s+(spec 1\.0\.0|profile checks)\s"),
                           (block_with("cnitest exec ADD"), r"^\s+1: lo \(device\)"),
                           (block_with('ip -6 -o addr show dev eth0'), r"^lo\s")):
            promised = [line for line in printed_after(i).splitlines() if re.search(pattern, line)]
            assert promised, f"the tutorial shows no line like {pattern!r} after block {i}"
            actual = {" ".join(line.split()) for line in per[i].splitlines()}
            drifted = [line for line in promised if " ".join(line.split()) not in actual]
            assert not drifted, f"the tutorial prints {drifted}, the run printed:\n{per[i][-3000:]}"

        # The tutorial's own cleanup did its job.
        assert not {host_ns, cont_ns} & netns_list()
        assert not cnixdir.exists()
    finally:
        for ns in (cont_ns, host_ns):
            if ns in netns_list():
                subprocess.run(["ip", "netns", "del", ns], check=False)
        shutil.rmtree(scratch, ignore_errors=True)
    # Only this run's names: other tests may hold named namespaces of their own meanwhile (pytest -n).
    assert not {ns for ns in netns_list() - ns_before if tag in ns}
    assert root_links() == links_before
    assert not scratch.exists()
