"""The catalog's statements for the registers beside the records: meetings (회의 공개) and the
pre-publication registry (사전공표) with its publications."""

from __future__ import annotations

from seoulrec.store.catalog import Catalog
from seoulrec.store.dialect import insert_new, upsert

ITEM_FIELDS = ("title", "department", "cycle", "category", "taxonomy", "rule")
PUBLICATION_COLUMNS = ("item_id", "ref", "published_on", "title", "department", "url")


def put_row(catalog: Catalog, table: str, row: dict, key: str) -> None:
    """Insert ``row`` or update the row with the same ``key`` (its other columns as given)."""
    catalog.db.execute(upsert(table, list(row), (key,)), list(row.values()))


# -- the pre-publication registry ---------------------------------------------------------------
def item_fields(catalog: Catalog, item_id: str) -> tuple | None:
    """``ITEM_FIELDS`` of an item, or None for an unknown one."""
    return catalog.db.execute(
        f"SELECT {', '.join(ITEM_FIELDS)} FROM prepub_items WHERE item_id = ?", [item_id]
    ).fetchone()


def publication_count(catalog: Catalog) -> int:
    return catalog.db.execute("SELECT count(*) FROM prepub_publications").fetchone()[0]


def add_publications(catalog: Catalog, rows: list[tuple]) -> None:
    """Publications (``PUBLICATION_COLUMNS``); one already recorded is left as it is."""
    catalog.db.conn.executemany(insert_new("prepub_publications", PUBLICATION_COLUMNS), rows)


_PUBLISHED = (
    "SELECT r.record_key, COALESCE(d.public_title, r.title), r.department, r.enforcement_date FROM records r "
    "JOIN disclosures d ON d.record_id = r.id WHERE r.is_current = 1 AND d.original_public = 1"
)


def published_record(catalog: Catalog, ref: str) -> tuple | None:
    """(record_key, title, department, date) of the current record with a published original
    named by ``ref`` (its id, public id or document number)."""
    return catalog.db.execute(
        _PUBLISHED
        + " AND (CAST(r.id AS TEXT) = ? OR r.public_id = ? OR r.document_number = ?) LIMIT 1",
        [ref, ref, ref],
    ).fetchone()


def published_matching(catalog: Catalog, words: list[str], department: str | None) -> list[tuple]:
    """Like ``published_record``, for every record whose title holds one of ``words``."""
    clause = " OR ".join("COALESCE(d.public_title, r.title) LIKE ?" for _ in words)
    params: list = [f"%{w}%" for w in words]
    sql = f"{_PUBLISHED} AND ({clause})"
    if department:
        sql += " AND r.department = ?"
        params.append(department)
    return catalog.db.execute(sql, params).fetchall()


def item_rules(catalog: Catalog) -> list[tuple]:
    """(item_id, rule, department) of items with a matching rule."""
    return catalog.db.execute(
        "SELECT item_id, rule, department FROM prepub_items WHERE rule IS NOT NULL AND rule != ''"
    ).fetchall()


def items_with_latest(catalog: Catalog) -> list[tuple]:
    """(item_id, title, department, cycle, category, latest publication, publications)."""
    return catalog.db.execute(
        "SELECT i.item_id, i.title, i.department, i.cycle, i.category, max(p.published_on), count(p.ref) "
        "FROM prepub_items i LEFT JOIN prepub_publications p ON p.item_id = i.item_id "
        "GROUP BY i.item_id, i.title, i.department, i.cycle, i.category ORDER BY i.item_id"
    ).fetchall()


# -- meetings -----------------------------------------------------------------------------------
def current_key_of_source(catalog: Catalog, sha256: str, path: str) -> str | None:
    """The record key of the newest current record made from these bytes or this path."""
    row = catalog.db.execute(
        "SELECT record_key FROM records WHERE is_current = 1 AND (sha256 = ? OR source_path = ?) ORDER BY id DESC LIMIT 1",
        [sha256, path],
    ).fetchone()
    return row[0] if row else None


def meeting_hash(catalog: Catalog, meeting_id: str) -> str | None:
    row = catalog.db.execute(
        "SELECT row_hash FROM meetings WHERE meeting_id = ?", [meeting_id]
    ).fetchone()
    return row[0] if row else None


def meetings(catalog: Catalog) -> list[dict]:
    """Every meeting, latest first."""
    return list(catalog.db.query("SELECT * FROM meetings ORDER BY scheduled_at DESC, meeting_id"))


def meeting_document(catalog: Catalog, record_key: str) -> tuple | None:
    """(id, public_id, original_public, since, title) of a meeting's current document."""
    return catalog.db.execute(
        "SELECT r.id, r.public_id, COALESCE(d.original_public, 0), d.since, COALESCE(d.public_title, r.title) "
        "FROM records r LEFT JOIN disclosures d ON d.record_id = r.id WHERE r.record_key = ? AND r.is_current = 1",
        [record_key],
    ).fetchone()
