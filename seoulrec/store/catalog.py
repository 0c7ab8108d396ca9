"""The catalog: schema, migrations, queries. SQLite through sqlite-utils by default; a
``postgresql://`` location opens ``seoulrec.store.pg.PgCatalog`` with the same schema and methods.

One file, WAL mode, a schema version in ``meta`` and forward-only migrations. Ingested items are
written whole, in transactions of whole groups, so a killed run leaves a consistent catalog.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import sqlite_utils

from seoulrec.errors import CatalogLocked, CatalogNotFound, RecordNotFound, UsageError

SCHEMA_VERSION = 8


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _migration_1(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS batches (
            id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL,
            options TEXT, added INTEGER DEFAULT 0, updated INTEGER DEFAULT 0,
            unchanged INTEGER DEFAULT 0, failed INTEGER DEFAULT 0)"""
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS records (
            id INTEGER PRIMARY KEY,
            record_key TEXT NOT NULL, version INTEGER NOT NULL, is_current INTEGER NOT NULL,
            kind TEXT NOT NULL, material_kind TEXT,
            document_number TEXT, regnumbercode TEXT, title TEXT, organ TEXT, department TEXT,
            enforcement_date TEXT, sender_name TEXT, recipients TEXT, text TEXT,
            approval_level TEXT NOT NULL, disclosure_class TEXT, grounds TEXT, publication_code TEXT,
            unit_task TEXT, source_path TEXT, source_format TEXT, sha256 TEXT NOT NULL,
            status TEXT NOT NULL, pages INTEGER, metadata TEXT, warnings TEXT,
            batch_id INTEGER REFERENCES batches(id), created TEXT NOT NULL,
            UNIQUE (record_key, version))"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS records_current ON records(is_current, record_key)")
    db.execute("CREATE INDEX IF NOT EXISTS records_sha ON records(sha256)")
    db.execute("CREATE INDEX IF NOT EXISTS records_batch ON records(batch_id)")
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS approvals (
            record_id INTEGER NOT NULL REFERENCES records(id), kind TEXT NOT NULL,
            "order" INTEGER NOT NULL, position TEXT, type TEXT, name TEXT, date TEXT,
            is_final INTEGER NOT NULL, level TEXT)"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS approvals_record ON approvals(record_id)")
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS attachments (
            id INTEGER PRIMARY KEY, record_id INTEGER NOT NULL REFERENCES records(id),
            name TEXT NOT NULL, format TEXT, size INTEGER, sha256 TEXT, text TEXT,
            status TEXT NOT NULL, message TEXT)"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS attachments_record ON attachments(record_id)")
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS sources (
            sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, batch_id INTEGER, records INTEGER)"""
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS failures (
            id INTEGER PRIMARY KEY, batch_id INTEGER REFERENCES batches(id), path TEXT NOT NULL,
            reason TEXT NOT NULL, message TEXT, at TEXT NOT NULL)"""
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS audit (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            record_id INTEGER, detail TEXT)"""
    )
    # The audit log is append-only: the database itself refuses edits and deletions.
    db.execute(
        "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )


def _migration_2(db: sqlite_utils.Database) -> None:
    """Classification: scheme versions, per-classifier results, decisions, trained models."""
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS schemes (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, source TEXT, sha256 TEXT,
            imported TEXT NOT NULL, is_current INTEGER NOT NULL)"""
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS categories (
            scheme_version INTEGER NOT NULL REFERENCES schemes(version), code TEXT NOT NULL,
            name TEXT NOT NULL, parent TEXT, description TEXT, PRIMARY KEY (scheme_version, code))"""
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS classification_results (
            id INTEGER PRIMARY KEY, record_id INTEGER NOT NULL REFERENCES records(id),
            classifier TEXT NOT NULL, category TEXT NOT NULL, confidence REAL NOT NULL,
            authoritative INTEGER NOT NULL, evidence TEXT, scheme_version INTEGER, at TEXT NOT NULL)"""
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS classification_results_record ON classification_results(record_id)"
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS record_categories (
            record_key TEXT PRIMARY KEY, record_id INTEGER NOT NULL, category TEXT,
            scheme_version INTEGER, status TEXT NOT NULL, classifier TEXT, confidence REAL,
            reason TEXT, decided_by TEXT, at TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS record_categories_status ON record_categories(status)")
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS models (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL, trained TEXT NOT NULL,
            scheme_version INTEGER, params TEXT, metrics TEXT, blob BLOB NOT NULL, UNIQUE (name, version))"""
    )


def _migration_3(db: sqlite_utils.Database) -> None:
    """Disclosure: decisions per record and attachment, manual overrides, review board."""
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS disclosures (
            record_id INTEGER PRIMARY KEY REFERENCES records(id), record_key TEXT NOT NULL,
            list_public INTEGER NOT NULL, original_public INTEGER NOT NULL, masked INTEGER NOT NULL,
            disclosure_class TEXT NOT NULL, grounds TEXT NOT NULL, reason TEXT, release_date TEXT,
            withheld_because TEXT NOT NULL, policy_version TEXT NOT NULL, source TEXT NOT NULL,
            next_review TEXT, opens_by_law TEXT, public_title TEXT, title_findings INTEGER,
            decided_at TEXT NOT NULL, since TEXT NOT NULL, previous_public INTEGER)"""
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS attachment_disclosures (
            attachment_id INTEGER PRIMARY KEY REFERENCES attachments(id), record_id INTEGER NOT NULL,
            published INTEGER NOT NULL, reason TEXT)"""
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS disclosure_overrides (
            record_key TEXT PRIMARY KEY, disclosure_class TEXT NOT NULL, grounds TEXT NOT NULL,
            reason TEXT NOT NULL, until TEXT, decided_by TEXT NOT NULL, at TEXT NOT NULL)"""
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS review_decisions (
            id INTEGER PRIMARY KEY, record_key TEXT NOT NULL, record_id INTEGER NOT NULL,
            decision TEXT NOT NULL, note TEXT, decided_by TEXT NOT NULL, at TEXT NOT NULL, day TEXT NOT NULL)"""
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS review_decisions_key ON review_decisions(record_key, id)"
    )


def _migration_4(db: sqlite_utils.Database) -> None:
    """Incremental export: change sequence on decisions, withdrawals, export runs and state."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(disclosures)")}
    if "seq" not in columns:
        db.execute("ALTER TABLE disclosures ADD COLUMN seq INTEGER NOT NULL DEFAULT 0")
    if "row_hash" not in columns:
        db.execute("ALTER TABLE disclosures ADD COLUMN row_hash TEXT")
    # The state a decision replaced (whether its original was public, and when that state was
    # decided), so an incremental export can tell downstream copies what to withdraw.
    if "prev_original_public" not in columns:
        db.execute("ALTER TABLE disclosures ADD COLUMN prev_original_public INTEGER")
    if "prev_seq" not in columns:
        db.execute("ALTER TABLE disclosures ADD COLUMN prev_seq INTEGER")
    db.execute("CREATE INDEX IF NOT EXISTS disclosures_key ON disclosures(record_key)")
    db.execute("CREATE INDEX IF NOT EXISTS disclosures_seq ON disclosures(seq)")
    # Public columns kept on the record at ingest, so exports read plain columns.
    record_columns = {row[1] for row in db.execute("PRAGMA table_info(records)")}
    for column in ("public_id", "writer", "retention_period", "licence"):
        if column not in record_columns:
            db.execute(f"ALTER TABLE records ADD COLUMN {column} TEXT")
    rows = db.execute(
        "SELECT r.id, r.record_key, json_extract(r.metadata, '$.package_id'), json_extract(r.metadata, '$.writer'), "
        "(SELECT a.name FROM approvals a WHERE a.record_id = r.id AND a.kind = 'approval' ORDER BY a.\"order\" LIMIT 1), "
        "json_extract(r.metadata, '$.retention_period'), json_extract(r.metadata, '$.licence') FROM records r WHERE r.public_id IS NULL"
    ).fetchall()
    db.conn.executemany(
        "UPDATE records SET public_id = ?, writer = ?, retention_period = ?, licence = ? WHERE id = ?",
        [
            (public_id(key, pid or ""), w1 or w2 or "", ret or "", lic or "", rid)
            for rid, key, pid, w1, w2, ret, lic in rows
        ],
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS withdrawals (
            id INTEGER PRIMARY KEY, record_key TEXT NOT NULL, seq INTEGER NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS withdrawals_seq ON withdrawals(seq)")
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS export_runs (
            id INTEGER PRIMARY KEY, exporter TEXT NOT NULL, destination TEXT NOT NULL, kind TEXT NOT NULL,
            since_run INTEGER, seq INTEGER NOT NULL, started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL,
            counts TEXT, manifest_sha256 TEXT)"""
    )


#: The production month a record is published under in a partitioned index ('undated' without a
#: usable date). An index on this very expression lets an export read one partition at a time.
PARTITION_EXPR = "(CASE WHEN enforcement_date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]*' THEN substr(enforcement_date, 1, 7) ELSE 'undated' END)"


def _migration_5(db: sqlite_utils.Database) -> None:
    """Partitioned exports, run ownership (pids), where a title came from, a catalog identity."""
    db.execute(f"CREATE INDEX IF NOT EXISTS records_partition ON records({PARTITION_EXPR}, id)")
    db.execute("CREATE INDEX IF NOT EXISTS records_key ON records(record_key)")
    for table, column in (
        ("export_runs", "pid"),
        ("batches", "pid"),
        ("records", "title_source"),
        ("records", "source_url"),
        ("disclosures", "category"),
        ("disclosures", "category_path"),
        ("failures", "resolved"),
    ):
        if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
            db.execute(
                f"ALTER TABLE {table} ADD COLUMN {column} {'INTEGER' if column == 'pid' else 'TEXT'}"
            )
    # The portal URL a record came with (Seoul's list carries the original's own URL).
    db.execute(
        "UPDATE records SET source_url = json_extract(metadata, '$.source_url') WHERE source_url IS NULL AND metadata LIKE '%source_url%'"
    )
    import uuid

    db.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('catalog_id', ?)", [uuid.uuid4().hex]
    )


def _migration_6(db: sqlite_utils.Database) -> None:
    """Meetings (회의 공개) and the pre-publication registry (사전공표)."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS meetings (
            meeting_id TEXT PRIMARY KEY, committee TEXT, title TEXT NOT NULL,
            scheduled_at TEXT NOT NULL, place TEXT, status TEXT NOT NULL, announced_on TEXT,
            broadcast_url TEXT, department TEXT, field TEXT, organ TEXT,
            minutes_path TEXT, minutes_key TEXT, materials TEXT NOT NULL DEFAULT '[]',
            source TEXT, row_hash TEXT NOT NULL, updated TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS prepub_items (
            item_id TEXT PRIMARY KEY, title TEXT NOT NULL, department TEXT, cycle TEXT NOT NULL,
            category TEXT, taxonomy TEXT, rule TEXT, source TEXT, updated TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS prepub_publications (
            item_id TEXT NOT NULL REFERENCES prepub_items(item_id), ref TEXT NOT NULL,
            published_on TEXT NOT NULL, title TEXT, department TEXT, url TEXT,
            PRIMARY KEY (item_id, ref)
        );
        CREATE INDEX IF NOT EXISTS prepub_publications_date ON prepub_publications(item_id, published_on);
        """
    )


def _migration_7(db: sqlite_utils.Database) -> None:
    """What a decision was made from, and the first day time alone could change it: a nightly
    apply skips records whose facts are the same and whose decision is still stable."""
    for column in ("facts_hash", "stable_until"):
        if column not in {row[1] for row in db.execute("PRAGMA table_info(disclosures)")}:
            db.execute(f"ALTER TABLE disclosures ADD COLUMN {column} TEXT")


def _migration_8(db: sqlite_utils.Database) -> None:
    """A failure's identity (path, bytes, outcome): a file that fails the same way every night
    is stored once and reported as known. Open duplicates from before are superseded."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(failures)")}
    if "fingerprint" not in columns:
        db.execute("ALTER TABLE failures ADD COLUMN fingerprint TEXT")
    if "seen" not in columns:
        db.execute("ALTER TABLE failures ADD COLUMN seen INTEGER")
    db.execute("CREATE INDEX IF NOT EXISTS failures_path ON failures(path)")
    db.execute(
        "UPDATE failures SET resolved = at WHERE resolved IS NULL AND id NOT IN "
        "(SELECT max(id) FROM failures WHERE resolved IS NULL GROUP BY path)"
    )


MIGRATIONS = {
    1: _migration_1,
    2: _migration_2,
    3: _migration_3,
    4: _migration_4,
    5: _migration_5,
    6: _migration_6,
    7: _migration_7,
    8: _migration_8,
}


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


class Catalog:
    """An open catalog. Use ``Catalog.create`` for a new file and ``Catalog.open`` otherwise.

    Either an SQLite file (the default, through sqlite-utils) or, given a ``postgresql://``
    URL, a PostgreSQL database (``seoulrec.store.pg.PgCatalog``): the same schema and methods."""

    backend = "sqlite"

    def __init__(self, path: Path, db: sqlite_utils.Database):
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
    def _connect(cls, path: Path, readonly: bool = False) -> sqlite_utils.Database:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        else:
            conn = sqlite3.connect(str(path), timeout=30)
        conn.execute("PRAGMA busy_timeout = 30000")
        db = sqlite_utils.Database(conn)
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
                    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)"
                )
            current = self.schema_version()
            for version in sorted(MIGRATIONS):
                if version <= current:
                    continue
                with self.transaction():
                    MIGRATIONS[version](self.db)
                    self.db.execute(
                        "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                        [str(version)],
                    )
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

        sqlite-utils commits each write statement on its own unless a transaction is open, so
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
                cursor = self.db.execute(
                    "INSERT INTO batches(started, status, options, pid) VALUES (?, 'running', ?, ?)",
                    [now(), json.dumps(options, ensure_ascii=False), os.getpid()],
                )
                batch_id = int(cursor.lastrowid or 0)
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


def public_id(record_key: str, given: str = "") -> str:
    """A stable 15-digit public id (the portal's ``package_id``): the manifest's own id when it
    has one, else one derived from the record key, so every version keeps the same id."""
    if given and given.isdigit():
        return given
    return f"{int.from_bytes(hashlib.blake2b(record_key.encode(), digest_size=8).digest(), 'big') % 10**15:015d}"


def default_actor() -> str:
    return os.environ.get("SEOULREC_ACTOR") or os.environ.get("USER") or "unknown"
