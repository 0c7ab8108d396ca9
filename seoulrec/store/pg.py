"""The PostgreSQL catalog (``--catalog postgresql://USER@HOST/DB``): the same schema, migrations,
audit triggers and transactions as the SQLite catalog, for many archivists on many machines.

seoulrec's statements live in the catalog package; where PostgreSQL's dialect differs from
SQLite's, the statement takes the piece from ``seoulrec.store.dialect.POSTGRESQL`` (column
types, JSON fields, list parameters, aggregates, the partition expression, triggers, new ids).
``PgDatabase`` offers the surface the catalog uses (that of ``catalog.SqliteDatabase``); the only change it
makes to a statement is the parameter marker (``format_params``). What is much faster another
way has its own PostgreSQL implementation here (ids reserved from sequences, COPY for a
group's rows, the ingest and nightly locks, sizes).

Transactions keep SQLite's semantics: one writer at a time per catalog (a transaction-scoped
advisory lock taken at BEGIN, as SQLite's BEGIN IMMEDIATE takes the write lock), readers never
blocked. So a read-then-write decision can never lose an update, on either backend.
"""

from __future__ import annotations

import contextlib
import hashlib
import functools
from typing import Iterator
from urllib.parse import quote, urlsplit, urlunsplit

from seoulrec.store.catalog import SCHEMA_VERSION, Catalog
from seoulrec.store.dialect import POSTGRESQL
from seoulrec.errors import CatalogLocked, UsageError

#: The advisory lock every write transaction takes (SQLite's single writer).
WRITE_LOCK = 0x5E0_0001
#: Held for the whole of an ingest batch by its session (one ingest at a time per catalog);
#: released by PostgreSQL itself when that session ends, killed or not.
INGEST_LOCK = 0x5E0_0002
#: Held by a running ``seoulrec nightly``.
NIGHTLY_LOCK = 0x5E0_0003
LOCK_TIMEOUT = "30s"


def _split(url: str):
    """``urlsplit``, or None for a URL it cannot parse (``postgresql://[::1``)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
        return parts
    except ValueError:
        return None


def redact(url: str) -> str:
    """The URL without its password, for messages (an unparseable URL is not echoed at all:
    it could hold the password anywhere)."""
    parts = _split(url)
    if parts is None:
        return url.split(":", 1)[0] + "://(a malformed URL)"
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def without_password(url: str) -> str:
    parts = _split(url)
    if parts is None:
        return redact(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", "@")))


def connect(url: str, readonly: bool = False):
    """A psycopg connection in autocommit mode (seoulrec opens its own transactions), or a
    clear UsageError when the server cannot be reached or refuses the credentials."""
    try:
        import psycopg
    except ImportError:
        raise UsageError(
            "a postgresql:// catalog needs the psycopg package: pip install 'seoulrec[postgres]'"
        ) from None
    if _split(url) is None:
        raise UsageError(
            f"not a usable PostgreSQL URL {redact(url)}: write it as postgresql://USER@HOST:PORT/DB "
            "(an IPv6 host in brackets, [::1])"
        )
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        secret = urlsplit(url).password
        if secret:
            reason = reason.replace(secret, "***")
        if "password" in reason:
            reason += " (the password comes from the URL, PGPASSWORD or ~/.pgpass; seoulrec.toml never holds it)"
        raise UsageError(
            f"cannot connect to the PostgreSQL catalog {redact(url)}: {reason}"
        ) from None
    except psycopg.ProgrammingError as exc:  # a malformed URL
        secret = urlsplit(url).password
        reason = str(exc).replace(secret, "***") if secret else str(exc)
        raise UsageError(f"not a usable PostgreSQL URL {redact(url)}: {reason}") from None
    conn.adapters.register_dumper(bool, _bool_dumper())  # SQLite's booleans are integers
    conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    if readonly:
        conn.execute("SET default_transaction_read_only = on")
    else:
        row = conn.execute("SHOW default_transaction_read_only").fetchone()
        if row and str(row[0]).lower() == "on":
            conn.close()
            raise UsageError(
                f"the PostgreSQL session for {redact(url)} is read-only (default_transaction_read_only "
                "= on, from the URL's options, the role or the database); this command writes to the catalog"
            )
    return conn


@functools.cache
def _bool_dumper():
    from psycopg.adapt import Dumper
    from psycopg.pq import Format

    class BoolAsInt(Dumper):
        format = Format.TEXT

        def __init__(self, cls, context=None):
            super().__init__(cls, context)
            from psycopg.postgres import types

            self.oid = types["int8"].oid

        def dump(self, obj):
            return b"1" if obj else b"0"

    return BoolAsInt


# -- parameters ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def format_params(sql: str) -> str:
    """A statement written with DB-API's qmark markers (``?``, as sqlite3 takes them) in
    psycopg's format style (``%s``): each ``?`` outside string literals, quoted names and
    comments becomes ``%s``, and every ``%`` is doubled (psycopg reads them all). Nothing else
    in the statement changes: what differs between the dialects is stated by each backend
    (``seoulrec.store.dialect``), not rewritten here."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == c:
                    if end + 1 < n and sql[end + 1] == c:  # '' or "" inside: still quoted
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1].replace("%", "%%"))
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("$$", i):
            end = sql.find("$$", i + 2)
            end = n if end < 0 else end + 2
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif c == "?":
            out.append("%s")
            i += 1
        elif c == "%":
            out.append("%%")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


