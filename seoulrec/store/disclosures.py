"""The catalog's statements about disclosure decisions (공개구분): the facts a decision is made
from, the decisions and their attachments, overrides, the review board, withdrawals.

``seoulrec.decide.disclosure`` decides; it reads and writes through these functions only.
"""

from __future__ import annotations

import json

from seoulrec.store.catalog import Catalog
from seoulrec.store.dialect import upsert


def _facts_sql(catalog: Catalog, extra: str) -> str:
    unit = catalog.dialect.char(31)
    return f"""
SELECT r.id, r.record_key, r.title, r.approval_level, r.enforcement_date, r.disclosure_class, r.grounds,
       (SELECT a.date FROM approvals a WHERE a.record_id = r.id AND a.is_final = 1 AND a.kind = 'approval' LIMIT 1),
       o.disclosure_class, o.grounds, o.reason, o.until,
       (SELECT b.decision FROM review_decisions b WHERE b.record_key = r.record_key ORDER BY b.id DESC LIMIT 1),
       (SELECT b.day FROM review_decisions b WHERE b.record_key = r.record_key ORDER BY b.id DESC LIMIT 1),
       r.document_number, r.department, r.organ, d.row_hash, d.original_public, d.record_id, d.seq, d.since,
       r.kind, r.material_kind, r.title_source,
       (SELECT c.category || {unit} || c.scheme_version FROM record_categories c WHERE c.record_key = r.record_key AND c.record_id = r.id AND c.status IN ('auto', 'manual')),
       d.facts_hash, d.stable_until, d.disclosure_class, d.title_findings
FROM records r LEFT JOIN disclosure_overrides o ON o.record_key = r.record_key
LEFT JOIN disclosures d ON d.record_key = r.record_key
WHERE +r.is_current = 1 AND r.id > ? {extra} ORDER BY r.id LIMIT ?
"""


def fact_rows(
    catalog: Catalog, after: int, limit: int, record_id: int | None = None
) -> list[tuple]:
    """Raw fact rows of current records with an id above ``after``, in id order.

    ``+r.is_current`` keeps SQLite off the is_current index: with it, every chunk scanned and
    sorted all current records before its LIMIT (quadratic on a large catalog); without it, each
    chunk is a range of the primary key."""
    extra = "AND r.id = ?" if record_id is not None else ""
    params = [after] + ([record_id] if record_id is not None else []) + [limit]
    return catalog.db.execute(_facts_sql(catalog, extra), params).fetchall()


def category_names(catalog: Catalog) -> list[tuple]:
    """(scheme_version, code, name, parent) of every category of every scheme."""
    return catalog.db.execute(
        "SELECT scheme_version, code, name, parent FROM categories"
    ).fetchall()


DECISION_COLUMNS = (
    "record_id", "record_key", "list_public", "original_public", "masked", "disclosure_class",
    "grounds", "reason", "release_date", "withheld_because", "policy_version", "source",
    "next_review", "opens_by_law", "public_title", "title_findings", "category", "category_path",
    "row_hash", "seq", "decided_at", "since", "prev_original_public", "prev_seq", "facts_hash",
    "stable_until",
)  # fmt: skip


def note_facts(catalog: Catalog, touched: list[tuple]) -> None:
    """Unchanged decisions learn what they were made from: (facts_hash, stable_until, record_id)."""
    catalog.db.conn.executemany(
        "UPDATE disclosures SET facts_hash = ?, stable_until = ? WHERE record_id = ?", touched
    )


def _attachments_sql(catalog: Catalog) -> str:
    return f"""INSERT INTO attachment_disclosures(attachment_id, record_id, published, reason)
   SELECT a.id, a.record_id, CASE WHEN d.original_public = 1 AND a.status = 'ok' THEN 1 ELSE 0 END,
          CASE WHEN d.original_public = 0 THEN '비공개 문서: the original of the record is not published'
               WHEN a.status != 'ok' THEN 'not published: attachment ' || a.status ELSE NULL END
   FROM attachments a JOIN disclosures d ON d.record_id = a.record_id
   WHERE {catalog.dialect.in_list("a.record_id")}
   ON CONFLICT (attachment_id) DO UPDATE SET record_id = excluded.record_id,
      published = excluded.published, reason = excluded.reason"""


