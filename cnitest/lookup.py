"""Finding a plugin by its type in CNI_PATH, the way a runtime does.

libcni's FindInPath takes the first directory of CNI_PATH holding a regular file
named after the plugin type. The harness (a chained plugin's base, Target) and
the recording IPAM plugin (which must not find itself) search the same way.
Standard library only: the recording IPAM plugin runs Python with -S.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["find_plugin"]


def find_plugin(plugin_type: str, cni_path: str | Iterable[str], skip: str | Path | None = None) -> Path | None:
    """The first regular file named `plugin_type` in the directories of `cni_path`
    (a list, or a colon-separated CNI_PATH value), leaving out `skip` (compared by
    real path); None when there is none."""
    dirs = cni_path.split(":") if isinstance(cni_path, str) else cni_path
    mine = os.path.realpath(skip) if skip is not None else None
    for d in dirs:
        if not d:
            continue
        candidate = Path(d) / plugin_type
        if candidate.is_file() and (mine is None or os.path.realpath(candidate) != mine):
            return candidate
    return None
