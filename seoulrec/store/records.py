"""The record JSON: a documented, versioned interface (schema in ``data/record.schema.json``)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Iterator

from seoulrec.store.catalog import Catalog

RECORD_SCHEMA_ID = "seoulrec.record/2"
STATES = ("current", "superseded", "withdrawn")
KINDS = ("approval", "material")


def record_schema() -> dict:
    return json.loads(
        resources.files("seoulrec.data").joinpath("record.schema.json").read_text("utf-8")
    )


def record_json(
    catalog: Catalog, row: dict, with_text: bool = False, pending: dict | None = None
) -> dict:
    """The public JSON form of one catalog row (``seoulrec records show --json``). ``pending``:
    ``pending_changes`` computed once for a whole listing (else for this record)."""
    approvals = [
        {
            "order": a["order"],
            "position": a["position"],
            "type": a["type"],
            "name": a["name"],
            "date": a["date"],
            "kind": a["kind"],
            "is_final": bool(a["is_final"]),
            "level": a["level"],
        }
        for a in catalog.approvals_of(row["id"])
    ]
    attachments = [
        {
            "name": a["name"],
            "format": a["format"],
            "size": a["size"],
            "sha256": a["sha256"],
            "status": a["status"],
            "message": a["message"] or "",
        }
        for a in catalog.attachments_of(row["id"])
    ]
    decision = catalog.db.execute(
        "SELECT disclosure_class, grounds, reason, release_date, original_public, withheld_because, source, decided_at, public_title "
        "FROM disclosures WHERE record_id = ?",
        [row["id"]],
    ).fetchone()
    category = catalog.db.execute(
        "SELECT c.category, k.name, c.status, c.classifier, c.confidence, c.scheme_version FROM record_categories c "
        "LEFT JOIN categories k ON k.scheme_version = c.scheme_version AND k.code = c.category WHERE c.record_key = ? AND c.record_id = ?",
        [row["record_key"], row["id"]],
    ).fetchone()
    doc = {
        "schema": RECORD_SCHEMA_ID,
        "id": row["id"],
        "record_key": row["record_key"],
        "version": row["version"],
        "is_current": bool(row["is_current"]),
        "kind": row["kind"],
        "material_kind": row["material_kind"],
        "document_number": row["document_number"],
        "regnumbercode": row["regnumbercode"],
        "title": row["title"] or "",
        "organ": row["organ"] or "",
        "department": row["department"] or "",
        "enforcement_date": row["enforcement_date"],
        "sender_name": row["sender_name"] or "",
        "recipients": json.loads(row["recipients"] or "[]"),
        "approvals": approvals,
        "approval_level": row["approval_level"],
        # The decision in force (공개구분 after rules, archivists and the board), else the class
        # the document carried at ingest; that one stays under "ingested".
        "disclosure_class": decision[0] if decision else row["disclosure_class"],
        "grounds": json.loads(decision[1]) if decision else json.loads(row["grounds"] or "[]"),
        "decision": None
        if decision is None
        else {
            "disclosure_class": decision[0],
            "grounds": json.loads(decision[1]),
            "reason": decision[2] or "",
            "release_date": decision[3],
            "original_public": bool(decision[4]),
            "withheld_because": json.loads(decision[5] or "[]"),
            "source": decision[6],
            "decided_at": decision[7],
            "public_title": decision[8],
        },
        "ingested": {
            "disclosure_class": row["disclosure_class"],
            "grounds": json.loads(row["grounds"] or "[]"),
            "publication_code": row["publication_code"],
        },
        "classification": None
        if category is None
        else {
            "category": category[0],
            "name": category[1],
            "status": category[2],
            "classifier": category[3],
            "confidence": category[4],
            "scheme_version": category[5],
        },
        "publication_code": row["publication_code"],
        "unit_task": row["unit_task"],
        "retention_period": row["retention_period"],
        # How the unit task came: None when it came with the record, else the suggestion
        # (auto: filed by the model; needs_review: waiting; manual: accepted by an archivist).
        "unit_task_filing": _filing(catalog, row),
        "attachments": attachments,
        "status": record_state(catalog, row),
        "ingest_status": row["status"],
        "source_path": row["source_path"],
        "source_format": row["source_format"],
        "pages": row["pages"],
        "sha256": row["sha256"],
        "batch": row["batch_id"],
        "created": row["created"],
        "warnings": json.loads(row["warnings"] or "[]"),
    }
    # Recorded but not yet applied (`seoulrec disclose apply` publishes it): who, when, what.
    if pending is None:
        pending = pending_changes(catalog, [row["id"]])
    doc["pending"] = pending.get(row["id"])
    if with_text:
        doc["text"] = row["text"] or ""
    return doc


def _filing(catalog: Catalog, row: dict) -> dict | None:
    from seoulrec.store.classifications import filing_of

    filing = filing_of(catalog, row["record_key"])
    if filing is None or filing["record_id"] != row["id"]:
        return None
    return {
        "status": filing["status"],
        "unit_task": filing["unit_task"],
        "retention": filing["retention"],
        "confidence": filing["confidence"],
        "alternatives": [
            {"unit_task": t, "confidence": c} for t, c in json.loads(filing["alternatives"] or "[]")
        ],
        "model_version": filing["model_version"],
        "actor": filing["actor"],
        "reason": filing["reason"],
        "at": filing["at"],
    }


def record_state(catalog: Catalog, row: dict) -> str:
    """current, superseded (another version is current) or withdrawn (no version is current)."""
    if row["is_current"]:
        return "current"
    other = catalog.db.execute(
        "SELECT 1 FROM records WHERE record_key = ? AND is_current = 1", [row["record_key"]]
    ).fetchone()
    return "superseded" if other else "withdrawn"


def pending_changes(catalog: Catalog, record_ids: list[int] | None = None) -> dict[int, dict]:
    """Changes recorded but not yet applied by ``seoulrec disclose apply``, per record id: an
    archivist's disclosure decision (``disclose set``), a classification that the published
    decision does not carry yet, and a withdrawal still published. Each says what, who, when.
    ``record_ids``: only these records (None: every record)."""
    where, params = "", []
    if record_ids is not None:
        d = catalog.dialect
        where, params = f" AND {d.in_list('r.id')}", [d.list_param(record_ids)]
    pending: dict[int, dict] = {}
    for (
        rid,
        cls,
        grounds,
        reason,
        until,
        by,
        at,
        decided_at,
        source,
        d_cls,
        d_grounds,
    ) in catalog.db.execute(
        "SELECT r.id, o.disclosure_class, o.grounds, o.reason, o.until, o.decided_by, o.at, "
        "d.decided_at, d.source, d.disclosure_class, d.grounds FROM disclosure_overrides o "
        "JOIN records r ON r.record_key = o.record_key AND r.is_current = 1 "
        "LEFT JOIN disclosures d ON d.record_id = r.id WHERE 1 = 1" + where,
        params,
    ):
        # Times are to the second: an apply in the same second as the decision counts only
        # when the decision in force is the recorded one.
        applied = bool(decided_at and decided_at > at) or (
            source == "manual"
            and d_cls == cls
            and json.loads(d_grounds or "[]") == json.loads(grounds or "[]")
        )
        if not applied:
            pending.setdefault(rid, {})["disclosure"] = {
                "disclosure_class": cls,
                "grounds": json.loads(grounds or "[]"),
                "reason": reason,
                "until": until,
                "by": by,
                "at": at,
            }
    for rid, category, version, status, classifier, by, at in catalog.db.execute(
        "SELECT r.id, c.category, c.scheme_version, c.status, c.classifier, c.decided_by, c.at "
        "FROM record_categories c JOIN records r ON r.id = c.record_id AND r.is_current = 1 "
        "JOIN disclosures d ON d.record_id = r.id WHERE c.status IN ('auto', 'manual') "
        "AND COALESCE(d.category, '') != COALESCE(c.category, '')" + where,
        params,
    ):
        pending.setdefault(rid, {})["classification"] = {
            "category": category,
            "scheme_version": version,
            "status": status,
            "by": by or classifier,
            "at": at,
        }
    for rid, key in catalog.db.execute(
        "SELECT r.id, r.record_key FROM disclosures d JOIN records r ON r.id = d.record_id "
        "WHERE r.is_current = 0 AND NOT EXISTS (SELECT 1 FROM records x WHERE "
        "x.record_key = r.record_key AND x.is_current = 1)" + where,
        params,
    ):
        row = catalog.db.execute(
            "SELECT actor, at FROM audit WHERE action = 'record.withdraw' AND record_id = ? "
            "ORDER BY id DESC LIMIT 1",
            [rid],
        ).fetchone()
        pending.setdefault(rid, {})["withdrawal"] = {
            "record_key": key,
            "by": row[0] if row else None,
            "at": row[1] if row else None,
        }
    return pending


# -- reads for deciding (privacy scan, ranks, compliance) -----------------------------------------
def is_current(catalog: Catalog, record_id: int) -> bool:
    return (
        catalog.db.execute(
            "SELECT 1 FROM records WHERE id = ? AND is_current = 1", [record_id]
        ).fetchone()
        is not None
    )


def texts(catalog: Catalog, record_id: int | None = None) -> Iterator[tuple]:
    """(id, document_number, title, text, attachment texts joined by newlines) of current
    records (or one), in id order."""
    d = catalog.dialect
    sql = (
        f"SELECT r.id, r.document_number, r.title, r.text, (SELECT {d.agg_text('a.text', d.char(10))} "
        "FROM attachments a WHERE a.record_id = r.id) FROM records r WHERE r.is_current = 1"
    )
    params: list = []
    if record_id is not None:
        sql += " AND r.id = ?"
        params.append(record_id)
    yield from catalog.db.execute(sql + " ORDER BY r.id", params)


def unresolved_approvals(catalog: Catalog) -> list[tuple]:
    """(id, document_number, source_path) of current approval documents whose level is unresolved."""
    return catalog.db.execute(
        "SELECT r.id, r.document_number, r.source_path FROM records r WHERE r.is_current = 1 "
        "AND r.approval_level = 'unresolved' AND r.kind = 'approval' ORDER BY r.id"
    ).fetchall()


def current_chains(catalog: Catalog):
    """(id, approval_level, kind, order, position, type, name, date, is_final) of every box of
    every current record's chain, by record then chain."""
    return catalog.db.execute(
        'SELECT r.id, r.approval_level, a.kind, a."order", a.position, a.type, a.name, a.date, a.is_final '
        'FROM records r JOIN approvals a ON a.record_id = r.id WHERE r.is_current = 1 ORDER BY r.id, a.kind, a."order"'
    )


def set_levels(catalog: Catalog, updates: list[tuple[str, int]]) -> None:
    """(approval_level, id) pairs."""
    catalog.db.conn.executemany("UPDATE records SET approval_level = ? WHERE id = ?", updates)


def without_category(catalog: Catalog) -> list[tuple]:
    """(id, document_number, source_path) of current records with no category yet, or waiting
    for review."""
    return catalog.db.execute(
        "SELECT r.id, r.document_number, r.source_path FROM records r WHERE r.is_current = 1 AND ("
        "NOT EXISTS (SELECT 1 FROM record_categories c WHERE c.record_key = r.record_key) "
        "OR EXISTS (SELECT 1 FROM record_categories c WHERE c.record_key = r.record_key AND c.status = 'needs_review')) ORDER BY r.id"
    ).fetchall()
