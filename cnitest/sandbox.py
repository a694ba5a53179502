"""The sandbox one plugin call runs in: its own PID and mount namespaces.

A plugin under test is hostile until proven otherwise. Besides the sandbox
"host" network namespace (cnitest.netns), every call runs under bubblewrap
(`bwrap`, the well-kept tool for exactly this, used by Flatpak), which gives it:

- a PID namespace with its own `/proc`: the plugin sees no harness process, so
  it cannot walk `/proc/<harness pid>/ns/net` back into the machine's network
  namespace, and everything it starts (setsid daemons, double forks) is killed
  by the kernel when the call's first process exits;
- a mount namespace in which `/` is read-only (`/tmp` included) and `/run`
  and `/var/lib` (with just `cni/` in it) are directories of this sandbox's own state, kept across the calls of
  one test (tuning's `/run/cni/tuning`, the iptables lock, a default dataDir)
  and gone with it. Mounts the plugin makes, and `ip netns attach` pins, live
  and die in that namespace. The directories the test gives the plugin (its
  temporary directory: dataDirs, recorders) are bound writable at their paths;
- the parent's death signal (`--die-with-parent`): a SIGKILLed harness takes
  the call with it.

bubblewrap cannot bind an fd-held namespace (`/proc/<pid>/fd/<n>`, our
CNI_NETNS paths) into the sandbox, so the runner's thread, which is already
inside the host network namespace, unshares a private mount namespace of its
own, bind-mounts each such namespace onto a file of the sandbox's state, and
starts bwrap from there; bwrap binds that file to `/run/netns/cni-fd-<n>` and
the paths in the environment and on stdin are rewritten to it, and back in
what the plugin prints (`translate`).

What it cannot stop: a plugin with real root (no user namespace) keeps
CAP_SYS_ADMIN, which setns into CNI_NETNS needs, and so could still reach
hardware or remount its view; the capabilities listed in DROPPED are dropped.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["Sandbox", "SandboxUnavailable", "bwrap", "default", "enter_user_namespace"]

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
USERNS_MARK = "CNITEST_USERNS"  # set once the harness is in its user namespace; its children inherit both
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
_libc = ctypes.CDLL(None, use_errno=True)

# Capabilities no network plugin needs and that reach past the sandbox.
DROPPED = (
    "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_MKNOD", "CAP_SYS_BOOT", "CAP_SYS_TIME",
    "CAP_DAC_READ_SEARCH", "CAP_SYSLOG", "CAP_SYS_PTRACE", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
    "CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE", "CAP_AUDIT_CONTROL", "CAP_LINUX_IMMUTABLE",
)

# The directories a plugin may write, each backed by a directory of the sandbox's state.
# /var/lib is private as a whole (holding only cni/): the machine may have no
# /var/lib/cni to mount on, and shadowing /var/lib entry by entry costs 5 ms a call.
# /tmp is not private but read-only like the rest: the project, its venv and the
# plugin under test may well live there; the test's own directory is writable.
PRIVATE_DIRS = {"/run": "run", "/var/lib": "var-lib"}

INSIDE_NS = "/run/netns/cni-fd-{fd}"
NETNS_DIRS = ("/run/netns", "/var/run/netns")  # where `ip netns` keeps named namespaces
MNT_DETACH = 2
_INSIDE_RE = re.compile(rb"/run/netns/cni-fd-(\d+)(?![0-9])")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot make namespaces here."""


def bwrap() -> str:
    """The bwrap executable, or SandboxUnavailable with the fix."""
    path = shutil.which("bwrap") or ("/usr/bin/bwrap" if os.path.exists("/usr/bin/bwrap") else None)
    if path is None:
        raise SandboxUnavailable("cnitest runs plugins under bubblewrap: install it (apt-get install bubblewrap)")
    return path


