"""``seoulrec status``, ``batches``, ``failures`` and ``audit``: what a records office asks
every morning, read from the catalog."""

from typing import List, Optional

import typer

from seoulrec.dates import parse_date

from .console import (
    MAX_ID,
    CatalogOption,
    CsvOption,
    Format,
    JsonOption,
    TsvOption,
    emit_json,
    info,
    listing,
    open_catalog,
    output_format,
    table,
)


def register(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("batches")(batches)
    app.add_typer(failures_app, name="failures")
    app.command("audit")(audit)


def status(catalog: Optional[str] = CatalogOption, as_json: bool = JsonOption):
    """Where the catalog stands: records by kind, decisions by class and published or withheld,
    the classification queue, principle-5 violations, unresolved ranks, the last batch and its
    failures, the last export per destination, the catalog's size.

    Example: seoulrec status --json
    """
    from seoulrec.run import reports

    cat = open_catalog(catalog, readonly=True)
    result = reports.status(cat)
    if as_json:
        emit_json(result)
        return
    rows = [["catalog", f"{result['catalog']} ({result['catalog_bytes'] / 2**20:.1f} MiB)"]]
    for kind, counts in sorted(result["records"].items()):
        rows.append([f"records: {kind}", ", ".join(f"{k} {v}" for k, v in counts.items())])
    d = result["decisions"]
    rows.append(
        [
            "decisions",
            ", ".join(f"{k} {v}" for k, v in sorted(d["by_class"].items()))
            or "none yet (run `seoulrec disclose apply`)",
        ]
    )
    rows.append(
        [
            "originals",
            f"{d['originals_published']} published, {d['originals_withheld']} withheld, {d['undecided']} current records undecided",
        ]
    )
    if d["last_apply"]:
        rows.append(
            ["last apply", f"{d['last_apply']['status']} (--today {d['last_apply']['today']})"]
        )
    c = result["classification"]
    rows.append(
        [
            "classification",
            f"{c.get('auto', 0)} automatic, {c.get('manual', 0)} manual, {c.get('needs_review', 0)} waiting for review, {c['unclassified']} unclassified",
        ]
    )
    rows.append(
        [
            "to do",
            f"{result['principle5_violations']} principle-5 violations, {result['needs_class']} need a class, {result['needs_title']} need a title, {result['unresolved_ranks']} with an unresolved rank",
        ]
    )
    b = result["last_batch"]
    rows.append(
        [
            "last batch",
            "none"
            if b is None
            else f"{b['id']} {b['status']} at {b['finished'] or b['started']}: {b['added']} added, {b['updated']} updated, {b['failed']} failed",
        ]
    )
    rows.append(["open failures", f"{result['open_failures']} (seoulrec failures)"])
    waiting = {k: v for k, v in result["pending"].items() if v}
    rows.append(
        [
            "pending changes",
            ", ".join(f"{v} {k}" for k, v in waiting.items())
            + " (seoulrec records list --pending; seoulrec disclose apply publishes them)"
            if waiting
            else "none",
        ]
    )
    for e in result["last_exports"]:
        rows.append(
            [
                f"export {e['exporter']}",
                f"{e['destination']}: {e['status']} {e['kind']} at {e['finished'] or ''}",
            ]
        )
    table("seoulrec status", ["what", "state"], rows)


def batches(
    catalog: Optional[str] = CatalogOption,
    limit: Optional[int] = typer.Option(
        None, "--limit", min=1, max=MAX_ID, help="The latest N batches."
    ),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """Past ingest batches, newest first, with their counts and options.

    Example: seoulrec batches --limit 10
    """
    from seoulrec.run import reports

    cat = open_catalog(catalog, readonly=True)
    found = reports.batches(cat, limit)
    rows = [
        [
            b["id"],
            b["started"],
            b["finished"],
            b["status"],
            b["added"],
            b["updated"],
            b["unchanged"],
            b["failed"],
            " ".join(b["options"].get("paths", [])),
        ]
        for b in found
    ]
    listing(
        output_format(as_json, as_csv, as_tsv),
        f"{len(found)} batches",
        ["id", "started", "finished", "status", "added", "updated", "unchanged", "failed", "paths"],
        rows,
        document=found,
    )


failures_app = typer.Typer(
    help="Stored per-item failures of ingest: list them, mark them resolved; retry with `seoulrec ingest --retry-failed`.\n\nExample: seoulrec failures --batch 3",
    invoke_without_command=True,
)


@failures_app.callback()
def failures(
    ctx: typer.Context,
    catalog: Optional[str] = CatalogOption,
    batch: Optional[int] = typer.Option(
        None, "--batch", min=1, max=MAX_ID, help="Only this batch."
    ),
    include_resolved: bool = typer.Option(False, "--all", help="Resolved failures too."),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """List stored per-item failures (unresolved ones unless --all) with what to do about each.

    Example: seoulrec failures --batch 3 --csv > failures.csv
    """
    from seoulrec.run import reports

    if ctx.invoked_subcommand is not None:
        return
    fmt = output_format(as_json, as_csv, as_tsv)
    cat = open_catalog(catalog, readonly=True)
    found = reports.failures(cat, batch, include_resolved)
    rows = [
        [f["id"], f["batch"], f["path"], f["reason"], f["message"], f["resolved"], f["what_to_do"]]
        for f in found
    ]
    listing(
        fmt,
        f"{len(found)} failures",
        ["id", "batch", "path", "reason", "message", "resolved", "what to do"],
        rows,
        document=found,
    )
    if found and fmt is Format.table:
        info(
            "Retry the failed items with: seoulrec ingest --retry-failed; or mark one done: seoulrec failures resolve ID --note TEXT"
        )


@failures_app.command("resolve")
def resolve(
    failure_ids: List[int] = typer.Argument(
        ..., min=1, max=MAX_ID, help="Failure ids (see `seoulrec failures`)."
    ),
    note: str = typer.Option(..., "--note", help="How it was resolved (kept in the audit log)."),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Mark failures resolved by hand (the file is not a record, or was replaced by hand).

    Example: seoulrec failures resolve 12 13 --note "not a record: scanner cover sheet"
    """
    from seoulrec.run import reports

    cat = open_catalog(catalog)
    count = reports.resolve_failures(cat, failure_ids, note)
    if as_json:
        emit_json({"resolved": count})
        return
    info(f"{count} failures marked resolved")


def audit(
    catalog: Optional[str] = CatalogOption,
    record: Optional[int] = typer.Option(
        None, "--record", min=1, max=MAX_ID, help="Only entries about this record."
    ),
    actor: Optional[str] = typer.Option(
        None, "--actor", help="Only entries by this person ($SEOULREC_ACTOR, else $USER)."
    ),
    since: Optional[str] = typer.Option(
        None, "--since", help="Only entries on or after YYYY-MM-DD."
    ),
    limit: Optional[int] = typer.Option(
        None, "--limit", min=1, max=MAX_ID, help="At most N entries."
    ),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """The audit log (append-only; read-only here): who changed what, when and why. Entries
    carry $SEOULREC_ACTOR, else $USER, else "unknown": set SEOULREC_ACTOR in scripts and CI.

    Example: seoulrec audit --record 12
    """
    from seoulrec.run import reports

    if since is not None:
        since = parse_date(since, "--since").isoformat()
    cat = open_catalog(catalog, readonly=True)
    found = reports.audit_log(cat, record, actor, since, limit)
    rows = [[e["id"], e["at"], e["actor"], e["action"], e["record_id"], e["detail"]] for e in found]
    listing(
        output_format(as_json, as_csv, as_tsv),
        f"{len(found)} audit entries",
        ["id", "at", "actor", "action", "record", "detail"],
        rows,
        document=found,
    )
