"""Output folders seoulrec owns: which folders it may replace, and how it replaces them.

seoulrec replaces only a folder it made itself (it holds seoulrec's own ``manifest.json``), or an
empty or missing one; a non-empty folder it did not make is refused unless ``force``; the file
system root, the home folder and any folder holding the catalog or the configuration are always
refused. New content is built in a temporary folder beside the destination, with ordinary
permissions (the umask, so a web server running as another user can read it), and swapped in
with one ``renameat2(RENAME_EXCHANGE)``: the destination exists with the old or the new content
at every instant. Leftovers of a killed run (temporary or old folders whose process is gone) are
removed by the next run.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import shutil
import uuid
from pathlib import Path

from .errors import UsageError

MANIFEST = "manifest.json"
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?:tmp|old)-(?P<pid>\d+)-[0-9a-f]{8}$")


def made_by_seoulrec(folder: Path) -> bool:
    """Whether ``folder`` holds a manifest that seoulrec wrote (its ``schema`` is ours)."""
    try:
        with open(folder / MANIFEST, encoding="utf-8") as fh:
            manifest = json.load(fh)
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and str(manifest.get("schema", "")).startswith("seoulrec.")


def read_manifest(folder: Path) -> dict | None:
    if not made_by_seoulrec(folder):
        return None
    with open(folder / MANIFEST, encoding="utf-8") as fh:
        return json.load(fh)


def check_destination(
    out: Path,
    protected: list[Path] | tuple = (),
    force: bool = False,
    option: str = "--out",
    inboxes: list[Path] | tuple = (),
) -> Path:
    """Resolve and vet an output folder; raise ``UsageError`` (exit 2) before touching anything.
    ``protected``: files and folders the output must not hold; ``inboxes``: folders it must not
    be in or hold (published files never land where the next ingest reads)."""
    raw = Path(os.path.expanduser(str(out)))
    if raw.is_symlink():
        raise UsageError(
            f"{option} {out} is a symbolic link; give the real folder (seoulrec never replaces a link or what it points to)"
        )
    target = Path(os.path.abspath(raw))
    resolved = target.resolve()
    if resolved == Path(resolved.anchor):
        raise UsageError(f"{option} {out} is the root of the file system; give a folder of its own")
    home = Path(os.path.expanduser("~")).resolve()
    if resolved == home:
        raise UsageError(f"{option} {out} is your home folder; give a folder of its own")
    for path in protected:
        if path is None:
            continue
        path = Path(path).resolve()
        if path == resolved or path.is_relative_to(resolved):
            raise UsageError(
                f"{option} {out} holds {path}; seoulrec never replaces the folder of its catalog or configuration"
            )
    for inbox in inboxes:
        where = Path(inbox).resolve()
        if resolved == where or resolved.is_relative_to(where) or where.is_relative_to(resolved):
            raise UsageError(
                f"{option} {out} and the inbox {inbox} overlap; published files never go into an inbox"
            )
    if resolved.exists() and not resolved.is_dir():
        raise UsageError(f"{option} {out} is a file; give a folder")
    if resolved.is_dir() and not made_by_seoulrec(resolved):
        try:
            non_empty = any(True for _ in os.scandir(resolved))
        except OSError as exc:
            raise UsageError(f"{option} {out}: cannot read it ({exc.strerror})") from None
        if non_empty and not force:
            raise UsageError(
                f"{option} {out} is not empty and seoulrec did not make it (no seoulrec manifest.json); "
                "nothing was touched. Give a new or empty folder, or --force to replace it"
            )
    parent = resolved.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{option} {out}: cannot create {parent} ({exc.strerror})") from None
    if not os.access(parent, os.W_OK) or (resolved.exists() and not os.access(resolved, os.W_OK)):
        raise UsageError(
            f"{option} {out}: not writable (seoulrec writes beside it and swaps it into place)"
        )
    return resolved


def _alive(pid: int) -> bool:
    from .catalog import _process_alive

    return pid == os.getpid() or _process_alive(pid)


def clean_leftovers(out: Path) -> list[str]:
    """Remove temporary and old folders beside ``out`` left by killed runs (their process is gone).
    Where ``out`` itself is missing and a killed swap left the old content beside it, put it back."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(out.parent))
    except OSError:
        return removed
    olds = []
    for entry in entries:
        m = _LEFTOVER.match(entry.name)
        if not m or m.group("name") != out.name or not entry.is_dir(follow_symlinks=False):
            continue
        if _alive(int(m.group("pid"))):
            continue
        if ".old-" in entry.name:
            olds.append(Path(entry.path))
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.name)
    for old in olds:
        if not out.exists() and made_by_seoulrec(old):
            os.rename(old, out)  # a swap killed between its two renames (no RENAME_EXCHANGE here)
            removed.append(f"{old.name} (restored as {out.name})")
        else:
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old.name)
    return removed


def new_temp_folder(out: Path) -> Path:
    """A folder beside ``out`` for the new content, with the umask's permissions (not 0700)."""
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    os.mkdir(tmp)
    return tmp


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_libc = None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where the system cannot."""
    global _libc
    if os.environ.get("SEOULREC_NO_RENAME_EXCHANGE"):  # as on file systems without it (tests)
        return False
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        fn = _libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (
        errno.ENOSYS,
        errno.EINVAL,
        errno.ENOTSUP,
        getattr(errno, "EOPNOTSUPP", errno.ENOTSUP),
    ):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_into_place(tmp: Path, out: Path) -> None:
    """Make ``tmp`` the content of ``out``: one atomic exchange where the system has it (``out``
    never disappears), else two renames that the next run repairs if killed between them."""
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # now holds the old content
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def link_or_copy(source: Path, target: Path) -> None:
    """Reuse an unchanged published file: a hard link (files are never modified in place)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
