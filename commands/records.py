"""``seoulrec records list|show``: look at the catalog."""

import sys
from typing import Optional

import typer

from seoulrec.errors import UsageError

from .console import (
    CLASSES,
    ClassOption,
    DepartmentOption,
    FromOption,
    KindOption,
    ToOption,
    iso_date,
    MAX_ID,
    CatalogOption,
    CsvOption,
    JsonOption,
    TsvOption,
    confidence_text,
    emit_json,
    info,
    listing,
    open_catalog,
    output_format,
    table,
)

records_app = typer.Typer(
    help="List and show catalogued records.\n\nExample: seoulrec records list --department 전략주택공급과 --json",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(records_app, name="records")


@records_app.command("list")
def list_records(
    catalog: Optional[str] = CatalogOption,
    batch: Optional[int] = typer.Option(
        None, "--batch", min=1, max=MAX_ID, help="Only records written by this batch."
    ),
    department: Optional[str] = DepartmentOption,
    date_from: Optional[str] = FromOption,
    date_to: Optional[str] = ToOption,
    disclosure_class: Optional[str] = ClassOption,
    category: Optional[str] = typer.Option(
        None, "--category", help="Only records filed under this category code (e.g. TRA)."
    ),
    published: bool = typer.Option(
        False, "--published", help="Only records whose original is published."
    ),
    withheld: bool = typer.Option(
        False, "--withheld", help="Only records whose original is withheld."
    ),
    state: str = typer.Option("current", "--status", help="current, superseded or withdrawn."),
    kind: Optional[str] = KindOption,
    limit: Optional[int] = typer.Option(
        None, "--limit", min=1, max=MAX_ID, help="At most N records (default: all)."
    ),
    all_versions: bool = typer.Option(
        False, "--all-versions", help="Include superseded and withdrawn versions."
    ),
    pending_only: bool = typer.Option(
        False,
        "--pending",
        help="Only records with a change recorded but not yet applied (disclose set, classify "
        "set, records withdraw before `disclose apply`).",
    ),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """List every matching record with its decision, classification and status, oldest first.
    The "pending" column marks a change recorded but not applied yet (disclosure, category or
    withdrawal: `seoulrec disclose apply` publishes it); `records show` says who and when.

    Example: seoulrec records list --from 2025-01-01 --withheld --category TRA --csv > withheld.csv
    """
    from seoulrec.store.records import KINDS
    from seoulrec.store.records import STATES
    from seoulrec.store.records import pending_changes
    from seoulrec.store.records import record_json

    fmt = output_format(as_json, as_csv, as_tsv)
    if disclosure_class and disclosure_class not in CLASSES:
        raise UsageError(f"--class must be one of {', '.join(CLASSES)}, not {disclosure_class!r}")
    if state not in STATES:
        raise UsageError(f"--status must be one of {', '.join(STATES)}, not {state!r}")
    if kind is not None and kind not in KINDS:
        raise UsageError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if published and withheld:
        raise UsageError("choose one of --published and --withheld")
    cat = open_catalog(catalog, readonly=True)
    rows = cat.iter_records(
        batch,
        department,
        iso_date(date_from, "--from"),
        iso_date(date_to, "--to"),
        disclosure_class,
        limit,
        all_versions,
        category=category,
        published=True if published else (False if withheld else None),
        state=None if all_versions else state,
        kind=kind,
    )
    pending = pending_changes(cat)
    docs = [record_json(cat, row, pending=pending) for row in rows]
    if pending_only:
        docs = [d for d in docs if d["pending"]]
    columns = [
        "id",
        "document number",
        "title",
        "department",
        "date",
        "kind",
        "level",
        "class",
        "published",
        "category",
        "status",
        "pending",
    ]
    shown = [
        [
            d["id"],
            d["document_number"] or "",
            d["title"],
            d["department"],
            d["enforcement_date"] or "",
            d["material_kind"] or d["kind"],
            d["approval_level"],
            d["disclosure_class"] or "",
            "" if d["decision"] is None else d["decision"]["original_public"],
            (d["classification"] or {}).get("category")
            or ((d["classification"] or {}).get("status") == "needs_review" and "needs review")
            or "",
            d["status"],
            ", ".join(sorted(d["pending"] or ())),
        ]
        for d in docs
    ]
    listing(fmt, f"{len(shown)} records", columns, shown, document=docs)


def _pending_words(what: str, change: dict) -> str:
    """A pending change in words, for the table of `records show`."""
    who = f" by {change.get('by') or 'unknown'}" + (
        f" at {change['at']}" if change.get("at") else ""
    )
    if what == "disclosure":
        grounds = ",".join(map(str, change["grounds"]))
        return (
            f"{change['disclosure_class']}"
            + (f" ({grounds})" if grounds else "")
            + (f", until {change['until']}" if change.get("until") else "")
            + f"{who}; not applied yet: run `seoulrec disclose apply`"
        )
    if what == "classification":
        return f"{change['category']}{who}; published with the next `seoulrec disclose apply`"
    return f"withdrawn{who}; still published until the next `seoulrec disclose apply`"


@records_app.command("show")
def show_record(
    record_id: int = typer.Argument(..., min=1, max=MAX_ID, help="Record id (see `records list`)."),
    catalog: Optional[str] = CatalogOption,
    text: bool = typer.Option(False, "--text", help="Include the extracted text."),
    as_json: bool = JsonOption,
):
    """Show one record with its approval chain and attachments.

    Example: seoulrec records show 12 --json
    """
    from seoulrec.store.records import record_json

    cat = open_catalog(catalog, readonly=True)
    doc = record_json(cat, cat.get_record(record_id), with_text=text)
    if as_json:
        emit_json(doc)
        return
    fields = (
        "id",
        "document_number",
        "regnumbercode",
        "title",
        "kind",
        "material_kind",
        "organ",
        "department",
        "enforcement_date",
        "approval_level",
        "version",
        "status",
        "ingest_status",
        "source_path",
    )
    rows = [[key, doc[key]] for key in fields]
    decision, category = doc["decision"], doc["classification"]
    if decision is None:
        rows.append(["decision", "not decided yet (run `seoulrec disclose apply`)"])
    else:
        rows += [
            ["disclosure_class", f"{decision['disclosure_class']} ({decision['source']})"],
            ["grounds", decision["grounds"]],
            ["reason", decision["reason"]],
            ["release_date", decision["release_date"]],
            ["original_published", decision["original_public"]],
            ["withheld_because", "; ".join(decision["withheld_because"])],
        ]
    for what, change in (doc["pending"] or {}).items():
        rows.append([f"pending {what}", _pending_words(what, change)])
    filing = doc["unit_task_filing"]
    if doc["unit_task"] or filing:
        how = (
            "as it came"
            if filing is None
            else f"{filing['status']}, confidence {confidence_text(filing['confidence'])}"
            if filing["status"] != "manual"
            else f"accepted by {filing['actor']}: {filing['reason']}"
        )
        task = doc["unit_task"] or f"suggested {filing['unit_task']}"
        rows.append(["unit_task", f"{task} (보존기간 {doc['retention_period'] or '?'}; {how})"])
    if category is None:
        rows.append(["classification", "not classified yet (run `seoulrec classify run`)"])
    else:
        confidence = (
            f", confidence {confidence_text(category['confidence'])}"
            if category["confidence"] is not None
            else ""
        )
        rows.append(
            [
                "classification",
                f"{category['category'] or 'needs review'} {category['name'] or ''} ({category['status']}, by {category['classifier'] or 'archivist'}{confidence})",
            ]
        )
    table(f"record {doc['id']}", ["field", "value"], rows)
    if doc["approvals"]:
        table(
            "approval chain",
            ["kind", "order", "position", "type", "name", "date", "level"],
            [
                [a["kind"], a["order"], a["position"], a["type"], a["name"], a["date"], a["level"]]
                for a in doc["approvals"]
            ],
        )
    if doc["attachments"]:
        table(
            "attachments",
            ["name", "format", "size", "status", "message"],
            [
                [a["name"], a["format"], a["size"], a["status"], a["message"]]
                for a in doc["attachments"]
            ],
        )
    if text:
        sys.stdout.write((doc["text"] or "") + "\n")


@records_app.command("withdraw")
def withdraw(
    record_id: int = typer.Argument(..., min=1, max=MAX_ID, help="Record id."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Withdraw a record from the current catalog (its versions stay archived); the next
    `disclose apply` and `export --since last` tell downstream copies to drop it.

    Example: seoulrec records withdraw 12 --reason "중복 등록"
    """
    from seoulrec.store.catalog import withdraw_record

    cat = open_catalog(catalog)
    result = withdraw_record(cat, record_id, reason)
    if as_json:
        emit_json(result)
        return
    info(f"Record {record_id} withdrawn ({result['withdrawn_versions']} current version)")


@records_app.command("relevel")
def relevel(catalog: Optional[str] = CatalogOption, as_json: bool = JsonOption):
    """Recompute approval levels from the stored chains with the rank ladder of seoulrec.toml,
    e.g. after resolving an unknown position under [ranks]; then run `disclose apply`.

    Example: seoulrec records relevel --json
    """
    from seoulrec.config import load_config
    from seoulrec.decide.ranks import Ladder
    from seoulrec.decide.ranks import relevel as relevel_records

    ladder = Ladder.default(load_config().section("ranks") or None)
    cat = open_catalog(catalog)
    result = relevel_records(cat, ladder)
    if as_json:
        emit_json(result)
        return
    info(
        f"{result['changed']} records changed level"
        + (
            ": " + ", ".join(f"{k}: {v}" for k, v in result["changes"].items())
            if result["changes"]
            else ""
        )
    )
