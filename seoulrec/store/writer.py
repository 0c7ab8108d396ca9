"""The catalog side of a batch: whole items written in groups with batched, prepared inserts.

Workers hand the parent finished records (hashed, extracted, ranks resolved, rows built). The
parent keeps results in memory until a group is full (``MAX_ITEMS``, ``MAX_BYTES`` of text),
old (``MAX_SECONDS``) or the next result is not ready yet, then writes the whole group in one transaction: one query
for the versions the catalog holds of every record key in the group, then ``executemany``
per table. A killed run loses at most the open group; a re-run reads those items again (their
sources are not in the catalog) and finishes them.

Anything the fast path cannot store (a value SQLite refuses, a key whose versions are odd) rolls
the group back to its savepoint and writes it again item by item, each in its own savepoint:
that item becomes a failure and the others are kept, exactly as before batching.
"""

from __future__ import annotations

import os
import stat
import time
from operator import itemgetter
from pathlib import Path
from typing import Callable

from seoulrec.store.catalog import Catalog, default_actor, now
from seoulrec.store import fulltext
from seoulrec.store.dialect import upsert
from seoulrec.model import ACCEPTED_OUTCOMES

#: What a record dict carries besides its columns: its child rows, and its full-text terms.
NESTED = ("approvals", "attachments", "fulltext")
APPROVAL_COLUMNS = ("kind", "order", "position", "type", "name", "date", "is_final", "level")
ATTACHMENT_COLUMNS = ("name", "format", "size", "sha256", "text", "status", "message")


def shown_path(path) -> str:
    """A path as text that can always be stored and printed (undecodable bytes as \\xNN)."""
    text = os.fsdecode(path) if isinstance(path, bytes) else str(path)
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def clean(text: str) -> str:
    """Text that SQLite and a terminal accept (lone surrogates from undecodable names escaped)."""
    return (
        text.encode("utf-8", "backslashreplace").decode("utf-8") if isinstance(text, str) else text
    )


class _Fallback(Exception):
    """The fast path leaves this group to the item-by-item writer."""


# -- item by item (the fallback, and the reference the fast path must equal) ------------------


def _write_records(catalog: Catalog, batch_id: int, result: dict) -> list[str]:
    changes: list[str] = []
    db = catalog.db
    for record in result["records"]:
        current = catalog.current_version(record["record_key"])
        if current and current[2] == record["sha256"]:
            changes.append("unchanged")
            continue
        # A copy of a version the catalog already holds is not newer than the current one:
        # re-reading an older copy (or two batches racing over the same files) never makes it
        # current again.
        if (
            current
            and db.execute(
                "SELECT 1 FROM records WHERE record_key = ? AND sha256 = ?",
                [record["record_key"], record["sha256"]],
            ).fetchone()
        ):
            changes.append("unchanged")
            continue
        version = 1
        if current:
            db.execute("UPDATE records SET is_current = 0 WHERE id = ?", [current[0]])
            version = (
                db.execute(
                    "SELECT max(version) FROM records WHERE record_key = ?", [record["record_key"]]
                ).fetchone()[0]
                + 1
            )
        row = {k: v for k, v in record.items() if k not in NESTED}
        row.update(version=version, is_current=1, batch_id=batch_id, created=now())
        record_id = catalog.insert_id(
            f"INSERT INTO records ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
            list(row.values()),
        )
        _insert_children(catalog, [(record_id, record)])
        if current:
            catalog.audit(
                "record.new_version",
                record_id,
                {"record_key": record["record_key"], "previous": current[0], "version": version},
            )
        changes.append("updated" if current else "added")
    if result["outcome"] in ACCEPTED_OUTCOMES and result["sha256"]:
        db.execute(
            SOURCES_SQL, [result["sha256"], result["path"], batch_id, len(result["records"])]
        )
    return changes


#: A source's bytes were read (a later run skips them): the latest path and batch are kept.
SOURCES_SQL = upsert("sources", ("sha256", "path", "batch_id", "records"), ("sha256",))


#: The rows each record carries: (table, the record's key, columns). Booleans (is_final) are
#: stored by sqlite3 as the integers 0 and 1.
CHILDREN = (
    ("approvals", "approvals", APPROVAL_COLUMNS),
    ("attachments", "attachments", ATTACHMENT_COLUMNS),
)
_GETTERS_OF_CHILDREN = {table: itemgetter(*columns) for table, _, columns in CHILDREN}


def _insert_children(catalog: Catalog, written: list[tuple[int, dict]]) -> None:
    for table, key, columns in CHILDREN:
        get = _GETTERS_OF_CHILDREN[table]
        rows = [(record_id, *get(row)) for record_id, record in written for row in record[key]]
        catalog.insert_rows(table, ("record_id", *columns), rows)
    fulltext.add(catalog, written)  # the search index, in the same transaction


def _normalise(result: dict) -> None:
    result["path"] = shown_path(result["path"])
    result["message"] = clean(result.get("message") or "")