class Sandbox:
    reports_status = True  # bwrap says on a status fd whether the plugin started

    """The filesystem state of one test's plugin calls, and their bwrap command line.

    `state` is a directory the sandbox owns (made if missing); `writable` are
    paths bound read-write at the same place (the test's temporary directory),
    `readable` paths bound read-only (the session's temporary root: recorders,
    configs other fixtures wrote).
    """

    def __init__(self, state: str | Path, writable: Iterable[str | Path] = (), readable: Iterable[str | Path] = ()) -> None:
        self.state = Path(state)
        self.writable = [str(Path(p)) for p in writable]
        self.readable = [str(Path(p)) for p in readable]
        for sub in (*PRIVATE_DIRS.values(), "ns", "var-lib/cni"):
            (self.state / sub).mkdir(parents=True, exist_ok=True)

    # --- what the plugin left ------------------------------------------------

    def files_written(self) -> list[str]:
        """Files the plugin created in its private /run and /var/lib (as it saw their paths)."""
        out = []
        for inside, sub in PRIVATE_DIRS.items():
            root = self.state / sub
            for dirpath, _dirs, files in os.walk(root):
                for name in files:
                    rel = os.path.relpath(os.path.join(dirpath, name), root)
                    if inside == "/run" and rel.startswith("netns/cni-fd-"):
                        continue  # our own mount points
                    out.append(f"{inside}/{rel}")
        return sorted(out)

    # --- one call --------------------------------------------------------------

    def prepare(self, ns_fds: Iterable[int], named: Iterable[str] = ()) -> None:
        """On the calling thread: a private mount namespace holding the namespaces bwrap must bind.

        `named` are the named namespaces (/run/netns/NAME) the call mentions:
        they are bound onto files of the state too, and then every named
        namespace is detached from this thread's view. bwrap remounts each
        mount it copies read-only, and a namespace that another process
        deletes meanwhile (`ip netns del`: a test of another xdist worker)
        made that fail with "No such file or directory".

        Call only on a thread of its own (the runner's): the mount namespace
        is the thread's, and dies with it and the processes it starts."""
        _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
        _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
        for fd in ns_fds:
            target = self.state / "ns" / str(fd)
            target.touch()
            src = f"/proc/thread-self/fd/{fd}".encode()
            _check(_libc.mount(src, str(target).encode(), None, MS_BIND, None), f"bind namespace fd {fd}")
        for path in named:
            target = self._named_copy(path)
            target.touch()
            _check(_libc.mount(path.encode(), str(target).encode(), None, MS_BIND, None), f"bind {path}")
        _detach_named_namespaces()

    def _named_copy(self, path: str) -> Path:
        return self.state / "ns" / f"named-{os.path.basename(path)}"

    def command(self, argv: list[str], ns_fds: Iterable[int], status_fd: int | None = None, readable: Iterable[str] = ()) -> list[str]:
        """The bwrap command line that runs `argv` in this sandbox (bwrap reports on `status_fd`).

        `readable` adds directories the call must see although they may lie
        under a private directory (named namespaces in /run/netns)."""
        # No --new-session: the runner starts bwrap in a session of its own
        # (start_new_session), so the plugin has no controlling terminal to
        # inject input into either, and bwrap's own setsid() cost the Go
        # bridge about 7 ms a call here (bench/sandbox_cost.py).
        args = [bwrap(), "--die-with-parent", "--unshare-pid",
                "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        if status_fd is not None:
            args += ["--json-status-fd", str(status_fd)]
        for cap in DROPPED:
            args += ["--cap-drop", cap]
        for inside, sub in PRIVATE_DIRS.items():
            args += ["--bind", str(self.state / sub), inside]
        for path in dict.fromkeys([*readable, *self.readable]):
            if os.path.dirname(path) in NETNS_DIRS and self._named_copy(path).exists():
                args += ["--ro-bind", str(self._named_copy(path)), path]  # bound by prepare()
            elif os.path.exists(path) and path.startswith(("/run/", "/var/run/", "/var/lib/")):
                args += ["--ro-bind", path, path]
        for path in self.writable:
            if os.path.isdir(path):
                args += ["--bind", path, path]
        for fd in ns_fds:
            args += ["--bind", str(self.state / "ns" / str(fd)), INSIDE_NS.format(fd=fd)]
        return [*args, "--", *argv]


def translate_in(text: str, ns_fds: Mapping[str, int]) -> str:
    """`text` with each fd-held namespace path replaced by its path inside the sandbox."""
    for outside, fd in sorted(ns_fds.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(re.escape(outside) + r"(?![0-9])", INSIDE_NS.format(fd=fd), text)
    return text


def translate_out(data: bytes, ns_fds: Mapping[str, int] | None = None) -> bytes:
    """What the plugin printed or wrote, with inside namespace paths turned back into ours.

    The inside name carries the fd number, so no mapping is needed; `ns_fds`
    (the paths of one call) only says whether there is anything to do."""
    if ns_fds is not None and not ns_fds:
        return data
    own = f"/proc/{os.getpid()}/fd/".encode()
    return _INSIDE_RE.sub(lambda m: own + m.group(1), data)


def read_status(fd: int) -> dict[str, Any]:
    """What bwrap said on its status fd (closed here): child-pid once started, exit-code at the end."""
    os.set_blocking(fd, False)
    data = b""
    try:
        while chunk := os.read(fd, 65536):
            data += chunk
    except BlockingIOError:
        pass  # a process of the sandbox still holds the pipe: what was said is enough
    finally:
        os.close(fd)
    status: dict[str, Any] = {}
    for line in data.splitlines():
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict):
            status.update(doc)
    return status


def exit_code(status: Mapping[str, Any], bwrap_code: int) -> int:
    """The plugin's exit status as subprocess words it: negative for a signal.

    bwrap reports a death by signal N as 128+N, as shells do; a plugin that
    exits with 129..192 on purpose is read as killed by a signal."""
    code = status.get("exit-code", bwrap_code)
    if not isinstance(code, int):
        return bwrap_code
    return -(code - 128) if 128 < code <= 128 + 64 else code


def enter_user_namespace() -> None:
    """Make this process root of a user namespace of its own (the caller's uid mapped to 0).

    Every namespace made afterwards belongs to it, so the plugin has the
    capabilities it needs over them and none over the machine. The kernel
    allows this only while the process has one thread: call it first thing.
    Idempotent across processes: children (xdist workers) inherit it."""
    if os.environ.get(USERNS_MARK):
        return
    threads = len(os.listdir("/proc/self/task"))
    if threads != 1:
        raise SandboxUnavailable(f"cannot enter a user namespace: this process already runs {threads} threads")
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(CLONE_NEWUSER) != 0:
        err = ctypes.get_errno()
        raise SandboxUnavailable(f"cannot enter a user namespace: unshare(CLONE_NEWUSER): {os.strerror(err)}")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
    Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    os.environ[USERNS_MARK] = "1"


def _detach_named_namespaces() -> None:
    """Detach every mount at or under the named-namespace directories from this thread's view."""
    for mnt in NETNS_DIRS:
        _libc.umount2(mnt.encode(), MNT_DETACH)  # ip netns makes the directory a mount of its own
    if not any(_entries(mnt) for mnt in NETNS_DIRS):
        return  # no file left to be a mount point: reading mountinfo (~0.3 ms a call) would find none
    with open("/proc/thread-self/mountinfo", "rb") as f:
        points = [line.split()[4].decode("utf-8", "surrogateescape") for line in f]
    for point in sorted(points, key=len, reverse=True):  # not under a directory mount (another tool made them)
        if os.path.dirname(point) in NETNS_DIRS:
            _libc.umount2(point.encode("utf-8", "surrogateescape"), MNT_DETACH)


def _entries(path: str) -> bool:
    """Whether directory `path` holds anything (True when it cannot be read: then look)."""
    try:
        with os.scandir(path) as it:
            return any(True for _ in it)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True


def _check(rc: int, what: str) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"sandbox: {what}: {os.strerror(err)}")