def redecide_attachments(catalog: Catalog, record_ids: list[int]) -> None:
    """Each attachment of these records follows its record's decision (and its own status)."""
    ids = catalog.dialect.list_param(record_ids)
    catalog.db.execute(
        f"DELETE FROM attachment_disclosures WHERE {catalog.dialect.in_list('record_id')}", [ids]
    )
    catalog.db.execute(_attachments_sql(catalog), [ids])


def write_decisions(catalog: Catalog, rows: list[tuple]) -> None:
    """New or changed decisions (``DECISION_COLUMNS``), then their attachments' decisions."""
    catalog.db.conn.executemany(upsert("disclosures", DECISION_COLUMNS, ("record_id",)), rows)
    redecide_attachments(catalog, [r[0] for r in rows])


def withdraw_gone(catalog: Catalog, seq: int, stamp: str) -> int:
    """Keys with no current version left get a withdrawal (a tombstone for downstream copies);
    superseded versions lose their decisions. Returns the number of keys withdrawn."""
    gone = catalog.db.execute(
        "SELECT DISTINCT d.record_key FROM disclosures d WHERE d.record_id NOT IN (SELECT id FROM records WHERE is_current = 1) "
        "AND NOT EXISTS (SELECT 1 FROM records r WHERE r.record_key = d.record_key AND r.is_current = 1)"
    ).fetchall()
    catalog.db.conn.executemany(
        "INSERT INTO withdrawals(record_key, seq, reason, at) VALUES (?, ?, 'deleted', ?)",
        [(k, seq, stamp) for (k,) in gone],
    )
    catalog.db.execute(
        "DELETE FROM disclosures WHERE record_id NOT IN (SELECT id FROM records WHERE is_current = 1)"
    )
    catalog.db.execute(
        "DELETE FROM attachment_disclosures WHERE record_id NOT IN (SELECT record_id FROM disclosures)"
    )
    return len(gone)


def withholdings(catalog: Catalog) -> list[tuple]:
    """(record_id, document_number, class, grounds, reason, release_date, next_review) of every
    비공개/부분공개 decision (a record with no class yet is not a withholding: it needs a class)."""
    return catalog.db.execute(
        "SELECT d.record_id, r.document_number, d.disclosure_class, d.grounds, d.reason, d.release_date, d.next_review "
        "FROM disclosures d JOIN records r ON r.id = d.record_id WHERE d.disclosure_class IN ('partial', 'non_public') "
        "AND NOT (r.disclosure_class IS NULL AND d.source = 'rule' AND d.grounds = '[]') ORDER BY d.record_id"
    ).fetchall()


def without_class(catalog: Catalog) -> list[tuple]:
    """(record_id, document_number, kind, material_kind, source_path) of records no source gave a class."""
    return catalog.db.execute(
        "SELECT d.record_id, r.document_number, r.kind, r.material_kind, r.source_path FROM disclosures d JOIN records r ON r.id = d.record_id "
        "WHERE r.disclosure_class IS NULL AND d.source = 'rule' AND d.disclosure_class = 'non_public' AND d.grounds = '[]' ORDER BY d.record_id"
    ).fetchall()


def without_title(catalog: Catalog) -> list[tuple]:
    """(record_id, document_number, public_title, source_path) of records with no publishable title."""
    return catalog.db.execute(
        "SELECT d.record_id, r.document_number, d.public_title, r.source_path FROM disclosures d JOIN records r ON r.id = d.record_id "
        "WHERE d.title_findings = -1 ORDER BY d.record_id"
    ).fetchall()