def write_result(catalog: Catalog, batch_id: int, result: dict) -> list[str]:
    """Write one item's records atomically (a savepoint inside the open transaction). Any error
    while storing it (a value SQLite cannot hold, a reader's odd output) becomes that item's
    failure; the other items of the group are kept. Returns each record's change."""
    _normalise(result)
    conn = catalog.db.conn
    with catalog.transaction():
        changes: list[str] = []
        if result["outcome"] in ACCEPTED_OUTCOMES:
            conn.execute("SAVEPOINT item")
            try:
                changes = _write_records(catalog, batch_id, result)
            except Exception as exc:  # noqa: BLE001 - one item's failure, whatever it is
                conn.execute("ROLLBACK TO item")
                name = Path(result["path"]).name
                result.update(
                    outcome="corrupt",
                    records=[],
                    message=clean(f"{name}: could not be stored: {type(exc).__name__}: {exc}"),
                )
                changes = []
            conn.execute("RELEASE item")
        if result["outcome"] not in ACCEPTED_OUTCOMES:
            store_failures(catalog, batch_id, [result], now())
    return changes


def failure_fingerprint(result: dict) -> str:
    """What makes a failure the same failure next night: the item's bytes (SHA-256 where the
    reader got that far, else the file's type, size and modification time)."""
    if result.get("sha256"):
        return str(result["sha256"])
    try:
        st = os.lstat(result["path"])
    except OSError:
        return "absent"
    return f"stat:{stat.S_IFMT(st.st_mode)}:{st.st_size}:{st.st_mtime_ns}"


def store_failures(catalog, batch_id: int, results: list[dict], stamp: str) -> None:
    """Store failed items once: a failure already stored with the same path, bytes and outcome
    is known (``result["known_failure"]``; counted, not stored again; a resolved one stays
    resolved); a new failure of a path supersedes that path's older open failure."""
    conn = catalog.db.conn
    for result in results:
        fingerprint = failure_fingerprint(result)
        path, reason = result["path"], result["outcome"]
        known = conn.execute(
            "SELECT id FROM failures WHERE path = ? AND reason = ? AND fingerprint = ? "
            "ORDER BY id DESC LIMIT 1",
            [path, reason, fingerprint],
        ).fetchone()
        if known:
            conn.execute(
                "UPDATE failures SET seen = COALESCE(seen, 1) + 1 WHERE id = ?", [known[0]]
            )
            result["known_failure"] = known[0]
            continue
        conn.execute(
            "UPDATE failures SET resolved = ? WHERE path = ? AND resolved IS NULL", [stamp, path]
        )
        conn.execute(
            "INSERT INTO failures(batch_id, path, reason, message, at, fingerprint, seen) "
            "VALUES (?, ?, ?, ?, ?, ?, 1)",
            [batch_id, path, reason, result["message"], stamp, fingerprint],
        )


# -- the fast path: a whole group at once ------------------------------------------------------


def _versions(conn, keys: list[str]) -> dict[str, list[list]]:
    """Every version the catalog holds of these keys: key -> [[id, version, sha256, current]]."""
    held: dict[str, list[list]] = {}
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        for key, record_id, version, sha, current in conn.execute(
            "SELECT record_key, id, version, sha256, is_current FROM records "
            f"WHERE record_key IN ({', '.join('?' for _ in part)})",
            part,
        ):
            held.setdefault(key, []).append([record_id, version, sha, current])
    return held


def write_group(catalog: Catalog, batch_id: int, results: list[dict]) -> list[list[str]]:
    """Write the results of a group in the open transaction with one lookup and one
    ``executemany`` per table; the same rows, versions, audit entries and failures as
    ``write_result`` item by item (tested). Raises ``_Fallback`` where it cannot be sure."""
    conn = catalog.db.conn
    stamp, actor = now(), default_actor()
    for result in results:
        _normalise(result)
    accepted = [r for r in results if r["outcome"] in ACCEPTED_OUTCOMES]
    keys = list(dict.fromkeys(rec["record_key"] for r in accepted for rec in r["records"]))
    held = _versions(conn, keys)
    ids = iter(catalog.reserve_ids("records", sum(len(r["records"]) for r in accepted)))
    next_id = next(ids, 0)
    inserts: dict[tuple, list[tuple]] = {}
    written: list[tuple[int, dict]] = []
    demoted: list[tuple[int]] = []
    audits: list[tuple] = []
    sources: list[tuple] = []
    failures: list[dict] = []
    all_changes: list[list[str]] = []
    for result in results:
        changes: list[str] = []
        all_changes.append(changes)
        if result["outcome"] not in ACCEPTED_OUTCOMES:
            failures.append(result)
            continue
        for record in result["records"]:
            key, sha = record["record_key"], record["sha256"]
            versions = held.setdefault(key, [])
            current = next((v for v in versions if v[3]), None)
            if current is None and versions:
                raise _Fallback(f"{key}: versions but none current")
            if current and any(v[2] == sha for v in versions):
                changes.append("unchanged")
                continue
            version = 1
            if current:
                current[3] = 0
                demoted.append((current[0],))
                version = max(v[1] for v in versions) + 1
                audits.append(
                    (
                        stamp,
                        actor,
                        "record.new_version",
                        next_id,
                        _json({"record_key": key, "previous": current[0], "version": version}),
                    )
                )
            columns, get = _row_getter(tuple(record))
            inserts.setdefault(columns, []).append(
                (next_id, *get(record), version, 1, batch_id, stamp)
            )
            written.append((next_id, record))
            versions.append([next_id, version, sha, 1])
            next_id = next(ids, 0)
            changes.append("updated" if current else "added")
        if result["sha256"]:
            sources.append((result["sha256"], result["path"], batch_id, len(result["records"])))
    for columns, rows in inserts.items():
        names = ("id", *columns, "version", "is_current", "batch_id", "created")
        catalog.insert_rows("records", names, rows)
    if demoted:  # after the inserts: a version written earlier in this group may be demoted
        conn.executemany("UPDATE records SET is_current = 0 WHERE id = ?", demoted)
    _insert_children(catalog, written)
    if audits:
        conn.executemany(
            "INSERT INTO audit(at, actor, action, record_id, detail) VALUES (?, ?, ?, ?, ?)",
            audits,
        )
    if sources:
        conn.executemany(SOURCES_SQL, sources)
    if failures:
        store_failures(catalog, batch_id, failures, stamp)
    return all_changes


