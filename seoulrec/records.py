"""The record JSON: a documented, versioned interface (schema in ``data/record.schema.json``)."""

from __future__ import annotations

import json
from importlib import resources

from .catalog import Catalog

RECORD_SCHEMA_ID = "seoulrec.record/1"


def record_schema() -> dict:
    return json.loads(resources.files("seoulrec.data").joinpath("record.schema.json").read_text("utf-8"))


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
        {"name": a["name"], "format": a["format"], "size": a["size"], "sha256": a["sha256"], "status": a["status"], "message": a["message"] or ""}
        for a in catalog.attachments_of(row["id"])
    ]
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
        "disclosure_class": row["disclosure_class"],
        "grounds": json.loads(row["grounds"] or "[]"),
        "publication_code": row["publication_code"],
        "unit_task": row["unit_task"],
        "attachments": attachments,
        "status": row["status"],
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
