"""The catalog: opening, creating and migrating it, transactions, run locks, meta values and
the record reads every layer uses. SQLite through the standard library by default; a ``postgresql://``
location opens ``seoulrec.store.pg.PgCatalog`` with the same schema and methods.

One file, WAL mode, a schema version in ``meta`` and forward-only migrations. Ingested items are
written whole, in transactions of whole groups, so a killed run leaves a consistent catalog.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from seoulrec.errors import CatalogLocked, CatalogNotFound, RecordNotFound, UsageError
from seoulrec.store.dialect import SQLITE, Dialect, upsert

__all__ = ["SCHEMA_VERSION", "Catalog", "now", "default_actor"]

#: The catalog schema this seoulrec writes: the last of ``seoulrec.store.schema.MIGRATIONS``
#: (a test holds them equal). The migrations themselves are imported only to migrate: opening
#: an up-to-date catalog, as `seoulrec status` does, never needs them (issue 24).
SCHEMA_VERSION = 12


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


#: Catalogs at a URL, by scheme: the module and class of their backend, loaded when a URL of
#: that scheme is opened (the SQLite catalog below knows no backend's code; the PostgreSQL
#: backend, ``seoulrec.store.pg``, builds on it).
URL_BACKENDS = {
    "postgresql://": ("seoulrec.store.pg", "PgCatalog"),
    "postgres://": ("seoulrec.store.pg", "PgCatalog"),
}
SCHEMES = tuple(URL_BACKENDS)


def is_url(location) -> bool:
    """Whether a catalog location is a server URL (``postgresql://…``) rather than a file."""
    return isinstance(location, str) and location.startswith(SCHEMES)


def backend_for(url: str) -> "type[Catalog]":
    """The catalog class for a URL's scheme."""
    import importlib

    module, name = next(v for k, v in URL_BACKENDS.items() if url.startswith(k))
    return getattr(importlib.import_module(module), name)


class SqliteDatabase:
    """The catalog's SQLite connection and the little seoulrec asks of it (``execute``,
    ``executemany``, ``executescript``, ``query``, ``table_names``): the same surface as
    ``seoulrec.store.pg.PgDatabase``. Plain ``sqlite3`` in autocommit mode: a write outside
    ``Catalog.transaction`` commits on its own, as it did through sqlite-utils, whose import
    (numpy through its optional import, click, pluggy: ~190 ms) every command paid for these
    five calls (issue 24)."""

    def __init__(self, conn: sqlite3.Connection):
        conn.isolation_level = None  # autocommit: transactions are BEGIN IMMEDIATE ... COMMIT
        conn.execute("PRAGMA recursive_triggers = on")
        self.conn = conn

    def execute(self, sql: str, params=None) -> sqlite3.Cursor:
        return self.conn.execute(sql) if params is None else self.conn.execute(sql, params)

    def executemany(self, sql: str, rows) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def executescript(self, script: str) -> None:
        """Statements separated by ``;``; inside a transaction one at a time (sqlite3's own
        ``executescript`` would commit the open transaction first)."""
        if not self.conn.in_transaction:
            self.conn.executescript(script)
            return
        statement = ""
        for line in script.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                self.conn.execute(statement)
                statement = ""
        if statement.strip():
            self.conn.execute(statement)

    def query(self, sql: str, params=None) -> Iterator[dict]:
        cursor = self.execute(sql, params)
        names = [d[0] for d in cursor.description or []]
        for row in cursor:
            yield dict(zip(names, row))

    def table_names(self) -> list[str]:
        return [
            r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]


class Catalog:
    """An open catalog. Use ``Catalog.create`` for a new file and ``Catalog.open`` otherwise.

    Either an SQLite file (the default, through ``SqliteDatabase``) or, given a ``postgresql://``
    URL, a PostgreSQL database (``seoulrec.store.pg.PgCatalog``): the same schema and methods."""

    backend = "sqlite"
    #: What this backend's SQL says differently (``seoulrec.store.dialect``).
    dialect: Dialect = SQLITE

    def __init__(self, path: Path, db: SqliteDatabase):
        self.path: Path | None = path
        self.db = db

    @property
    def location(self) -> str:
        """Where the catalog is, for messages (a file, or a URL without its password)."""
        return str(self.path)

    def reader_location(self, local: bool) -> str:
        """What readers open, read-only, to skip sources the catalog already holds."""
        assert self.path is not None
        return str(self.path.resolve())

    def insert_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Many new rows in the open transaction (one prepared INSERT, executemany)."""
        if rows:
            names = ", ".join(f'"{c}"' for c in columns)
            self.db.conn.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})", rows
            )

    def reserve_ids(self, table: str, count: int) -> range:
        """``count`` new ids for rows of ``table`` written in the open transaction (the write
        lock is held: nobody else takes the same ones)."""
        first = self.db.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
        return range(first, first + count)

    @classmethod
    def _connect(cls, path: Path, readonly: bool = False) -> SqliteDatabase:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        else:
            conn = sqlite3.connect(str(path), timeout=30)
        conn.execute("PRAGMA busy_timeout = 30000")
        db = SqliteDatabase(conn)
        if not readonly:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
        return db

    @classmethod
    def create(cls, path: "Path | str") -> "Catalog":
        if is_url(path):
            return backend_for(str(path)).create(str(path))
        path = Path(path)
        if path.exists() and path.is_dir():
            raise UsageError(f"{path} is a folder; give a file name for the catalog")
        if not path.parent.exists():
            raise UsageError(f"folder {path.parent} does not exist; create it first")
        if path.exists() and path.stat().st_size > 0:
            cls._check_own(path)
        catalog = cls(path, cls._connect(path))
        catalog.migrate()
        return catalog

    @staticmethod
    def _check_own(path: Path) -> None:
        """Refuse a file that is not a seoulrec catalog before writing anything into it (another
        application's database must not gain tables or be switched to WAL)."""
        with open(path, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise UsageError(
                    f"{path} exists and is not an SQLite database; give a new file name for the catalog"
                )
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                tables = {
                    r[0]
                    for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                }
                version = (
                    conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                    if "meta" in tables
                    else None
                )
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"{path} is not a readable SQLite database ({exc})") from None
        if tables and version is None:
            raise UsageError(
                f"{path} is another application's database (tables: {', '.join(sorted(tables)[:5])}); seoulrec will not write into it"
            )

    @classmethod
    def open(cls, path: "Path | str", readonly: bool = False) -> "Catalog":
        if is_url(path):
            return backend_for(str(path)).open(str(path), readonly=readonly)
        path = Path(path)
        if not path.is_file():
            raise CatalogNotFound(f"no catalog at {path}; run `seoulrec init` first")
        # Only `init` creates a schema: an empty file, /proc/self/environ or another file is
        # refused before SQLite can write a byte into it.
        try:
            with open(path, "rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            raise UsageError(f"cannot read the catalog {path} ({exc.strerror})") from None
        if head != b"SQLite format 3\x00":
            raise CatalogNotFound(
                f"{path} is {'an empty file' if not head else 'not an SQLite database'}, not a "
                "seoulrec catalog; give the catalog's path, or run `seoulrec init` with a new file name"
            )
        try:
            catalog = cls(path, cls._connect(path, readonly=readonly))
            version = catalog.schema_version()
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"{path} is not a seoulrec catalog ({exc})") from None
        if version == 0 and "meta" not in catalog.db.table_names():
            catalog.close()
            raise CatalogNotFound(
                f"{path} is an SQLite database without a seoulrec catalog in it; run `seoulrec init`"
            )
        if not readonly and version < SCHEMA_VERSION:
            catalog.migrate()
        elif version > SCHEMA_VERSION:
            raise UsageError(
                f"{path} has schema version {version}, newer than this seoulrec ({SCHEMA_VERSION}); upgrade seoulrec"
            )
        return catalog

    def schema_version(self) -> int:
        if "meta" not in self.db.table_names():
            if self.db.table_names():
                raise sqlite3.DatabaseError("no meta table")
            return 0
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def migrate(self) -> int:
        """Apply every migration above the stored version, each in its own transaction."""
        try:
            with self.transaction():
                self.db.execute(
                    self.dialect.ddl(
                        "CREATE TABLE IF NOT EXISTS meta (key {text} PRIMARY KEY, value {text})"
                    )
                )
            current = self.schema_version()
            from seoulrec.store.schema import MIGRATIONS

            for version in sorted(MIGRATIONS):
                if version <= current:
                    continue
                with self.transaction():
                    MIGRATIONS[version](self.db, self.dialect)
                    self.set_meta("schema_version", str(version))
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise CatalogLocked(
                    f"{self.path} is locked by another seoulrec process; try again"
                ) from None
            raise
        return self.schema_version()

    def close(self) -> None:
        self.db.conn.close()

    @contextlib.contextmanager
    def transaction(self):
        """One atomic write: BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error.

        A write statement outside one commits on its own (autocommit), so
        every multi-statement write in seoulrec goes through here.
        """
        conn = self.db.conn
        if conn.in_transaction:
            yield self
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise CatalogLocked(
                    f"{self.path} is locked by another seoulrec process; try again"
                ) from None
            raise
        try:
            yield self
        except BaseException:
            conn.rollback()
            raise
        else:
            conn.commit()

    # -- meta ----------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def get_metas(self, keys) -> dict[str, str]:
        keys = list(keys)
        return dict(
            self.db.execute(
                f"SELECT key, value FROM meta WHERE {self.dialect.in_list('key', 'text')}",
                [self.dialect.list_param(keys)],
            ).fetchall()
        )

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(upsert("meta", ("key", "value"), ("key",)), [key, value])

    def columns(self, table: str) -> set[str]:
        return self.dialect.columns(self.db, table)

    def insert_id(self, sql: str, params, column: str = "id") -> int:
        """Run one INSERT and return the id the database gave the new row."""
        return self.dialect.insert_id(self.db, sql, params, column)

    # -- audit ---------------------------------------------------------------------------
    def audit(
        self,
        action: str,
        record_id: int | None = None,
        detail: dict | None = None,
        actor: str | None = None,
    ) -> None:
        self.db.execute(
            "INSERT INTO audit(at, actor, action, record_id, detail) VALUES (?, ?, ?, ?, ?)",
            [
                now(),
                actor or default_actor(),
                action,
                record_id,
                json.dumps(detail or {}, ensure_ascii=False),
            ],
        )

    # -- run locks -----------------------------------------------------------------------
    # One ingest at a time per catalog, one export run at a time per destination: each holds
    # a lock the kernel (SQLite: fcntl.flock on a file beside the catalog) or the server
    # (PostgreSQL: a session advisory lock) releases when the process dies. A run row marked
    # ``running`` whose lock is free was killed; no pid is ever trusted.
    def _lock_file(self, name: str) -> Path:
        assert self.path is not None
        return Path(f"{self.path}.{name}.lock")

    def take_run_lock(self, name: str):
        """The run lock ``name`` (``ingest``, ``export-<key>``), or None if a live run holds it."""
        from seoulrec.store.locks import try_lock

        return try_lock(self._lock_file(name), now())

    def release_run_lock(self, held) -> None:
        if held is not None:
            held.release()

    def run_lock_free(self, name: str) -> bool:
        """Whether no live process holds the run lock ``name`` (checked by taking it briefly)."""
        held = self.take_run_lock(name)
        if held is None:
            return False
        held.release()
        return True

    def ingest_running(self) -> bool:
        """Whether an ingest holds the catalog's ingest lock (a live process, on this machine)."""
        return not self.run_lock_free("ingest")

    # -- batches -------------------------------------------------------------------------
    def start_batch(self, options: dict) -> int:
        """Open a batch; one ingest at a time per catalog: this process takes the ingest lock
        (held until ``finish_batch``), and a batch still marked ``running`` was left by a
        process that died (its lock was released with it): marked ``interrupted``."""
        held = self.take_run_lock("ingest")
        if held is None:
            raise CatalogLocked(
                f"another ingest is running on {self.location}; wait for it to finish, then run "
                "this one (it will skip what is already catalogued)"
            )
        try:
            with self.transaction():
                for (batch_id,) in self.db.execute(
                    "SELECT id FROM batches WHERE status = 'running'"
                ).fetchall():
                    self.mark_interrupted(batch_id)
                batch_id = self.insert_id(
                    "INSERT INTO batches(started, status, options, pid) VALUES (?, 'running', ?, ?)",
                    [now(), json.dumps(options, ensure_ascii=False), os.getpid()],
                )
                self.audit("batch.start", detail={"batch": batch_id, "options": options})
        except BaseException:
            self.release_run_lock(held)
            raise
        self._ingest_lock = held
        return batch_id

    def batch_counts(self, batch_id: int) -> tuple[int, int, int]:
        """(added, updated, failed) of a batch, as the catalog holds them."""
        added, updated = self.db.execute(
            "SELECT count(*) FILTER (WHERE version = 1), count(*) FILTER (WHERE version > 1) FROM records WHERE batch_id = ?",
            [batch_id],
        ).fetchone()
        failed = self.db.execute(
            "SELECT count(*) FROM failures WHERE batch_id = ?", [batch_id]
        ).fetchone()[0]
        return added, updated, failed

    def mark_interrupted(self, batch_id: int) -> None:
        """A batch whose process is gone: interrupted, with the counts of what it did commit."""
        added, updated, failed = self.batch_counts(batch_id)
        self.db.execute(
            "UPDATE batches SET status = 'interrupted', added = ?, updated = ?, failed = ? WHERE id = ?",
            [added, updated, failed, batch_id],
        )

    def finish_batch(self, batch_id: int, counts: dict, status: str = "finished") -> None:
        """Close a batch; its added/updated/failed counts are read from the catalog itself, so
        they always match what it holds."""
        try:
            self._finish_batch(batch_id, counts, status)
        finally:
            self.release_run_lock(getattr(self, "_ingest_lock", None))
            self._ingest_lock = None

    def _finish_batch(self, batch_id: int, counts: dict, status: str) -> None:
        with self.transaction():
            added, updated, failed = self.batch_counts(batch_id)
            counts = {**counts, "added": added, "updated": updated, "failed": failed}
            self.db.execute(
                "UPDATE batches SET finished = ?, status = ?, added = ?, updated = ?, unchanged = ?, failed = ? WHERE id = ?",
                [
                    now(),
                    status,
                    counts["added"],
                    counts["updated"],
                    counts["unchanged"],
                    counts["failed"],
                    batch_id,
                ],
            )
            self.audit("batch.finish", detail={"batch": batch_id, "status": status, **counts})

    # -- records -------------------------------------------------------------------------
    def known_source(self, sha256: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM sources WHERE sha256 = ?", [sha256]).fetchone()
            is not None
        )

    def missing_attachments(self, sha256: str) -> list[str]:
        """Per incomplete current record made from these bytes: its missing attachments' names."""
        names = self.dialect.agg_text("a.name", "', '")
        return [
            missing
            for (missing,) in self.db.execute(
                f"SELECT {names} FROM records r JOIN attachments a ON a.record_id = r.id "
                "WHERE r.sha256 = ? AND r.is_current = 1 AND r.status = 'incomplete' AND a.status = 'missing' GROUP BY r.id",
                [sha256],
            )
        ]

    def current_version(self, record_key: str) -> tuple[int, int, str] | None:
        row = self.db.execute(
            "SELECT id, version, sha256 FROM records WHERE record_key = ? AND is_current = 1",
            [record_key],
        ).fetchone()
        return tuple(row) if row else None

    def get_record(self, record_id: int) -> dict:
        rows = list(self.db.query("SELECT * FROM records WHERE id = ?", [record_id]))
        if not rows:
            raise RecordNotFound(f"no record with id {record_id}; see `seoulrec records list`")
        return rows[0]

    def approvals_of(self, record_id: int) -> list[dict]:
        return list(
            self.db.query(
                'SELECT * FROM approvals WHERE record_id = ? ORDER BY kind DESC, "order"',
                [record_id],
            )
        )

    def attachments_of(self, record_id: int) -> list[dict]:
        return list(
            self.db.query("SELECT * FROM attachments WHERE record_id = ? ORDER BY id", [record_id])
        )

    def iter_records(
        self,
        batch: int | None = None,
        department: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        disclosure_class: str | None = None,
        limit: int | None = None,
        all_versions: bool = False,
        category: str | None = None,
        published: bool | None = None,
        state: str | None = None,
        kind: str | None = None,
    ) -> Iterator[dict]:
        """Records matching every filter given, in id order. ``disclosure_class`` and
        ``published`` filter on the decision in force; ``state``: current (default),
        superseded, withdrawn."""
        where: list[str] = []
        params: list = []
        if state == "superseded":
            where.append(
                "is_current = 0 AND EXISTS (SELECT 1 FROM records o WHERE o.record_key = records.record_key AND o.is_current = 1)"
            )
        elif state == "withdrawn":
            where.append(
                "is_current = 0 AND NOT EXISTS (SELECT 1 FROM records o WHERE o.record_key = records.record_key AND o.is_current = 1)"
            )
        elif not all_versions:
            where.append("is_current = 1")
        if category:
            where.append(
                "EXISTS (SELECT 1 FROM record_categories c WHERE c.record_key = records.record_key AND c.record_id = records.id AND c.category = ?)"
            )
            params.append(category)
        if published is not None:
            where.append(
                "EXISTS (SELECT 1 FROM disclosures d WHERE d.record_id = records.id AND d.original_public = ?)"
            )
            params.append(int(published))
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if batch is not None:
            where.append("batch_id = ?")
            params.append(batch)
        if department:
            where.append("department = ?")
            params.append(department)
        if date_from:
            where.append("enforcement_date >= ?")
            params.append(date_from)
        if date_to:
            where.append("enforcement_date <= ?")
            params.append(date_to)
        if disclosure_class:
            where.append(
                "COALESCE((SELECT d.disclosure_class FROM disclosures d WHERE d.record_id = records.id), disclosure_class) = ?"
            )
            params.append(disclosure_class)
        sql = "SELECT * FROM records"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        yield from self.db.query(sql, params)


def withdraw_record(
    catalog: "Catalog", record_id: int, reason: str, actor: str | None = None
) -> dict:
    """Take a record out of the catalog's current set (all versions stay for the archive); the
    next ``disclose apply`` leaves a tombstone so downstream copies drop it too."""
    row = catalog.db.execute("SELECT record_key FROM records WHERE id = ?", [record_id]).fetchone()
    if row is None:
        raise RecordNotFound(f"no record with id {record_id}; see `seoulrec records list`")
    if not (reason or "").strip():
        raise UsageError("--reason is required")
    if (
        catalog.db.execute(
            "SELECT 1 FROM records WHERE record_key = ? AND is_current = 1", [row[0]]
        ).fetchone()
        is None
    ):
        raise UsageError(
            f"record {record_id} is already withdrawn (no version of it is current); nothing changed"
        )
    with catalog.transaction():
        changed = catalog.db.execute(
            "UPDATE records SET is_current = 0 WHERE record_key = ? AND is_current = 1", [row[0]]
        ).rowcount
        catalog.audit(
            "record.withdraw",
            record_id,
            {"record_key": row[0], "reason": reason.strip()},
            actor=actor,
        )
    return {"id": record_id, "record_key": row[0], "withdrawn_versions": changed}


def default_actor() -> str:
    return os.environ.get("SEOULREC_ACTOR") or os.environ.get("USER") or "unknown"
