"""The PostgreSQL catalog (``--catalog postgresql://USER@HOST/DB``): the same schema, migrations,
audit triggers and transactions as the SQLite catalog, for many archivists on many machines.

seoulrec's SQL is written once, in SQLite's dialect (SQLite is the embedded default, through
sqlite-utils). ``PgDatabase`` offers the part of sqlite-utils' surface the catalog uses and
turns each statement into PostgreSQL's dialect where the two differ (placeholders, upserts,
``group_concat``, JSON lists, the partition expression, column types, the append-only
triggers); statements are translated once and cached. What cannot be translated, or is much
faster another way, has its own PostgreSQL implementation in the catalog (ids reserved from
sequences, COPY for a group's rows, the ingest and nightly locks, sizes, integrity checks).

Transactions keep SQLite's semantics: one writer at a time per catalog (a transaction-scoped
advisory lock taken at BEGIN, as SQLite's BEGIN IMMEDIATE takes the write lock), readers never
blocked. So a read-then-write decision can never lose an update, on either backend.
"""

from __future__ import annotations

import contextlib
import hashlib
import functools
import json
import re
from typing import Iterator
from urllib.parse import quote, urlsplit, urlunsplit

from seoulrec.store.catalog import SCHEMA_VERSION, Catalog
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


# -- the dialect ---------------------------------------------------------------------------------

_PARTITION_SQLITE = "enforcement_date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]*'"
_PARTITION_PG = "enforcement_date ~ '^[0-9]{4}-[01][0-9]'"
_JSON_EXTRACT = re.compile(r"json_extract\(([\w.]+), '\$\.(\w+)'\)")
_JSON_LIST = re.compile(r"\b(\w+) IN \(SELECT value FROM json_each\(\?\)\)")
_INSERT_OR = re.compile(r"^\s*INSERT OR (REPLACE|IGNORE) INTO (\w+)\s*\(([^)]*)\)", re.S)
_INSERT = re.compile(r"^\s*INSERT INTO (\w+)", re.S)
_TRIGGER = re.compile(
    r"CREATE TRIGGER IF NOT EXISTS (\w+) (BEFORE|AFTER) (UPDATE|DELETE|INSERT) ON (\w+) "
    r"BEGIN SELECT RAISE\(ABORT, '([^']*)'\); END",
    re.S,
)


def _outside_literals(sql: str, change) -> str:
    """Apply ``change`` to the parts of ``sql`` that are not inside '...' literals."""
    parts = sql.split("'")
    for i in range(0, len(parts), 2):
        parts[i] = change(parts[i])
    return "'".join(parts)


def _rewrite(part: str) -> str:
    """SQLite's functions and planner hints in PostgreSQL's words (outside literals)."""
    # A JSON list of ids or paths as a parameter: an array, typed by the column it is
    # compared with (an empty array has no type of its own).
    part = _JSON_LIST.sub(
        lambda m: (
            f"{m.group(1)} IN (SELECT value FROM unnest(?::"
            f"{'bigint' if m.group(1).endswith('id') else 'text'}[]) AS t(value))"
        ),
        part,
    )
    part = re.sub(r"\bgroup_concat\(", "string_agg(", part)
    part = re.sub(r"\bchar\(", "chr(", part)
    part = re.sub(r"\bORDER BY rowid\b", "ORDER BY ctid", part)
    # Planner hints: INDEXED BY names an index; CROSS JOIN ... ON fixes the join order.
    part = re.sub(r"\s+INDEXED BY \w+", "", part)
    part = re.sub(r"\bCROSS JOIN (\w+ \w+) ON\b", r"JOIN \1 ON", part)
    # WHERE 1 AND ...: SQLite's integers are booleans.
    return re.sub(r"\bWHERE 1\b(?!\s*[=<>!])", "WHERE true", part)


def _ddl(sql: str) -> str:
    def types(part: str) -> str:
        # SQLite numbers an INTEGER PRIMARY KEY by itself when none is given: an identity.
        part = re.sub(
            r"\bINTEGER PRIMARY KEY\b", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", part
        )
        part = re.sub(r"\bINTEGER\b", "BIGINT", part)
        part = re.sub(r"\bREAL\b", "DOUBLE PRECISION", part)
        part = re.sub(r"\bBLOB\b", "BYTEA", part)
        # Byte order, as SQLite compares text: listings sort the same on both backends.
        return re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', part)

    return _outside_literals(sql, types)


