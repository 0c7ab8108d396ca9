"""The catalog's statements for publication: the decided rows an index shows (whole, one month,
or what changed since a disclosure run), partition keys, withdrawals and tombstones.

Exports show the state of the last ``disclose apply`` (which keeps decisions of current records
only), so a full and an incremental export of the same state agree.
"""

from __future__ import annotations

from typing import Iterator

from seoulrec.store.catalog import Catalog

_COLUMNS = """r.id, r.record_key, r.document_number, r.organ, r.department, r.enforcement_date, r.unit_task,
       r.approval_level, r.kind, r.material_kind,
       r.public_id, r.writer, r.retention_period, r.licence, r.source_url,
       d.original_public, d.disclosure_class, d.grounds, d.reason, d.release_date, d.public_title, d.since, d.seq, d.category, d.category_path,
       {text} AS text"""


def _stream(catalog: Catalog, sql: str, params: list) -> Iterator[tuple]:
    cursor = catalog.db.conn.execute(sql, params)
    while chunk := cursor.fetchmany(2000):
        yield from chunk


def decided_rows(
    catalog: Catalog, with_text: bool, since_seq: int | None = None
) -> Iterator[tuple]:
    """Every decided row in record order, or those decided after ``since_seq``.

    The ordered join keeps disclosures as the outer table: a full export walks it in record
    order without sorting, and a delta reads only the changed rows through its seq index."""
    d = catalog.dialect
    columns = _COLUMNS.format(text="r.text" if with_text else "NULL")
    if since_seq is None:
        sql = f"SELECT {columns} FROM disclosures d {d.ordered_join} records r ON r.id = d.record_id ORDER BY d.record_id"
        return _stream(catalog, sql, [])
    sql = (
        f"SELECT {columns} FROM disclosures d{d.hint('disclosures_seq')} {d.ordered_join} records r "
        "ON r.id = d.record_id WHERE d.seq > ? ORDER BY d.record_id"
    )
    return _stream(catalog, sql, [since_seq])


def month_rows(catalog: Catalog, with_text: bool, key: str) -> Iterator[tuple]:
    """The decided rows of one partition (a production month, or 'undated'), in record order."""
    d = catalog.dialect
    columns = _COLUMNS.format(text="r.text" if with_text else "NULL")
    sql = (
        f"SELECT {columns} FROM records r{d.hint('records_partition')} {d.ordered_join} disclosures d "
        f"ON d.record_id = r.id WHERE {d.partition_expr} = ? ORDER BY r.id"
    )
    return _stream(catalog, sql, [key])


def partition_keys(catalog: Catalog) -> list[str]:
    """Every partition key in the catalog, walking the partition index (no full scan)."""
    d = catalog.dialect
    sql = f"SELECT min({d.partition_expr}) FROM records{d.hint('records_partition')} WHERE {d.partition_expr} > ?"
    keys: list[str] = []
    last = ""
    while True:
        row = catalog.db.execute(sql, [last]).fetchone()
        if row is None or row[0] is None:
            return keys
        keys.append(row[0])
        last = row[0]


def dirty_partitions(catalog: Catalog, since_seq: int) -> set[str]:
    """Partitions holding any version of a record whose decision changed or that was withdrawn
    after ``since_seq`` (a new version may have moved a record to another month)."""
    d = catalog.dialect
    rows = catalog.db.execute(
        f"SELECT {d.partition_expr} FROM disclosures d{d.hint('disclosures_seq')} JOIN records ON records.record_key = d.record_key WHERE d.seq > ? "
        f"UNION SELECT {d.partition_expr} FROM withdrawals w JOIN records ON records.record_key = w.record_key WHERE w.seq > ?",
        [since_seq, since_seq],
    ).fetchall()
    return {r[0] for r in rows}


def partitions_of(catalog: Catalog, record_ids: list[int]) -> list[tuple[int, str]]:
    """(id, partition) of these records, in id order."""
    d = catalog.dialect
    return catalog.db.execute(
        f"SELECT id, {d.partition_expr} FROM records WHERE {d.in_list('id')} ORDER BY id",
        [d.list_param(record_ids)],
    ).fetchall()


def undecided_versions_since(catalog: Catalog, since_seq: int) -> set[int]:
    """Versions that lost their decision after ``since_seq``: superseded by a changed one, or withdrawn."""
    d = catalog.dialect
    return {
        rid
        for (rid,) in catalog.db.execute(
            "SELECT r.id FROM records r WHERE r.record_key IN ("
            f"SELECT d.record_key FROM disclosures d{d.hint('disclosures_seq')} WHERE d.seq > ? "
            "UNION SELECT w.record_key FROM withdrawals w WHERE w.seq > ?) "
            "AND NOT EXISTS (SELECT 1 FROM disclosures x WHERE x.record_id = r.id)",
            [since_seq, since_seq],
        )
    }


