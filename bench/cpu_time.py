"""CPU seconds a process tree has used (user + system), read from /proc.

On a shared two-core machine rates swing with whatever else runs; the CPU time a target spent per
message does not, so the benchmarks print it beside the rates.
"""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of one process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def _is_dispatcher(pid: int) -> bool:
    try:
        return b"chipla.cli\0dispatch" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def delivering_seconds(root: int) -> float:
    """CPU seconds of the ``chipla dispatch`` processes under ``root`` (or ``root`` itself)."""
    return sum(tree_seconds(pid) for pid in _tree(root) if _is_dispatcher(pid))


def _tree(root: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found = _stat(int(entry.name))
            if found is not None:
                parents[int(entry.name)] = found[0]
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += [child for child, parent in parents.items() if parent == pid]
    return out


def tree_seconds(root: int) -> float:
    """CPU seconds of ``root`` and every live descendant (uvicorn workers, a dispatcher)."""
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found = _stat(int(entry.name))
            if found is not None:
                parents[int(entry.name)], used[int(entry.name)] = found
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += used.get(pid, 0.0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total