class Translation:
    """One SQLite statement in PostgreSQL's dialect: the SQL, the parameters that are JSON
    lists (``json_each(?)``, passed as arrays), and whether it returns the new row's id."""

    __slots__ = ("sql", "lists", "returns_id", "literal")

    def __init__(self, sql: str, lists: tuple[int, ...], returns_id: bool, literal: str):
        self.sql, self.lists, self.returns_id, self.literal = sql, lists, returns_id, literal


def translate(sql: str, schema: "Schema") -> Translation:
    """SQLite's dialect to PostgreSQL's, for the statements seoulrec writes."""
    sql = sql.replace(_PARTITION_SQLITE, _PARTITION_PG)
    sql = _JSON_EXTRACT.sub(lambda m: f"({m.group(1)}::jsonb ->> '{m.group(2)}')", sql)
    stripped = sql.lstrip().upper()
    if stripped.startswith(("CREATE TABLE", "ALTER TABLE")):
        sql = _ddl(sql)
    suffix = ""
    upsert = _INSERT_OR.match(sql)
    if upsert:
        how, table, columns = upsert.groups()
        sql = sql[: upsert.start()] + f"INSERT INTO {table} ({columns})" + sql[upsert.end() :]
        if how == "IGNORE":
            suffix = " ON CONFLICT DO NOTHING"
        else:
            key = schema.primary_key(table)
            names = [c.strip().strip('"') for c in columns.split(",")]
            rest = [c for c in names if f'"{c}"' not in key]
            action = (
                "DO UPDATE SET " + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in rest)
                if rest
                else "DO NOTHING"
            )
            suffix = f" ON CONFLICT ({', '.join(key)}) {action}"
    lists: list[int] = []
    counter = 0

    def placeholders(part: str) -> str:
        nonlocal counter
        out = []
        for piece in re.split(r"(\?(?:::\w+\[\])?)", part):
            if piece == "?":
                out.append("%s")
                counter += 1
            elif piece.startswith("?::"):
                lists.append(counter)
                out.append("%s" + piece[1:])
                counter += 1
            else:
                out.append(piece)
        return "".join(out)

    sql = _outside_literals(sql, _rewrite)
    literal = sql  # run without parameters: no placeholder processing, % as it is
    # With parameters, psycopg reads %: every literal one is doubled, then ? become %s.
    sql = _outside_literals(sql.replace("%", "%%"), placeholders)
    returns_id = False
    insert = _INSERT.match(sql)
    identity = schema.identity(insert.group(1)) if insert else None
    if identity and "RETURNING" not in sql.upper():
        suffix += f' RETURNING "{identity}"'
        returns_id = True
    return Translation(
        sql.rstrip().rstrip(";") + suffix,
        tuple(lists),
        returns_id,
        literal.rstrip().rstrip(";") + suffix,
    )


class Schema:
    """What the translation needs to know of the tables (primary keys, identity columns)."""

    def __init__(self, conn):
        self.conn = conn
        self._keys: dict[str, list[str]] = {}
        self._identity: dict[str, str | None] = {}

    def primary_key(self, table: str) -> list[str]:
        if table not in self._keys:
            rows = self.conn.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
                "ORDER BY array_position(i.indkey, a.attnum)",
                [table],
            ).fetchall()
            self._keys[table] = [f'"{r[0]}"' for r in rows]
        return self._keys[table]

    def identity(self, table: str) -> str | None:
        """The column PostgreSQL numbers by itself (SQLite's INTEGER PRIMARY KEY), if any."""
        if table not in self._identity:
            row = self.conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = %s AND is_identity = 'YES'",
                [table],
            ).fetchone()
            self._identity[table] = row[0] if row else None
        return self._identity[table]

    def forget(self) -> None:
        self._keys.clear()
        self._identity.clear()


# -- the sqlite-utils surface the catalog uses ------------------------------------------------


