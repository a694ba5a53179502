"""A pytest plugin for bench/suite_overhead.py: sums the plugin's own exec time.

The bench puts a bash wrapper in front of the real binary; the wrapper times it
with bash's EPOCHREALTIME (no process of its own) and says so on stderr as
``cnitest-bench-exec START END``. Stderr is the one way out of the sandbox, so
this plugin, loaded with ``-p exec_timing``, reads that line off every call
(and removes it, so that the suites see the plugin's own stderr), and at the
end of the session writes ``{"seconds": ..., "calls": ..., "in_call": ...}`` to
``$CNITEST_BENCH_EXEC_DIR/<pid>.json``; under xdist each worker writes its own.
``in_call`` sums the wall time of the runner's calls (Runner._execute: the
sandbox, the spawn, the wrapper's bash and the plugin), ``in_flight`` is the
wall time during which at least one call was under way (tests that call the
plugin concurrently overlap), so that the bench can tell the harness's cost
per call from its cost between calls. ``in_exchange`` is the wall time the
data-plane checks spent in `cnitest.dataplane.udp_exchange`: traffic, and any
wait for the kernel's IPv6 duplicate address detection of the addresses the
plugin made in the container (the sandbox host namespace has DAD off).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

from cnitest import dataplane, runner

MARK = re.compile(rb"^cnitest-bench-exec (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)\n?", re.M)
_lock = threading.Lock()
_total = {"seconds": 0.0, "calls": 0, "in_call": 0.0, "in_flight": 0.0, "in_exchange": 0.0}
_active = {"calls": 0, "since": 0.0}
_original = runner.Runner._execute
_exchange = dataplane.udp_exchange


def _execute(self: runner.Runner, inv: runner.Invocation, box: Any) -> None:
    start = time.perf_counter()
    with _lock:
        if _active["calls"] == 0:
            _active["since"] = start
        _active["calls"] += 1
    try:
        _original(self, inv, box)
    finally:
        end = time.perf_counter()
        with _lock:
            _active["calls"] -= 1
            if _active["calls"] == 0:
                _total["in_flight"] += end - _active["since"]
    took = end - start
    found = MARK.findall(inv.stderr)
    if not found:
        return
    inv.stderr = MARK.sub(b"", inv.stderr)
    with _lock:
        _total["in_call"] += took
        for start, end in found:
            _total["seconds"] += float(end) - float(start)
            _total["calls"] += 1


def _udp_exchange(*args: Any, **kwargs: Any) -> Any:
    start = time.perf_counter()
    try:
        return _exchange(*args, **kwargs)
    finally:
        with _lock:
            _total["in_exchange"] += time.perf_counter() - start


runner.Runner._execute = _execute  # type: ignore[method-assign]
dataplane.udp_exchange = _udp_exchange  # the suites call it as dataplane.udp_exchange


def pytest_sessionfinish(session: Any) -> None:
    folder = os.environ.get("CNITEST_BENCH_EXEC_DIR")
    if folder:
        Path(folder, f"{os.getpid()}.json").write_text(json.dumps(_total))
