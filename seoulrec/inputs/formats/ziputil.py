"""Reading ZIP containers (packages, HWPX, DOCX) without trusting them.

Nothing is ever extracted to disk: members are read into memory after their names and
declared sizes pass the checks below, so a hostile archive cannot write outside the work area.
"""

from __future__ import annotations

import io
import posixpath
import stat
import zipfile

from seoulrec.errors import CorruptDocument, UnsafeInput

MAX_MEMBER_BYTES = 512 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200  # compression ratios above this on a large member mean a zip bomb
#: The whole archive: past this many bytes expanded, the ratio to the archive's own size is
#: checked too (many members each just under the per-member limit are a bomb as well).
TOTAL_RATIO_FLOOR = 32 * 1024 * 1024
MAX_TOTAL_RATIO = 100
MAX_MEMBERS = 20000


def check_member_name(name: str, archive: str) -> str:
    """Refuse absolute names, drive letters, ``..`` components (zip-slip)."""
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        raise UnsafeInput(f"{archive}: member {name!r} has an absolute path (zip-slip); refused")
    parts = [p for p in normalized.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeInput(
            f"{archive}: member {name!r} climbs out of the archive with '..' (zip-slip); refused"
        )
    return posixpath.join(*parts) if parts else ""


class SafeZip:
    """A checked view of a ZIP archive held in memory."""

    def __init__(self, data: bytes, archive: str = "archive"):
        self.archive = archive
        try:
            self._zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise CorruptDocument(f"{archive}: not a readable ZIP archive ({exc})") from None
        if len(infos) > MAX_MEMBERS:
            raise UnsafeInput(
                f"{archive}: {len(infos)} members; more than {MAX_MEMBERS} is refused"
            )
        total = 0
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = check_member_name(info.filename, archive)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise UnsafeInput(
                    f"{archive}: member {info.filename!r} is a symbolic link; refused"
                )
            if info.is_dir() or not name:
                continue
            total += info.file_size
            if info.file_size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
                raise UnsafeInput(
                    f"{archive}: expands to more than {MAX_TOTAL_BYTES // 2**20} MiB (zip bomb?); refused"
                )
            if (
                info.file_size > 8 * 2**20
                and info.compress_size
                and info.file_size / info.compress_size > MAX_RATIO
            ):
                raise UnsafeInput(
                    f"{archive}: member {info.filename!r} compresses {info.file_size // info.compress_size}:1 "
                    "(zip bomb?); refused"
                )
            self.members[name] = info
        if total > TOTAL_RATIO_FLOOR and total / max(len(data), 1) > MAX_TOTAL_RATIO:
            raise UnsafeInput(
                f"{archive}: {len(data) // 1024} KiB expands to {total // 2**20} MiB in all "
                f"({total // max(len(data), 1)}:1, zip bomb?); refused"
            )

    def names(self) -> list[str]:
        return list(self.members)

    def read(self, name: str) -> bytes:
        info = self.members[name]
        try:
            with self._zf.open(info) as fh:
                data = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
            raise CorruptDocument(
                f"{self.archive}: member {name!r} cannot be read ({exc})"
            ) from None
        except RuntimeError as exc:  # encrypted member
            from seoulrec.errors import EncryptedDocument

            raise EncryptedDocument(
                f"{self.archive}: member {name!r} is encrypted ({exc})"
            ) from None
        if len(data) > info.file_size:
            raise UnsafeInput(
                f"{self.archive}: member {name!r} is larger than its header says; refused"
            )
        return data

    def find(self, lower_name: str) -> str | None:
        for name in self.members:
            if name.lower() == lower_name:
                return name
        return None