_GETTERS: dict[tuple, tuple] = {}


def _row_getter(keys: tuple) -> tuple:
    """The record columns of a record dict with these keys, and a getter of their values."""
    known = _GETTERS.get(keys)
    if known is None:
        columns = tuple(k for k in keys if k not in NESTED)
        known = _GETTERS[keys] = (columns, itemgetter(*columns))
    return known


def _json(value: dict) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


class GroupWriter:
    """Results in, whole groups out. ``add`` keeps a result; ``flush`` writes what is kept in one
    transaction and calls ``on_written(result, changes)`` for each, in the order added. Results
    the catalog already holds (``known``) pass through without a write, in order."""

    MAX_ITEMS = 2048
    MAX_SECONDS = 0.5
    MAX_BYTES = 64 * 2**20  # of extracted text kept in memory (a group of big PDFs)

    def __init__(
        self,
        catalog: Catalog,
        batch_id: int,
        on_written: Callable[[dict, list[str]], None],
        batched: bool = True,
    ):
        self.catalog = catalog
        self.batch_id = batch_id
        self.on_written = on_written
        self.batched = batched
        self.pending: list[dict] = []
        self.opened = 0.0
        self.bytes = 0
        # While the batch writes: a larger page cache keeps the records indexes in memory
        # across groups, and the WAL is checkpointed every ~80 MB instead of every 4 MB (each
        # checkpoint writes back and syncs the pages; fewer of them is 1.3-1.6x faster writes,
        # benchmarks/README.md). Both are this connection's settings; ``close`` restores them.
        conn = catalog.db.conn
        self.saved = {}
        if catalog.backend == "sqlite":
            self.saved = {
                name: conn.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("cache_size", "wal_autocheckpoint")
            }
            conn.execute("PRAGMA cache_size = -65536")
            conn.execute("PRAGMA wal_autocheckpoint = 20000")

    def add(self, result: dict) -> None:
        if not self.pending:
            self.opened = time.monotonic()
            self.bytes = 0
        self.pending.append(result)
        for record in result.get("records") or ():
            self.bytes += len(record.get("text") or "") + sum(
                len(a.get("text") or "") for a in record.get("attachments") or ()
            )
        if (
            len(self.pending) >= self.MAX_ITEMS
            or self.bytes >= self.MAX_BYTES
            or time.monotonic() - self.opened >= self.MAX_SECONDS
        ):
            self.flush()

    def time_left(self) -> float:
        """Seconds until the kept group is due to be written (0: nothing kept, or due)."""
        if not self.pending:
            return 0.0
        return max(0.0, self.MAX_SECONDS - (time.monotonic() - self.opened))

    def flush(self) -> None:
        if not self.pending:
            return
        results, self.pending = self.pending, []
        to_write = [r for r in results if not r.get("known")]
        changes: dict[int, list[str]] = {}
        if to_write:
            conn = self.catalog.db.conn
            with self.catalog.transaction():
                written = None
                if self.batched:
                    conn.execute("SAVEPOINT grp")
                    try:
                        written = write_group(self.catalog, self.batch_id, to_write)
                    except Exception:  # noqa: BLE001 - written again item by item below
                        conn.execute("ROLLBACK TO grp")
                        written = None
                    conn.execute("RELEASE grp")
                if written is None:
                    written = [write_result(self.catalog, self.batch_id, r) for r in to_write]
            changes = {id(r): c for r, c in zip(to_write, written)}
        for result in results:
            self.on_written(result, changes.get(id(result), []))

    def close(self) -> None:
        """Write what is kept, give the connection its settings back, checkpoint the WAL
        without waiting for readers."""
        self.flush()
        conn = self.catalog.db.conn
        for name, value in self.saved.items():
            conn.execute(f"PRAGMA {name} = {int(value)}")
        if self.saved:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
