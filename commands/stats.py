"""``seoulrec stats``: disclosure rates and counts, the figures a records manager reports."""

from typing import Optional

import typer


from .console import (
    CatalogOption,
    CsvOption,
    Format,
    JsonOption,
    TsvOption,
    emit_json,
    listing,
    open_catalog,
    output_format,
    table,
)

RATE_COLUMNS = [
    "records",
    "public",
    "partial",
    "non_public",
    "originals",
    "disclosure_rate",
    "partial_rate",
    "non_disclosure_rate",
    "originals_rate",
]


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)


def stats(
    organ: Optional[str] = typer.Option(
        None, "--organ", help="Only this organ (기관명, e.g. 서울특별시 강남구)."
    ),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """Disclosure rate (공개율), partial and non-disclosure rates and the share of originals
    published, overall and by organ, department, year and field; counts by class; originals
    published per month. The portal's statistics page shows the same figures (one
    implementation). Rates are percentages of the records listed.

    --csv/--tsv print one table: group, name and the counts and rates.

    Example: seoulrec stats --organ "서울특별시 강남구" --json
    """
    from seoulrec.publish import stats as core

    fmt = output_format(as_json, as_csv, as_tsv)
    cat = open_catalog(catalog, readonly=True)
    try:
        figures = core.compute(core.facts(cat), organ=organ)
    finally:
        cat.close()
    if fmt is Format.json:
        emit_json(figures)
        return
    rows = [["total", organ or "전체", *(figures["totals"][c] for c in RATE_COLUMNS)]]
    for group in core.GROUPS:
        rows += [[group, r["name"], *(r[c] for c in RATE_COLUMNS)] for r in figures[f"by_{group}"]]
    if fmt is not Format.table:
        listing(fmt, "stats", ["group", "name", *RATE_COLUMNS], rows)
        return
    listing(
        fmt,
        f"disclosure statistics{' · ' + organ if organ else ''}",
        ["group", "name", *RATE_COLUMNS],
        rows,
    )
    table(
        "originals published per month",
        ["month", "originals"],
        [[m["month"], m["originals"]] for m in figures["originals_by_month"]],
    )