# -- the database surface the catalog uses ----------------------------------------------------


class Cursor:
    """A psycopg cursor that looks like sqlite3's where seoulrec looks (rows of a statement
    that returns none are an empty list, not an error)."""

    def __init__(self, cursor):
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def description(self):
        return self._cursor.description

    def fetchone(self):
        if self._cursor.description is None:
            return None
        return self._cursor.fetchone()

    def fetchmany(self, size: int = 1000):
        if self._cursor.description is None:
            return []
        return self._cursor.fetchmany(size)

    def fetchall(self):
        if self._cursor.description is None:
            return []
        return self._cursor.fetchall()

    def __iter__(self):
        if self._cursor.description is None:
            return iter(())
        return iter(self._cursor)


class Connection:
    """``catalog.db.conn``: transactions and ``execute``/``executemany``."""

    def __init__(self, db: "PgDatabase"):
        self.db = db

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.db.raw.info.transaction_status in (
            TransactionStatus.INTRANS,
            TransactionStatus.INERROR,
        )

    def execute(self, sql: str, params=None):
        return self.db.execute(sql, params)

    def executemany(self, sql: str, rows) -> None:
        self.db.executemany(sql, rows)

    def commit(self) -> None:
        if self.in_transaction:
            self.db.raw.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.db.raw.execute("ROLLBACK")

    def close(self) -> None:
        self.db.raw.close()


