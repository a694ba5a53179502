"""Python host-local against Go host-local, one process start per call, and the floor.

A CNI plugin is a new process on every call, so the Python plugin's cost is
mostly the interpreter's own start. This bench execs each binary directly
(posix_spawn, stdin from a file, stdout to /dev/null: no runner, no sandbox,
whose cost would hide the plugins' own), alternating Go and Python within each
round so that the load of a shared machine weighs on both alike, and prints
the medians:

- Python ADD / Go ADD and Python DEL / Go DEL (target <= 4x, issue 14), each
  round an ADD then a DEL of a fresh container id on a /16;
- the floor: ``python -I -S -c pass`` / Go ``host-local`` VERSION, i.e. what an
  interpreter that does nothing costs against the Go binary's shortest call.
  Both ratios above can only be this floor plus the plugin's own share, so when
  a ratio misses 4x the bench says how much of it the floor already takes.

``--variants`` adds other ways to launch the same sources, built in a temporary
directory, so what each start-up measure buys is measured in the same run:
``import`` (the normal import system with ``-IS``: what the launcher falls back
to without its bundle), ``-SEs`` (the launcher shape before issue 14: site
directories skipped but script dir and path search kept), and ``frozen off``
(the bundle with ``-X frozen_modules=off``). ``os._exit`` and not importing
``os`` are in the plugin code itself and so in every variant.

``--also NAME=PATH`` adds any other host-local executable, e.g. the launcher of
an older checkout (``git archive <commit> reference_plugins | tar -x -C /tmp/old``, then its
``reference_plugins.plugins_dir()``), to compare before and after in one run.

Usage: python bench/host_local_start.py [--rounds 100] [--variants] [--also NAME=PATH] [--go-dir /usr/lib/cni]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from reference_plugins import plugins_dir  # noqa: E402 (the checkout's own package, whatever is installed)

TARGET = 4.0
FLOOR = [sys.executable, "-I", "-S", "-c", "pass"]


def spawn(argv: list[str], env: dict[str, str], stdin: str) -> float:
    """Seconds from posix_spawn to exit of `argv`; a failing call ends the bench."""
    fd, null = os.open(stdin, os.O_RDONLY), os.open(os.devnull, os.O_WRONLY)
    try:
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=[(os.POSIX_SPAWN_DUP2, fd, 0), (os.POSIX_SPAWN_DUP2, null, 1)])
        _, status = os.waitpid(pid, 0)
        took = time.perf_counter() - start
    finally:
        os.close(fd)
        os.close(null)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} with CNI_COMMAND={env.get('CNI_COMMAND')} exited {os.waitstatus_to_exitcode(status)}")
    return took


def variants(tmp: Path, bindir: Path) -> dict[str, list[str]]:
    """Other launchers of the same sources (see the module docstring), written under `tmp`."""
    launcher = (bindir / "host-local").read_text()
    shebang, _, rest = launcher.partition("\n")
    root, package = str(bindir.parent.parent), bindir.parent.name
    plain = f"import sys\nsys.path.insert(0, {root!r})\nfrom {package}.host_local import main\nmain()\n"
    texts = {
        "import": f"{shebang}\n{plain}",
        "-SEs": f"#!{sys.executable} -SEs\nimport sys\nsys.path += [{root!r}]\nfrom {package}.host_local import main\nmain()\n",
        "frozen off": f"{shebang}Xfrozen_modules=off\n{rest}",
    }
    out = {}
    for name, text in texts.items():
        path = tmp / name.replace(" ", "-")
        path.write_text(text)
        path.chmod(0o755)
        out[name] = [str(path)]
    return out


def run(rounds: int, go_dir: Path, with_variants: bool, also: dict[str, str] | None = None) -> None:
    """Measure and print (see the module docstring)."""
    bindir = plugins_dir()
    with tempfile.TemporaryDirectory(prefix="cnitest-bench-") as tmp_name:
        tmp = Path(tmp_name)
        pythons = {"python": [str(bindir / "host-local")], **(variants(tmp, bindir) if with_variants else {}),
                   **{name: [path] for name, path in (also or {}).items()}}
        impls = {"go": [str(go_dir / "host-local")], **pythons}
        confs = {}
        for i, impl in enumerate(impls):
            confs[impl] = str(tmp / f"{i}.json")
            Path(confs[impl]).write_text(
                '{"cniVersion": "1.0.0", "name": "bench", "ipam": {"type": "host-local", '
                f'"ranges": [[{{"subnet": "10.{210 + i}.0.0/16"}}]], "dataDir": "{tmp}/data{i}"}}}}')
        base = {"CNI_NETNS": "/proc/self/ns/net", "CNI_IFNAME": "eth0", "CNI_PATH": str(go_dir), "PATH": "/usr/bin:/bin"}
        counter = {"n": 0}

        def call(impl: str, verb: str) -> Callable[[], float]:
            def measure() -> float:
                if impl == "go" and verb == "ADD":
                    counter["n"] += 1  # a fresh container id each round, released by its DEL
                env = {**base, "CNI_COMMAND": verb, "CNI_CONTAINERID": f"bench{counter['n']}"}
                return spawn(impls[impl], env, confs[impl])
            return measure

        names = [(impl, verb) for verb in ("ADD", "DEL") for impl in impls] + [("go", "VERSION"), ("floor", "")]
        measures = [call(impl, verb) for impl, verb in names[:-1]]
        measures.append(lambda: spawn(FLOOR, {}, os.devnull))
        samples: list[list[float]] = [[] for _ in names]
        for r in range(rounds + 5):  # 5 warm-up rounds, not counted
            for s, measure in zip(samples, measures):
                took = measure()
                if r >= 5:
                    s.append(took * 1000)
    med = {name: statistics.median(s) for name, s in zip(names, samples)}
    one, five, _ = os.getloadavg()
    print(f"host-local start-up, direct exec, {rounds} interleaved rounds, medians "
          f"(load average {one:.1f}, 5 min {five:.1f}, on {os.cpu_count()} cores); {sys.executable}")
    go_version, floor = med[("go", "VERSION")], med[("floor", "")]
    floor_ratio = floor / go_version
    for verb in ("ADD", "DEL"):
        go = med[("go", verb)]
        print(f"  Go {verb}: {go:6.2f} ms")
        for impl in pythons:
            py = med[(impl, verb)]
            mark = "" if impl != "python" else ("  <= 4x: met" if py / go <= TARGET else "  > 4x: NOT met")
            print(f"  {impl:10} {verb}: {py:6.2f} ms = {py / go:4.2f}x Go {verb}{mark}")
    print(f"  floor: python -I -S -c pass {floor:6.2f} ms / Go VERSION {go_version:6.2f} ms = {floor_ratio:4.2f}x")
    for verb in ("ADD", "DEL"):
        go, py = med[("go", verb)], med[("python", verb)]
        share = f"the plugin's own share above the floor is {py - floor:.2f} ms (Go's above its VERSION: {go - go_version:.2f} ms)"
        if py / go <= TARGET:
            print(f"  {verb}: {py / go:.2f}x <= {TARGET:g}x; {share}")
        else:
            print(f"  {verb}: {py / go:.2f}x > {TARGET:g}x because the interpreter alone takes {floor:.2f} ms = "
                  f"{floor / go:.2f}x Go {verb}, leaving {TARGET * go - floor:.2f} ms for the plugin; {share}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--variants", action="store_true", help="also measure other launchers of the same sources")
    parser.add_argument("--also", action="append", default=[], metavar="NAME=PATH", help="another host-local to measure")
    parser.add_argument("--go-dir", type=Path, default=Path("/usr/lib/cni"))
    args = parser.parse_args()
    also = dict(a.partition("=")[::2] for a in args.also)
    if any(not name or not path for name, path in also.items()):
        parser.error("--also takes NAME=PATH")
    run(args.rounds, args.go_dir, args.variants, also)


if __name__ == "__main__":
    main()
