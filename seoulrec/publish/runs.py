"""One publication run, for the index exports and the portal alike: the destination's run lock
(released by the kernel or the server if the process dies), leftovers of killed runs removed,
runs left marked ``running`` marked ``interrupted``, the run recorded in ``export_runs``, the new
content built in a temporary folder beside the destination, then signed, given back the files
seoulrec did not write, and swapped in whole; the run marked ``finished``, or ``failed`` with
the temporary folder removed when anything goes wrong."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from seoulrec.errors import CatalogLocked
from seoulrec.publish.outdir import (
    MANIFEST,
    carry_foreign_files,
    check_destination,
    clean_leftovers,
    folder_id,
    new_temp_folder,
    sign_folder,
    swap_into_place,
)
from seoulrec.store import publications as store
from seoulrec.store.catalog import Catalog, now


def export_lock_name(out: Path) -> str:
    """The run lock of an output folder (one export or site build into it at a time)."""
    return "export-" + hashlib.sha256(str(out).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def mark_stale_runs(catalog: Catalog, mine: Path | None = None) -> None:
    """Export runs marked running whose destination's lock is free were killed: interrupted.
    ``mine``: the destination whose lock this process holds (its old running rows are dead)."""
    stale = [
        rid
        for rid, destination in store.running_runs(catalog)
        if (mine is not None and destination == str(mine))
        or catalog.run_lock_free(export_lock_name(Path(destination)))
    ]
    if stale:
        with catalog.transaction():
            store.mark_runs(catalog, stale, "interrupted", now())


class PublicationRun:
    """``with PublicationRun(catalog, out) as run:`` then ``run.start(...)`` (the temporary
    folder), ``run.publish(manifest_bytes)`` (sign, carry, swap) and ``run.finish(counts)``."""

    def __init__(self, catalog: Catalog, out: Path):
        self.catalog, self.out = catalog, out
        self.removed: list[str] = []
        self.kept: list[str] = []
        self.run_id: int | None = None
        self.tmp: Path | None = None
        self._held = None
        self._finished = False
        self.signature = ""

    @staticmethod
    def destination(catalog: Catalog, out: Path, protected=(), force=False, inboxes=()) -> Path:
        """The output folder, vetted before anything is touched (``check_destination``): never
        the catalog's or the configuration's folder, an inbox, a system folder, or a folder
        seoulrec did not make unless ``force``."""
        return check_destination(
            out,
            [p for p in (catalog.path, *protected) if p],
            force=force,
            inboxes=inboxes,
            catalog=catalog,
        )

    def __enter__(self) -> "PublicationRun":
        self._held = self.catalog.take_run_lock(export_lock_name(self.out))
        if self._held is None:
            raise CatalogLocked(f"another export into {self.out} is running; wait for it to finish")
        try:
            self.removed = clean_leftovers(self.out)
            mark_stale_runs(self.catalog, self.out)
            self.signature = folder_id(self.catalog, self.out)
        except BaseException:
            self.catalog.release_run_lock(self._held)
            raise
        return self

    def start(self, exporter: str, kind: str, seq: int) -> Path:
        """Record the run and make the temporary folder the new content is built in."""
        with self.catalog.transaction():
            self.run_id = store.start_run(
                self.catalog, exporter, str(self.out), kind, seq, now(), os.getpid()
            )
        self.tmp = new_temp_folder(self.out)
        return self.tmp

    def publish(self, manifest_bytes: bytes) -> list[str]:
        """Write the manifest and the signature, carry over the files seoulrec did not write,
        and swap the new content in; returns the files carried over."""
        assert self.tmp is not None
        (self.tmp / MANIFEST).write_bytes(manifest_bytes)
        sign_folder(self.tmp, self.signature)
        self.kept = carry_foreign_files(self.out, self.tmp, self.catalog)
        swap_into_place(self.tmp, self.out)
        return self.kept

    def finish(self, counts: dict, manifest_bytes: bytes | None = None, audit: dict | None = None):
        """Mark the run finished (with its counts, the manifest's digest, an audit entry)."""
        digest = hashlib.sha256(manifest_bytes).hexdigest() if manifest_bytes else None
        with self.catalog.transaction():
            assert self.run_id is not None
            store.finish_run(self.catalog, self.run_id, now(), json.dumps(counts), digest)
            if audit is not None:
                self.catalog.audit("export.run", detail={**audit, "run": self.run_id, **counts})
        self._finished = True

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None and self.run_id is not None and not self._finished:
                if self.tmp is not None:
                    shutil.rmtree(self.tmp, ignore_errors=True)
                with self.catalog.transaction():
                    store.mark_runs(self.catalog, [self.run_id], "failed", now())
        finally:
            self.catalog.release_run_lock(self._held)
