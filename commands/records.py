"""``seoulrec records list|show``: look at the catalog."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Optional

import typer

from seoulrec.errors import UsageError
from seoulrec.records import record_json

from .console import CatalogOption, JsonOption, emit_json, info, open_catalog, table

records_app = typer.Typer(help="List and show catalogued records.\n\nExample: seoulrec records list --department 전략주택공급과 --json", no_args_is_help=True)

CLASSES = ("public", "partial", "non_public")


def register(app: typer.Typer) -> None:
    app.add_typer(records_app, name="records")


def _date(value: Optional[str], option: str) -> Optional[str]:
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise UsageError(f"{option} takes a date as YYYY-MM-DD, not {value!r}")
    return value


@records_app.command("list")
def list_records(
    catalog: Optional[Path] = CatalogOption,
    batch: Optional[int] = typer.Option(None, "--batch", help="Only records written by this batch."),
    department: Optional[str] = typer.Option(None, "--department", help="Only this department (처리과)."),
    date_from: Optional[str] = typer.Option(None, "--from", help="Enforcement date on or after YYYY-MM-DD."),
    date_to: Optional[str] = typer.Option(None, "--to", help="Enforcement date on or before YYYY-MM-DD."),
    disclosure_class: Optional[str] = typer.Option(None, "--class", help="public, partial or non_public."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="At most N records (default: all)."),
    all_versions: bool = typer.Option(False, "--all-versions", help="Include superseded versions."),
    as_json: bool = JsonOption,
):
    """List every matching record (current versions), oldest first.

    Example: seoulrec records list --from 2025-01-01 --class partial --json
    """
    if disclosure_class and disclosure_class not in CLASSES:
        raise UsageError(f"--class must be one of {', '.join(CLASSES)}, not {disclosure_class!r}")
    cat = open_catalog(catalog, readonly=True)
    rows = cat.iter_records(batch, department, _date(date_from, "--from"), _date(date_to, "--to"), disclosure_class, limit, all_versions)
    if as_json:
        emit_json([record_json(cat, row) for row in rows])
        return
    shown = [
        [r["id"], r["document_number"] or "", (r["title"] or "")[:60], r["department"] or "", r["enforcement_date"] or "", r["approval_level"], r["disclosure_class"] or "", r["version"], r["status"]]
        for r in rows
    ]
    table(f"{len(shown)} records", ["id", "document number", "title", "department", "date", "level", "class", "v", "status"], shown)


@records_app.command("show")
def show_record(
    record_id: int = typer.Argument(..., help="Record id (see `records list`)."),
    catalog: Optional[Path] = CatalogOption,
    text: bool = typer.Option(False, "--text", help="Include the extracted text."),
    as_json: bool = JsonOption,
):
    """Show one record with its approval chain and attachments.

    Example: seoulrec records show 12 --json
    """
    cat = open_catalog(catalog, readonly=True)
    doc = record_json(cat, cat.get_record(record_id), with_text=text)
    if as_json:
        emit_json(doc)
        return
    fields = ("id", "document_number", "regnumbercode", "title", "organ", "department", "enforcement_date", "approval_level", "disclosure_class", "grounds", "version", "status", "source_path")
    table(f"record {doc['id']}", ["field", "value"], [[key, doc[key]] for key in fields])
    if doc["approvals"]:
        table("approval chain", ["kind", "order", "position", "type", "name", "date", "level"], [[a["kind"], a["order"], a["position"], a["type"], a["name"], a["date"], a["level"]] for a in doc["approvals"]])
    if doc["attachments"]:
        table("attachments", ["name", "format", "size", "status", "message"], [[a["name"], a["format"], a["size"], a["status"], a["message"]] for a in doc["attachments"]])
    if text:
        sys.stdout.write((doc["text"] or "") + "\n")


@records_app.command("withdraw")
def withdraw(
    record_id: int = typer.Argument(..., help="Record id."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
    catalog: Optional[Path] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Withdraw a record from the current catalog (its versions stay archived); the next
    `disclose apply` and `export --since last` tell downstream copies to drop it.

    Example: seoulrec records withdraw 12 --reason "중복 등록"
    """
    from seoulrec.catalog import withdraw_record

    cat = open_catalog(catalog)
    result = withdraw_record(cat, record_id, reason)
    if as_json:
        emit_json(result)
        return
    info(f"Record {record_id} withdrawn ({result['withdrawn_versions']} current version)")


@records_app.command("relevel")
def relevel(catalog: Optional[Path] = CatalogOption, as_json: bool = JsonOption):
    """Recompute approval levels from the stored chains with the rank ladder of seoulrec.toml,
    e.g. after resolving an unknown position under [ranks]; then run `disclose apply`.

    Example: seoulrec records relevel --json
    """
    from seoulrec.catalog import relevel as relevel_records
    from seoulrec.config import load_config
    from seoulrec.ranks import Ladder

    ladder = Ladder.default(load_config().section("ranks") or None)
    cat = open_catalog(catalog)
    result = relevel_records(cat, ladder)
    if as_json:
        emit_json(result)
        return
    info(f"{result['changed']} records changed level" + (": " + ", ".join(f"{k}: {v}" for k, v in result["changes"].items()) if result["changes"] else ""))
