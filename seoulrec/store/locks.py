"""Locks the kernel releases: ``fcntl.flock`` on a lock file beside the catalog.

A lock held by a process that dies (killed, machine restarted) is free at once, whatever pid
comes next: no pid is ever checked. The file keeps a line of JSON about its holder (pid, host,
start) for messages; a holder that ends normally removes the file, so no lock files are left
beside the catalog, and a file found with a line by the next holder means the previous run did
not finish (reported as a stale lock taken over). Removing a lock file is safe because every
holder checks, once it has the flock, that the path still names the file it locked (otherwise
it locked a file its previous holder had just removed, and it tries again). PostgreSQL
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
        """Remove the file while still holding it, then let go (closing the descriptor drops
        the flock); where it cannot be removed, clear the holder's line instead."""
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        except OSError:
            try:
                os.ftruncate(self.fd, 0)
            except OSError:
                pass
        try:
            os.close(self.fd)
        except OSError:
            pass


def describe(path: Path) -> dict:
    """The holder's line, or {} (a file being written, cleared, or gone: no holder)."""
    try:
        text = path.read_text("utf-8")
        held = json.loads(text) if text.strip() else {}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {"unreadable": True}
    return held if isinstance(held, dict) else {"unreadable": True}


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (not removed, nor replaced)."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def try_lock(path: Path, started: str) -> HeldLock | None:
    """Take the lock without waiting; None when a live process holds it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _same_file(fd, path):
                break
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # locked a file its holder had just removed: open the path again
    previous = describe(path)
    mine = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": started})
    os.ftruncate(fd, 0)
    os.pwrite(fd, mine.encode(), 0)
    return HeldLock(path, fd, previous)
