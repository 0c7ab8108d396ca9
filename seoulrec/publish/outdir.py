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

from seoulrec.errors import UsageError

MANIFEST = "manifest.json"
#: The folder's signature: a random id the catalog also records for the folder's path.
SIGNATURE = ".seoulrec/folder-id"
LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?:tmp|old)-(?P<pid>\d+)-[0-9a-f]{8}$")


#: Folders no output goes into or replaces, whatever --force says (beside / and the home folder).
SYSTEM_FOLDERS = tuple(
    Path(p)
    for p in (
        "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/proc",
        "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/home", "/mnt", "/media",
    )
)  # fmt: skip
#: What in an output folder is seoulrec's besides the files its manifest lists.
OWN_PREFIXES = (".seoulrec/", "bagit.txt", "bag-info.txt", "manifest-", "tagmanifest-")


def _load(folder: Path) -> dict | None:
    try:
        with open(folder / MANIFEST, encoding="utf-8") as fh:
            manifest = json.load(fh)
    except (OSError, ValueError, RecursionError):
        return None
    if isinstance(manifest, dict) and str(manifest.get("schema", "")).startswith("seoulrec."):
        return manifest
    return None


def _signature_of(folder: Path) -> str | None:
    try:
        signed = (folder / SIGNATURE).read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return signed if re.fullmatch(r"[0-9a-f]{32}", signed) else None


def _known_signature(catalog, signature: str | None) -> bool:
    if not signature:
        return False
    key = f"output_folder:{signature}"
    return catalog.get_meta(key) is not None


def folder_id(catalog, folder: Path) -> str:
    """The folder's signature: the one it holds if this catalog issued it, else a new random
    id, recorded in the catalog before anything is written (a run killed after its swap still
    leaves a folder the catalog knows). A project moved as a whole keeps its signatures."""
    held = _signature_of(folder)
    if _known_signature(catalog, held):
        assert held is not None
        return held
    new = uuid.uuid4().hex
    with catalog.transaction():
        catalog.set_meta(f"output_folder:{new}", str(Path(os.path.abspath(folder))))
    return new


def made_by_seoulrec(folder: Path, catalog=None) -> bool:
    """Whether ``folder`` holds a manifest that seoulrec wrote: its ``schema`` is ours and, given
    the catalog, its signature (``.seoulrec/folder-id``) is the one the catalog recorded for this
    path (a seoulrec manifest copied into another folder is not trusted)."""
    manifest = _load(folder)
    if manifest is None:
        return False
    if catalog is None:
        return True
    return _known_signature(catalog, _signature_of(folder))


def sign_folder(tmp: Path, signature: str) -> None:
    """Write the folder's signature beside its manifest (not in it: the manifest of the same
    catalog state stays byte-identical from folder to folder)."""
    (tmp / SIGNATURE).parent.mkdir(exist_ok=True)
    (tmp / SIGNATURE).write_text(signature + "\n", "ascii")


def read_manifest(folder: Path, catalog=None) -> dict | None:
    return _load(folder) if made_by_seoulrec(folder, catalog) else None


def foreign_files(folder: Path, manifest: dict) -> list[str]:
    """Files in a seoulrec output folder that seoulrec did not write (not in its manifest):
    a CNAME, a page someone added. Relative paths, sorted."""
    listed = set(manifest.get("files", {}))
    bag = (folder / "bagit.txt").is_file()
    found = []
    for top, _dirs, names in os.walk(folder):
        for name in names:
            rel = os.path.relpath(os.path.join(top, name), folder).replace(os.sep, "/")
            inside = rel[len("data/") :] if bag and rel.startswith("data/") else rel
            if rel == MANIFEST or inside in listed or rel.startswith(OWN_PREFIXES):
                continue
            found.append(rel)
    return sorted(found)


def carry_foreign_files(out: Path, tmp: Path, catalog=None) -> list[str]:
    """Copy (hard-link) into the new content ``tmp`` every file of ``out`` that seoulrec did not
    write, so a swap replaces only seoulrec's own files. A foreign file where seoulrec now writes
    one of its own stops the run (nothing replaced). Returns the files carried over."""
    manifest = read_manifest(out, catalog) if out.is_dir() else None
    if manifest is None:
        return []
    carried = foreign_files(out, manifest)
    clashes = [rel for rel in carried if (tmp / rel).exists()]
    if clashes:
        raise UsageError(
            f"{out / clashes[0]} was not written by seoulrec, and seoulrec now writes a file of its "
            f"own there ({len(clashes)} such files); move it and run again (nothing was replaced)"
        )
    for rel in carried:
        link_or_copy(out / rel, tmp / rel)
    return carried


def check_destination(
    out: Path,
    protected: list[Path] | tuple = (),
    force: bool = False,
    option: str = "--out",
    inboxes: list[Path] | tuple = (),
    catalog=None,
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
    check_not_system(resolved, out, option)
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
    if resolved.is_dir() and not made_by_seoulrec(resolved, catalog):
        try:
            non_empty = any(True for _ in os.scandir(resolved))
        except OSError as exc:
            raise UsageError(f"{option} {out}: cannot read it ({exc.strerror})") from None
        if non_empty and not force:
            raise UsageError(
                f"{option} {out} is not empty and seoulrec did not make it (no seoulrec manifest.json with this catalog's signature); "
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


def check_not_system(resolved: Path, given, option: str = "--out") -> None:
    """Refuse a system folder (/etc, /usr, /root, /tmp itself ...): outputs go into a folder of
    their own, never into one the system or other users rely on."""
    for system in SYSTEM_FOLDERS:
        if resolved == system or (system.resolve() == resolved):
            raise UsageError(
                f"{option} {given} is the system folder {system}; give a folder of its own "
                f"(e.g. {system}/seoulrec-public if you must publish under it)"
            )


def clean_leftovers(out: Path) -> list[str]:
    """Remove temporary and old folders beside ``out`` left by killed runs. The caller holds
    the destination's run lock, so every leftover but this process's own is dead.
    Where ``out`` itself is missing and a killed swap left the old content beside it, put it back."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(out.parent))
    except OSError:
        return removed
    olds = []
    for entry in entries:
        m = LEFTOVER.match(entry.name)
        if not m or m.group("name") != out.name or not entry.is_dir(follow_symlinks=False):
            continue
        if int(m.group("pid")) == os.getpid():
            continue
        if ".old-" in entry.name:
            olds.append(Path(entry.path))
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.name)
    for old in olds:
        if not out.exists() and made_by_seoulrec(old):  # the catalog's id is checked on use
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
