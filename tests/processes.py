"""The live processes of a test's world, read from Linux's /proc (shared by the fault and
benchmark tests)."""

from __future__ import annotations

import os
from pathlib import Path


def _state_and_parent(pid: int) -> tuple[str, int] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name may hold spaces: fields after its closing parenthesis are fixed
    fields = stat.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def children(pid: int) -> list[int]:
    """The live child processes of ``pid``."""
    found: list[int] = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            known = _state_and_parent(int(entry))
            if known is not None and known[1] == pid and known[0] != "Z":
                found.append(int(entry))
    return sorted(found)


def alive(pid: int) -> bool:
    """Whether ``pid`` is a process that has not exited (a zombie has)."""
    known = _state_and_parent(pid)
    return known is not None and known[0] != "Z"
