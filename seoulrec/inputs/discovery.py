"""Discovery: what a batch is made of. Walks the paths given (files, package folders, ZIPs,
whole trees) without following links or opening anything that is not a regular file, and
yields items (a file or a package folder) and the paths it skipped with their reasons. Runs in
the parent of an ingest."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from seoulrec.store.writer import shown_path
from seoulrec.errors import (
    TooLarge,
    Unreadable,
    UnsafeInput,
)
from seoulrec.inputs.formats.identify import identify

from seoulrec.inputs.formats.identify import PUBDOC_NAME

PACKAGE_PRIMARY = (PUBDOC_NAME,)
MAX_FILE_BYTES = 1024 * 1024 * 1024
#: File names never read as records (documented in the README; ``[ingest] ignore`` replaces it).
DEFAULT_IGNORE = (
    "README",
    "README.*",
    "readme.*",
    ".DS_Store",
    "Thumbs.db",
    "desktop.ini",
    "~$*",
    "*.tmp",
    "*.bak",
    ".*",
)


def ignored_name(name: str, patterns) -> bool:
    import fnmatch

    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def read_regular(path: "Path | str", max_bytes: int) -> bytes:
    """Read a regular file without following a symbolic link and without blocking on a FIFO or
    device: those are refused (``unsafe`` for links, ``unreadable`` for the others)."""
    import stat

    name = os.path.basename(path)  # a str path is read without building a Path (ingest's walk)

    # Looked at before it is opened: opening a FIFO, even non-blocking, is seen by whoever
    # holds its other end, and a device may act on an open.
    try:
        before = os.lstat(path)
    except OSError as exc:
        raise Unreadable(f"{shown_path(name)}: cannot be read ({exc.strerror})") from None
    if stat.S_ISLNK(before.st_mode):
        raise UnsafeInput(f"{shown_path(name)}: a symbolic link; links are never followed")
    if not stat.S_ISREG(before.st_mode):
        raise Unreadable(
            f"{shown_path(name)}: not a regular file (FIFO, socket or device); not opened"
        )
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeInput(
                f"{shown_path(name)}: a symbolic link; links are never followed"
            ) from None
        raise Unreadable(f"{shown_path(name)}: cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(
                f"{shown_path(name)}: not a regular file (FIFO, socket or device); skipped"
            )
        if info.st_size > max_bytes:
            raise TooLarge(
                f"{shown_path(name)}: {info.st_size // 2**20} MiB is over the {max_bytes // 2**20} MiB limit"
            )
        return _read_fd(fd, info.st_size + 1 if info.st_size else None)
    finally:
        os.close(fd)


def _read_fd(fd: int, want: int | None) -> bytes:
    """Up to ``want`` bytes of an open file (all of it when None), by ``os.read`` itself: a
    buffered file object around the descriptor cost as much again as the read (issue 24)."""
    parts = []
    while want is None or want > 0:
        chunk = os.read(fd, 1 << 20 if want is None else want)
        if not chunk:
            break
        parts.append(chunk)
        if want is not None:
            want -= len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)


@dataclass(frozen=True)
class Item:
    """One unit of a batch: a standalone file or a package folder."""

    path: str
    kind: str  # "file" | "package_dir"
    size: int = -1  # bytes of a file, as discovery saw it (-1: a folder, or not known)


# -- discovery --------------------------------------------------------------------------


def _is_pack_file(path: Path) -> bool:
    if path.suffix.lower() != ".xml":
        return False
    try:
        with open(path, "rb") as fh:
            return identify(fh.read(2048)) == "pack"
    except OSError:
        return False


def is_package_dir(path: Path) -> bool:
    """A folder holding ``pubdoc.xml`` is a package; so is one holding a single pack envelope
    beside its attachments (no subfolders). Several pack envelopes in one folder are each a
    complete package of their own, read as files."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return False
    packs, has_dirs = 0, False
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            has_dirs = True
        elif entry.is_file(follow_symlinks=False):
            if entry.name.lower() in PACKAGE_PRIMARY:
                return True
            if _is_pack_file(Path(entry.path)):
                packs += 1
    return packs == 1 and not has_dirs and len(entries) > 1


def discover(
    paths: Iterable[Path],
    on_skip: Callable[[str, str, str], None] | None = None,
    ignore=DEFAULT_IGNORE,
) -> Iterator[Item]:
    """Yield items in a stable order: files, package folders (found recursively), whole trees.
    Every path given or found is accounted for: what is not an item goes to ``on_skip`` with an
    outcome (links, unreadable folders, FIFOs and devices) or as ``ignored`` (the ignore list)."""
    import stat

    def skip(path, reason: str, message: str) -> None:
        if on_skip:
            on_skip(shown_path(path), reason, message)

    def regular_or_skip(path: Path) -> int | None:
        """The size of a regular file; None (reported) for anything else."""
        try:
            info = os.lstat(path)
        except OSError as exc:
            skip(path, "unreadable", f"cannot be read ({exc.strerror})")
            return None
        if stat.S_ISLNK(info.st_mode):
            skip(path, "unsafe", "symbolic links are not followed")
            return None
        if not stat.S_ISREG(info.st_mode):
            skip(path, "unreadable", "not a regular file (FIFO, socket or device); skipped")
            return None
        return info.st_size

    for raw in paths:
        path = Path(raw)
        if path.is_symlink():
            skip(path, "unsafe", "symbolic links are not followed")
            continue
        if not path.is_dir():
            size = regular_or_skip(path)
            if size is not None:
                yield Item(str(path), "file", size)
            continue
        if not os.access(path, os.R_OK | os.X_OK):
            skip(path, "unreadable", "folder cannot be read (permission denied)")
            continue
        if is_package_dir(path):
            yield Item(str(path), "package_dir")
            continue

        def walk_error(exc: OSError, top: Path = path) -> None:
            skip(exc.filename or top, "unreadable", f"folder cannot be read ({exc.strerror})")

        for root, dirs, files in os.walk(path, followlinks=False, onerror=walk_error):
            dirs.sort()
            root_path = Path(root)
            keep = []
            for d in dirs:
                sub = root_path / d
                if sub.is_symlink():
                    skip(sub, "unsafe", "symbolic links are not followed")
                elif not os.access(sub, os.R_OK | os.X_OK):
                    skip(sub, "unreadable", "folder cannot be read (permission denied)")
                elif is_package_dir(sub):
                    yield Item(str(sub), "package_dir")
                else:
                    keep.append(d)
            dirs[:] = keep
            for name in sorted(files):
                file_path = root_path / name
                if ignored_name(name, ignore) and not file_path.is_symlink():
                    skip(file_path, "ignored", "on the ignore list ([ingest] ignore)")
                    continue
                size = regular_or_skip(file_path)
                if size is not None:
                    yield Item(str(file_path), "file", size)


# -- worker side ----------------------------------------------------------------------------
