"""A pytest plugin for bench/suite_overhead.py: sums the plugin's own exec time.

The bench puts a bash wrapper in front of the real binary; the wrapper times it
with bash's EPOCHREALTIME (no process of its own) and says so on stderr as
``cnitest-bench-exec START END``. Stderr is the one way out of the sandbox, so
this plugin, loaded with ``-p exec_timing``, reads that line off every call
(and removes it, so that the suites see the plugin's own stderr), and at the
end of the session writes ``{"seconds": ..., "calls": ...}`` to
``$CNITEST_BENCH_EXEC_DIR/<pid>.json``; under xdist each worker writes its own.
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from cnitest import runner

MARK = re.compile(rb"^cnitest-bench-exec (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)\n?", re.M)
_lock = threading.Lock()
_total = {"seconds": 0.0, "calls": 0}
_original = runner.Runner._execute


def _execute(self: runner.Runner, inv: runner.Invocation, box: Any) -> None:
    _original(self, inv, box)
    found = MARK.findall(inv.stderr)
    if not found:
        return
    inv.stderr = MARK.sub(b"", inv.stderr)
    with _lock:
        for start, end in found:
            _total["seconds"] += float(end) - float(start)
            _total["calls"] += 1


runner.Runner._execute = _execute  # type: ignore[method-assign]


def pytest_sessionfinish(session: Any) -> None:
    folder = os.environ.get("CNITEST_BENCH_EXEC_DIR")
    if folder:
        Path(folder, f"{os.getpid()}.json").write_text(json.dumps(_total))
