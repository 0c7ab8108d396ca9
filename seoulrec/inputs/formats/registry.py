"""Dispatch from an identified format to its reader; one place lists what is readable."""

from __future__ import annotations

from typing import Callable

from seoulrec.errors import CorruptDocument, DrmProtected, EmptyDocument, UnsupportedFormat
from seoulrec.model import Extracted

Reader = Callable[[bytes, str], Extracted]


def _readers() -> dict[str, Reader]:
    from seoulrec.inputs.formats.hwpx import read_hwpx

    readers: dict[str, Reader] = {"hwpx": read_hwpx}
    try:  # readers of unstructured materials (formats issue)
        from seoulrec.inputs.formats.documents import READERS

        readers.update(READERS)
    except ImportError:
        pass
    return readers


_CACHE: dict[str, Reader] | None = None


def reader_for(fmt: str) -> Reader | None:
    global _CACHE
    if _CACHE is None:
        _CACHE = _readers()
    return _CACHE.get(fmt)


def refuse(fmt: str, name: str) -> None:
    """Raise the right ReaderError for formats that are recognised but cannot be read."""
    if fmt == "empty":
        raise EmptyDocument(f"{name}: the file is empty")
    if fmt == "drm":
        raise DrmProtected(
            f"{name}: wrapped by a DRM product (MarkAny Document SAFER); export it without DRM"
        )
    if fmt == "html":
        raise UnsupportedFormat(
            f"{name}: an HTML page or comment, not a document (a stub saved with a document extension)"
        )
    if fmt == "hwp3":
        raise UnsupportedFormat(
            f"{name}: HWP 3.0 (1990s Hangul) is recognised but not readable; convert it to HWPX"
        )
    if fmt == "corrupt_ole":
        raise CorruptDocument(
            f"{name}: an OLE (HWP/DOC) container that cannot be opened: truncated, damaged, or broken by a text-mode transfer; fetch it again"
        )
    if fmt == "corrupt_zip":
        raise CorruptDocument(f"{name}: starts like a ZIP container but cannot be opened")
    raise UnsupportedFormat(f"{name}: no reader for format {fmt!r}")


def extract(data: bytes, name: str, fmt: str) -> Extracted:
    reader = reader_for(fmt)
    if reader is None:
        refuse(fmt, name)
        raise AssertionError("refuse() always raises")
    return reader(data, name)
