"""Compare two published folders (``public/`` of two demo runs) byte for byte, apart from the
clock: run times in files, each folder's random signature, manifests and digests of files
that differ only in times, and Pagefind's content-hashed chunk names.

Usage: python benchmarks/compare_outputs.py OLD/public NEW/public   (exit 1 when they differ)

Run both demos in the same folder path (record keys of materials include their paths), e.g.
an old checkout's ``python -m seoulrec demo --out /tmp/demo-x``, moved away, then the new one.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

STAMP = re.compile(rb"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:\+00:00|Z)?")
DIGEST = re.compile(rb'"sha256": "[0-9a-f]{64}"')
SKIP = (
    "folder-id",
    "manifest.json",
    "bag-info.txt",
    "manifest-sha256.txt",
    "tagmanifest-sha256.txt",
)


def listing(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and "pagefind" not in p.parts
    )


def normal(data: bytes) -> bytes:
    return DIGEST.sub(b'"sha256": ""', STAMP.sub(b"T", data))


def main(old: Path, new: Path) -> int:
    a, b = listing(old), listing(new)
    if a != b:
        print("file lists differ:", sorted(set(a) ^ set(b))[:20])
        return 1
    differ = [
        name
        for name in a
        if not name.endswith(SKIP)
        and (old / name).read_bytes() != (new / name).read_bytes()
        and normal((old / name).read_bytes()) != normal((new / name).read_bytes())
    ]
    print(f"{len(a)} files; differing beyond run times: {len(differ)}", *differ[:20], sep="\n  ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