class Unsandboxed(Sandbox):
    """No sandbox at all: the plugin runs as a child of the runner's thread.

    For benchmarks only (bench/sandbox_cost.py), to measure what the sandbox
    costs; chosen by CNITEST_BENCH_UNSANDBOXED=1, never by a command-line option."""

    reports_status = False

    def prepare(self, ns_fds: Iterable[int], named: Iterable[str] = ()) -> None:
        pass

    def command(self, argv: list[str], ns_fds: Iterable[int], status_fd: int | None = None, readable: Iterable[str] = ()) -> list[str]:
        return argv


def for_test(state: str | Path, writable: Iterable[str | Path] = (), readable: Iterable[str | Path] = ()) -> Sandbox:
    """A test's sandbox (Unsandboxed when a benchmark asks for its baseline)."""
    kind = Unsandboxed if os.environ.get("CNITEST_BENCH_UNSANDBOXED") == "1" else Sandbox
    return kind(state, writable, readable)


STATE_ROOTS = ("/dev/shm",)  # tmpfs: a test's state is made and removed in a quarter of the time ext4 takes
_state_root: Path | None = None
_no_tmpfs = False  # looked once: no writable tmpfs, so every test's state goes under its fallback


def test_state(fallback: Path) -> Path:
    """A new, empty directory for one test's sandbox state, on tmpfs when the machine has a writable one.

    The state is a handful of directories and small files made before the
    test and removed after it; on a disk filesystem the making and removing
    cost ~2 ms a test (journal), on tmpfs ~0.3 ms. The plugin never sees
    where it lies (its /dev is a fresh one). The process's directory
    `<root>/cnitest-sandbox-<pid>-*` is removed at exit, and those of processes
    that no longer exist (SIGKILLed) by the next process. `fallback` (a
    directory the caller owns) is used where no tmpfs is writable."""
    global _state_root, _no_tmpfs
    if _state_root is None:
        root = None if _no_tmpfs else next((r for r in STATE_ROOTS if _writable_tmpfs(r)), None)
        if root is None:
            _no_tmpfs = True
            return Path(tempfile.mkdtemp(prefix="sandbox-", dir=fallback))
        sweep_stale(Path(root), "cnitest-sandbox-")
        _state_root = Path(tempfile.mkdtemp(prefix=f"cnitest-sandbox-{os.getpid()}-", dir=root))
        atexit.register(shutil.rmtree, _state_root, True)
    return Path(tempfile.mkdtemp(prefix="t-", dir=_state_root))


