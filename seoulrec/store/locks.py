"""Locks the kernel releases: ``fcntl.flock`` on a lock file beside the catalog.

A lock held by a process that dies (killed, machine restarted) is free at once, whatever pid
comes next: no pid is ever checked. The file keeps a line of JSON about its holder (pid, host,
start) for messages; a holder that ended normally clears it, so a line found by the next
holder means the previous run did not finish (reported as a stale lock taken over). PostgreSQL
catalogs use their session's advisory locks instead (``seoulrec.store.pg``).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class HeldLock:
    path: Path
    fd: int
    #: What the file said when this holder took it: the holder that did not finish, or {}.
    previous: dict = field(default_factory=dict)

    def release(self) -> None:
        """Clear the holder's line and let go (closing the descriptor drops the flock)."""
        try:
            os.ftruncate(self.fd, 0)
        except OSError:
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass


def describe(path: Path) -> dict:
    """The holder's line, or {} (a file being written, or cleared)."""
    try:
        text = path.read_text("utf-8")
        held = json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {"unreadable": True}
    return held if isinstance(held, dict) else {"unreadable": True}


def try_lock(path: Path, started: str) -> HeldLock | None:
    """Take the lock without waiting; None when a live process holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    previous = describe(path)
    mine = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": started})
    os.ftruncate(fd, 0)
    os.pwrite(fd, mine.encode(), 0)
    return HeldLock(path, fd, previous)