def record_key_of(catalog: Catalog, record_id: int) -> str | None:
    row = catalog.db.execute("SELECT record_key FROM records WHERE id = ?", [record_id]).fetchone()
    return row[0] if row else None


OVERRIDE_COLUMNS = (
    "record_key",
    "disclosure_class",
    "grounds",
    "reason",
    "until",
    "decided_by",
    "at",
)


def set_override(catalog: Catalog, values: list) -> None:
    """An archivist's decision for a record key (``OVERRIDE_COLUMNS``), replacing an earlier one."""
    catalog.db.execute(upsert("disclosure_overrides", OVERRIDE_COLUMNS, ("record_key",)), values)


def add_board_decision(catalog: Catalog, values: list) -> None:
    """(record_key, record_id, decision, note, decided_by, at, day) of the review board."""
    catalog.db.execute(
        "INSERT INTO review_decisions(record_key, record_id, decision, note, decided_by, at, day) VALUES (?,?,?,?,?,?,?)",
        values,
    )


def rereviews_due(catalog: Catalog, day: str) -> list[tuple]:
    return catalog.db.execute(
        "SELECT d.record_id, r.document_number, d.next_review FROM disclosures d JOIN records r ON r.id = d.record_id "
        "WHERE d.disclosure_class = 'non_public' AND d.next_review IS NOT NULL AND d.next_review <= ? ORDER BY d.next_review, d.record_id",
        [day],
    ).fetchall()


def openings_due(catalog: Catalog, day: str) -> list[tuple]:
    return catalog.db.execute(
        "SELECT d.record_id, r.document_number, d.opens_by_law FROM disclosures d JOIN records r ON r.id = d.record_id "
        "WHERE d.opens_by_law IS NOT NULL AND d.opens_by_law <= ? ORDER BY d.opens_by_law, d.record_id",
        [day],
    ).fetchall()


def fact_changes(catalog: Catalog) -> int:
    """How many changes the tables decisions are made from have seen (kept by triggers)."""
    row = catalog.db.execute("SELECT n FROM fact_changes").fetchone()
    return int(row[0]) if row else -1


def decisions_standing(catalog: Catalog) -> tuple[int, str | None]:
    """How many decisions are stored, and the earliest day on which time alone could change
    one (``""`` when some decision does not know what it was made from: it must be decided
    again; None when there are none)."""
    count, first = catalog.db.execute(
        "SELECT count(*), min(CASE WHEN facts_hash IS NULL OR stable_until IS NULL THEN '' "
        "ELSE stable_until END) FROM disclosures"
    ).fetchone()
    return int(count), first


def get_state(catalog: Catalog, key: str) -> dict | None:
    """A JSON state kept in ``meta`` (``disclosure_apply``: the last apply's state)."""
    value = catalog.get_meta(key)
    return json.loads(value) if value else None


def override_row(catalog: Catalog, record_key: str) -> dict | None:
    """The archivist's decision for a record key (``OVERRIDE_COLUMNS``), or None."""
    row = catalog.db.execute(
        f"SELECT {', '.join(OVERRIDE_COLUMNS)} FROM disclosure_overrides WHERE record_key = ?",
        [record_key],
    ).fetchone()
    return dict(zip(OVERRIDE_COLUMNS, row)) if row else None


def delete_override(catalog: Catalog, record_key: str) -> None:
    catalog.db.execute("DELETE FROM disclosure_overrides WHERE record_key = ?", [record_key])


def declared_classes(catalog: Catalog) -> list[tuple]:
    """(id, title, department, enforcement_date, class) of current records: the class of the
    decision in force, else the one the record came with (공개구분 as officers declared it)."""
    return catalog.db.execute(
        "SELECT r.id, r.title, r.department, r.enforcement_date, "
        "COALESCE(d.disclosure_class, r.disclosure_class) FROM records r "
        "LEFT JOIN disclosures d ON d.record_id = r.id WHERE r.is_current = 1 ORDER BY r.id"
    ).fetchall()