class Cursor:
    """A psycopg cursor that looks like sqlite3's where seoulrec looks (``lastrowid``)."""

    def __init__(self, cursor, lastrowid: int | None = None):
        self._cursor = cursor
        self.lastrowid = lastrowid

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
    """``catalog.db.conn``: transactions and ``execute``/``executemany`` with translation."""

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


_PRAGMAS_WITHOUT_MEANING = re.compile(
    r"^\s*PRAGMA (journal_mode|synchronous|foreign_keys|busy_timeout|cache_size|wal_autocheckpoint|wal_checkpoint)\b",
    re.I,
)
_TABLE_INFO = re.compile(r"^\s*PRAGMA table_info\((\w+)\)\s*$", re.I)


class PgDatabase:
    """The part of ``sqlite_utils.Database`` seoulrec uses, on a PostgreSQL connection."""

    def __init__(self, raw):
        self.raw = raw
        self.conn = Connection(self)
        self.schema = Schema(raw)

    @functools.lru_cache(maxsize=2048)  # noqa: B019 - one translation per statement text
    def _translate(self, sql: str) -> Translation:
        return translate(sql, self.schema)

    def _special(self, sql: str):
        if _PRAGMAS_WITHOUT_MEANING.match(sql):
            return Cursor(self.raw.execute("SELECT 0 WHERE false"))
        info = _TABLE_INFO.match(sql)
        if info:
            return Cursor(
                self.raw.execute(
                    "SELECT ordinal_position - 1, column_name, data_type, "
                    "CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END, column_default, 0 "
                    "FROM information_schema.columns WHERE table_schema = current_schema() "
                    "AND table_name = %s ORDER BY ordinal_position",
                    [info.group(1)],
                )
            )
        trigger = _TRIGGER.search(sql)
        if trigger:
            name, when, event, table, message = trigger.groups()
            self.raw.execute(
                "CREATE OR REPLACE FUNCTION seoulrec_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$"
            )
            self.raw.execute(
                f"CREATE OR REPLACE TRIGGER {name} {when} {event} ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION seoulrec_refuse('{message}')"
            )
            return Cursor(self.raw.execute("SELECT 0 WHERE false"))
        return None

    def execute(self, sql: str, params=None) -> Cursor:
        special = self._special(sql)
        if special is not None:
            return special
        if sql.lstrip().upper().startswith(("CREATE", "ALTER", "DROP")):
            self.schema.forget()
        t = self._translate(sql)
        if params is None or (not params and not t.lists and "%s" not in t.sql):
            cursor = self.raw.execute(t.literal)
        else:
            params = list(params)
            for i in t.lists:
                params[i] = json.loads(params[i])
            cursor = self.raw.execute(t.sql, params)
        lastrowid = None
        if t.returns_id:
            row = cursor.fetchone()
            lastrowid = row[0] if row else None
            return Cursor(_Done(cursor.rowcount), lastrowid)
        return Cursor(cursor, lastrowid)

    def executemany(self, sql: str, rows) -> None:
        t = self._translate(sql)
        statement = t.sql[: t.sql.rindex(" RETURNING ")] if t.returns_id else t.sql
        rows = list(rows)
        if rows:
            with self.raw.cursor() as cursor:
                cursor.executemany(statement, rows)

    def executescript(self, script: str) -> None:
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

    def table(self, name: str) -> "Table":
        return Table(self, name)


class Table:
    """``db.table(name).upsert(row, pk=...)``."""

    def __init__(self, db: PgDatabase, name: str):
        self.db, self.name = db, name

    def upsert(self, row: dict, pk: str) -> None:
        columns = list(row)
        rest = [c for c in columns if c != pk]
        self.db.raw.execute(
            f"INSERT INTO {self.name} ({', '.join(columns)}) VALUES ({', '.join('%s' for _ in columns)}) "
            f"ON CONFLICT ({pk}) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in rest)}",
            list(row.values()),
        )


class _Done:
    """A finished INSERT ... RETURNING whose id was read."""

    description = None

    def __init__(self, rowcount: int):
        self.rowcount = rowcount


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
    db: "PgDatabase"  # type: ignore[assignment]  # sqlite-utils' interface, over psycopg

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