class PgDatabase:
    """``catalog.SqliteDatabase``'s surface on a PostgreSQL connection."""

    def __init__(self, raw):
        self.raw = raw
        self.conn = Connection(self)

    def execute(self, sql: str, params=None) -> Cursor:
        if params is None:
            return Cursor(self.raw.execute(sql))
        return Cursor(self.raw.execute(format_params(sql), list(params)))

    def executemany(self, sql: str, rows) -> None:
        rows = list(rows)
        if rows:
            with self.raw.cursor() as cursor:
                cursor.executemany(format_params(sql), rows)

    def executescript(self, script: str) -> None:
        """Statements separated by ``;`` (seoulrec's own DDL: no ``;`` inside a literal)."""
        for statement in script.split(";"):
            if statement.strip():
                self.execute(statement)

    def query(self, sql: str, params=None) -> Iterator[dict]:
        cursor = self.execute(sql, params)
        names = [d[0] for d in cursor.description or []]
        for row in cursor:
            yield dict(zip(names, row))

    def close(self) -> None:
        self.raw.close()

    def commit(self) -> None:
        self.conn.commit()

    def table_names(self) -> list[str]:
        return [
            r[0]
            for r in self.raw.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                "AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]


@contextlib.contextmanager
def write_transaction(db: PgDatabase, location: str):
    """BEGIN, then the catalog's write lock (waits up to ``LOCK_TIMEOUT``), COMMIT or ROLLBACK."""
    import psycopg

    conn = db.conn
    if conn.in_transaction:
        yield
        return
    db.raw.execute("BEGIN")
    try:
        db.raw.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
    except psycopg.errors.LockNotAvailable:
        db.raw.execute("ROLLBACK")
        raise CatalogLocked(
            f"{location} is busy: another seoulrec process held its write lock for {LOCK_TIMEOUT}; try again"
        ) from None
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    else:
        conn.commit()


# -- the catalog ---------------------------------------------------------------------------------


class PgCatalog(Catalog):
    """A catalog in a PostgreSQL database. The database must exist (a DBA creates it);
    ``seoulrec init --catalog postgresql://…`` creates the schema in it."""

    backend = "postgresql"
    dialect = POSTGRESQL
    db: "PgDatabase"  # type: ignore[assignment]  # SqliteDatabase's interface, over psycopg

    def __init__(self, url: str, db: PgDatabase):
        self.url = url
        self.path = None
        self.db = db  # type: ignore[assignment]

    @property
    def location(self) -> str:
        return redact(self.url)

    @classmethod
    def create(cls, path) -> "PgCatalog":  # type: ignore[override]
        url = str(path)
        catalog = cls(url, PgDatabase(connect(url)))
        foreign = [t for t in catalog.db.table_names() if t != "meta"]
        if foreign and "meta" not in catalog.db.table_names():
            catalog.close()
            raise UsageError(
                f"{redact(url)} holds another application's tables ({', '.join(foreign[:5])}); "
                "seoulrec will not write into it: give it a database of its own"
            )
        catalog._refuse_newer()
        catalog.migrate()
        return catalog

    @classmethod
    def open(cls, path, readonly: bool = False) -> "PgCatalog":  # type: ignore[override]
        from seoulrec.errors import CatalogNotFound

        url = str(path)
        catalog = cls(url, PgDatabase(connect(url, readonly=readonly)))
        if "meta" not in catalog.db.table_names():
            catalog.close()
            raise CatalogNotFound(
                f"no seoulrec catalog in {redact(url)}; run `seoulrec init --catalog {without_password(url)}` first"
            )
        catalog._refuse_newer()
        if not readonly and catalog.schema_version() < SCHEMA_VERSION:
            catalog.migrate()
        return catalog

    def _refuse_newer(self) -> None:

        if "meta" not in self.db.table_names():
            return
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            self.close()
            raise UsageError(
                f"{self.location} has schema version {version}, newer than this seoulrec ({SCHEMA_VERSION}); upgrade seoulrec"
            )

    def transaction(self):
        return _transaction(self)

    def reader_location(self, local: bool) -> str:
        """Readers on this machine get the password this session used (they do not inherit a
        PGPASSWORD set after their fork server started); a Dask worker gets the URL without it
        and uses its own credentials, or reads every item when it has none."""
        if not local:
            return without_password(self.url)
        password = self.db.raw.info.password
        parts = urlsplit(self.url)
        if parts.password is not None or not password:
            return self.url
        user, _, host = parts.netloc.rpartition("@")
        netloc = f"{user}:{quote(password, safe='')}@{host}"
        return urlunsplit(parts._replace(netloc=netloc))

    def insert_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Many new rows with COPY, PostgreSQL's bulk load (one stream, no statement per row)."""
        if rows:
            names = ", ".join(f'"{c}"' for c in columns)
            with self.db.raw.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)

    def reserve_ids(self, table: str, count: int) -> list[int]:  # type: ignore[override]
        if count <= 0:
            return []
        return [
            r[0]
            for r in self.db.raw.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
        ]

    # Run locks: session advisory locks, released by the server when the session ends (a
    # killed process, on any machine). ``ingest`` keeps its historical key.
    @staticmethod
    def _lock_key(name: str) -> int:
        if name == "ingest":
            return INGEST_LOCK
        digest = hashlib.sha256(f"seoulrec:{name}".encode()).digest()
        return int.from_bytes(digest[:8], "big") & 0x3FFF_FFFF_FFFF_FFFF  # positive bigint

    def take_run_lock(self, name: str):
        key = self._lock_key(name)
        got = self.db.raw.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0]
        return key if got else None

    def release_run_lock(self, held) -> None:
        if held is not None:
            self.db.raw.execute("SELECT pg_advisory_unlock(%s)", [held])

    def run_lock_free(self, name: str) -> bool:
        """Whether no session (on any machine) holds the run lock ``name``."""
        return not self.db.raw.execute(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND ((classid::bigint << 32) | objid::bigint) = %s",
            [self._lock_key(name)],
        ).fetchone()

    def hold_nightly_lock(self) -> dict:
        """The nightly run's lock (``seoulrec nightly`` on SQLite uses a lock file)."""
        from seoulrec.errors import NightlyLocked

        got = self.db.raw.execute("SELECT pg_try_advisory_lock(%s)", [NIGHTLY_LOCK]).fetchone()
        if not got[0]:
            raise NightlyLocked(
                f"another nightly run holds the lock of {self.location}; this run did nothing"
            )
        return {}

    def release_nightly_lock(self) -> None:
        self.db.raw.execute("SELECT pg_advisory_unlock(%s)", [NIGHTLY_LOCK])

    def size_bytes(self) -> int:
        return int(self.db.raw.execute("SELECT pg_database_size(current_database())").fetchone()[0])

    def close(self) -> None:
        self.db.raw.close()


@contextlib.contextmanager
def _transaction(catalog: PgCatalog):
    with write_transaction(catalog.db, catalog.location):
        yield catalog
