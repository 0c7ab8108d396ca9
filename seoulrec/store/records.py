"""The record JSON: a documented, versioned interface (schema in ``data/record.schema.json``)."""

from __future__ import annotations

import json
from importlib import resources

from seoulrec.store.catalog import Catalog

RECORD_SCHEMA_ID = "seoulrec.record/2"
STATES = ("current", "superseded", "withdrawn")
KINDS = ("approval", "material")


def record_schema() -> dict:
    return json.loads(
        resources.files("seoulrec.data").joinpath("record.schema.json").read_text("utf-8")
    )


def record_json(catalog: Catalog, row: dict, with_text: bool = False) -> dict:
    """The public JSON form of one catalog row (``seoulrec records show --json``)."""
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
    if with_text:
        doc["text"] = row["text"] or ""
    return doc


def record_state(catalog: Catalog, row: dict) -> str:
    """current, superseded (another version is current) or withdrawn (no version is current)."""
    if row["is_current"]:
        return "current"
    other = catalog.db.execute(
        "SELECT 1 FROM records WHERE record_key = ? AND is_current = 1", [row["record_key"]]
    ).fetchone()
    return "superseded" if other else "withdrawn"
