"""``seoulrec compliance``: everything a records manager must act on, in one report."""

from datetime import date
from typing import Optional

import typer

from seoulrec.dates import parse_date
from seoulrec.errors import ComplianceFailed, UsageError

from .console import (
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
)


def register(app: typer.Typer) -> None:
    from seoulrec.run import compliance as core

    app.command(
        "compliance",
        help=f"""Everything a records manager must act on: meetings announced late and minutes
overdue, principle-5 violations, non-disclosure reviews due, unresolved ranks, records needing
a class, a title or a category, unresolved ingest failures, overdue pre-publication items.

Kinds: {", ".join(core.KINDS)}.

--fail-on KIND[,KIND] exits 5 when any finding of those kinds exists (for CI); 'any' means
every kind. The report is printed first.

Example: seoulrec compliance --fail-on principle5,minutes_overdue --json > compliance.json
""",
    )(compliance)


def compliance(
    today: Optional[str] = typer.Option(None, "--today", help="Judge deadlines as of this day."),
    fail_on: Optional[str] = typer.Option(
        None, "--fail-on", help="Comma-separated kinds (or 'any') that make the command exit 5."
    ),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    from seoulrec.run import compliance as core

    fmt = output_format(as_json, as_csv, as_tsv)
    failing: set[str] = set()
    if fail_on:
        failing = {k.strip() for k in fail_on.split(",") if k.strip()}
        if "any" in failing:
            failing = set(core.KINDS)
        unknown = failing - set(core.KINDS)
        if unknown:
            raise UsageError(
                f"--fail-on: unknown kind(s) {', '.join(sorted(unknown))}; known: {', '.join(core.KINDS)}, any"
            )
    day = parse_date(today, "--today") if today else date.today()
    cat = open_catalog(catalog, readonly=True)
    try:
        result = core.report(cat, day)
    finally:
        cat.close()
    if fmt is Format.json:
        emit_json(result)
    else:
        listing(
            fmt,
            f"compliance as of {result['as_of']}",
            ["kind", "subject", "detail"],
            [[i["kind"], i["subject"], i["detail"]] for i in result["items"]],
        )
        if fmt is Format.table:
            summary_line = ", ".join(f"{k} {n}" for k, n in result["counts"].items() if n)
            info(f"{result['total']} findings" + (f": {summary_line}" if summary_line else ""))
    hit = {k: n for k, n in result["counts"].items() if k in failing and n}
    if hit:
        raise ComplianceFailed(
            "compliance: " + ", ".join(f"{n} {k}" for k, n in hit.items()) + " (--fail-on)"
        )
