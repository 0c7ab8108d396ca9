"""``seoulrec privacy scan``: personal data in titles and texts, reported by type."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from seoulrec.config import load_config
from seoulrec.policy import load_policy
from seoulrec.privacy import LIMITS_NOTE, Masker

from .console import CatalogOption, JsonOption, emit_json, info, open_catalog, table

privacy_app = typer.Typer(help="Find personal data (DOMAIN 7) without printing it.\n\nExample: seoulrec privacy scan --json", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(privacy_app, name="privacy")


@privacy_app.command("scan")
def scan(
    record_id: Optional[int] = typer.Argument(None, help="One record (default: every current record)."),
    catalog: Optional[Path] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Report personal data by type in titles, texts and attachment texts; identifiers are
    shown masked, never in full.

    Example: seoulrec privacy scan 12
    """
    config = load_config()
    masker = Masker.from_policy(load_policy(config.section("disclosure") or None).masking)
    cat = open_catalog(catalog, readonly=True)
    sql = "SELECT r.id, r.document_number, r.title, r.text, (SELECT group_concat(a.text, char(10)) FROM attachments a WHERE a.record_id = r.id) FROM records r WHERE r.is_current = 1"
    params: list = []
    if record_id is not None:
        sql += " AND r.id = ?"
        params.append(record_id)
    totals: dict[str, int] = {}
    records = []
    for rid, number, title, text, attachments in cat.db.execute(sql + " ORDER BY r.id", params):
        by_kind: dict[str, int] = {}
        examples = []
        for where, value in (("title", title), ("text", text), ("attachments", attachments)):
            for finding in masker.find(value or ""):
                by_kind[finding.kind] = by_kind.get(finding.kind, 0) + 1
                if len(examples) < 5:
                    examples.append({"where": where, "kind": finding.kind, "masked": finding.preview(), "confidence": finding.confidence})
        if by_kind:
            records.append({"id": rid, "document_number": number, "findings": by_kind, "examples": examples})
            for kind, count in by_kind.items():
                totals[kind] = totals.get(kind, 0) + count
    result = {"records_with_findings": len(records), "totals": totals, "records": records, "limits": LIMITS_NOTE}
    if as_json:
        emit_json(result)
        return
    table("personal data found", ["kind", "count"], [[k, v] for k, v in sorted(totals.items())])
    table("records", ["id", "document number", "findings", "examples (masked)"], [[r["id"], r["document_number"], r["findings"], ", ".join(e["masked"] for e in r["examples"])] for r in records[:200]])
    info(LIMITS_NOTE, style="dim")