def _writable_tmpfs(path: str) -> bool:
    if not os.path.isdir(path) or not os.access(path, os.W_OK | os.X_OK):
        return False
    try:
        with open("/proc/self/mountinfo", "rb") as f:
            points = {line.split()[4]: line.split(b" - ")[1].split()[0] for line in f}
    except (OSError, IndexError):
        return False
    return points.get(path.encode()) == b"tmpfs"


_default: Sandbox | None = None


def default() -> Sandbox:
    """The sandbox of runners that were given none: the machine's temporary directory stays writable.

    Its state lives in `<tmp>/cnitest-sandbox-<pid>-*`, removed at exit; a
    process killed with SIGKILL cannot remove its own, so the next one removes
    those of processes that no longer exist."""
    global _default
    if _default is None:
        sweep_stale(Path(tempfile.gettempdir()), "cnitest-sandbox-")
        state = tempfile.mkdtemp(prefix=f"cnitest-sandbox-{os.getpid()}-")
        _default = for_test(state, writable=[tempfile.gettempdir()])
        weakref.finalize(_default, shutil.rmtree, state, True)
    return _default


def sweep_stale(parent: Path, prefix: str) -> None:
    """Remove `parent/<prefix><pid>-*` directories whose process is gone (left by a SIGKILL)."""
    for entry in parent.glob(f"{prefix}*"):
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(entry, ignore_errors=True)