def changed_since(catalog: Catalog, seq: int) -> bool:
    """Whether any decision or withdrawal is newer than disclosure run ``seq``."""
    return bool(
        catalog.db.execute(
            "SELECT EXISTS(SELECT 1 FROM disclosures WHERE seq > ?) OR EXISTS(SELECT 1 FROM withdrawals WHERE seq > ?)",
            [seq, seq],
        ).fetchone()[0]
    )


def withdrawn_keys_since(catalog: Catalog, since_seq: int) -> list[str]:
    """Record keys withdrawn from the catalog after ``since_seq``, in order."""
    return [
        key
        for (key,) in catalog.db.execute(
            "SELECT record_key FROM withdrawals WHERE seq > ? ORDER BY id", [since_seq]
        )
    ]


def originals_withheld_since(catalog: Catalog, since_seq: int) -> list[tuple[str, str]]:
    """(record_key, public_id) of records whose original is withheld now and was public at
    ``since_seq``, or changed more than once since (its state then is unknown)."""
    d = catalog.dialect
    return catalog.db.execute(
        f"SELECT d.record_key, r.public_id FROM disclosures d{d.hint('disclosures_seq')} {d.ordered_join} records r ON r.id = d.record_id "
        "WHERE d.seq > ? AND d.original_public = 0 AND (d.prev_original_public = 1 OR d.prev_seq > ?) ORDER BY d.record_id",
        [since_seq, since_seq],
    ).fetchall()


#: Where the decision's sequence number sits in a decided row.
SEQ_COLUMN = [c.strip() for c in _COLUMNS.split(",")].index("d.seq")


def attachments_with_decisions(catalog: Catalog, record_ids: list[int]) -> list[tuple]:
    """(record_id, attachment id, name, published, text) of these records' attachments, in id order."""
    d = catalog.dialect
    return catalog.db.execute(
        "SELECT a.record_id, a.id, a.name, COALESCE(ad.published, 0), a.text FROM attachments a "
        f"LEFT JOIN attachment_disclosures ad ON ad.attachment_id = a.id WHERE {d.in_list('a.record_id')} ORDER BY a.id",
        [d.list_param(record_ids)],
    ).fetchall()


# -- export runs (an index export or a site build into one folder) ------------------------------
def running_runs(catalog: Catalog) -> list[tuple[int, str]]:
    """(id, destination) of export runs marked running."""
    return catalog.db.execute(
        "SELECT id, destination FROM export_runs WHERE status = 'running'"
    ).fetchall()


def mark_runs(catalog: Catalog, run_ids: list[int], status: str, stamp: str) -> None:
    """Export runs that ended without finishing: ``interrupted`` (killed) or ``failed``."""
    assert status in ("interrupted", "failed")
    catalog.db.conn.executemany(
        "UPDATE export_runs SET status = ?, finished = ? WHERE id = ?",
        [(status, stamp, rid) for rid in run_ids],
    )


def start_run(
    catalog: Catalog, exporter: str, destination: str, kind: str, seq: int, stamp: str, pid: int
) -> int:
    return catalog.insert_id(
        "INSERT INTO export_runs(exporter, destination, kind, since_run, seq, started, status, pid) "
        "VALUES (?, ?, ?, NULL, ?, ?, 'running', ?)",
        [exporter, destination, kind, seq, stamp, pid],
    )


def finish_run(catalog: Catalog, run_id: int, stamp: str, counts: str, digest: str | None) -> None:
    catalog.db.execute(
        "UPDATE export_runs SET status = 'finished', finished = ?, counts = ?, "
        "manifest_sha256 = COALESCE(?, manifest_sha256) WHERE id = ?",
        [stamp, counts, digest, run_id],
    )


def decided_facts(catalog: Catalog) -> Iterator[tuple]:
    """(organ, department, enforcement_date, category_path, class, original_public, since) of
    every decided current record (no text), streamed."""
    return _stream(
        catalog,
        "SELECT r.organ, r.department, r.enforcement_date, d.category_path, d.disclosure_class, "
        "d.original_public, d.since FROM disclosures d JOIN records r ON r.id = d.record_id "
        "WHERE r.is_current = 1",
        [],
    )


def original_sources(catalog: Catalog, record_ids: list[int]) -> tuple[dict, dict]:
    """Where these records' originals were ingested from: ``{record_id: (kind, source_path,
    source_format, sha256)}`` and ``{attachment_id: (name, format, sha256)}``."""
    d = catalog.dialect
    records = {
        row[0]: row[1:]
        for row in catalog.db.execute(
            f"SELECT id, kind, source_path, source_format, sha256 FROM records WHERE {d.in_list('id')}",
            [d.list_param(record_ids)],
        )
    }
    attachments = {
        row[0]: row[1:]
        for row in catalog.db.execute(
            f"SELECT id, name, format, sha256 FROM attachments WHERE {d.in_list('record_id')}",
            [d.list_param(record_ids)],
        )
    }
    return records, attachments
