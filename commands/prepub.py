"""``seoulrec prepub``: the pre-publication registry (사전공표) and what is overdue."""

from datetime import date
from pathlib import Path
from typing import Optional

import typer

from seoulrec.dates import parse_date
from seoulrec.errors import PartialFailure

from .console import (
    CatalogOption,
    CsvOption,
    JsonOption,
    TsvOption,
    emit_json,
    info,
    listing,
    open_catalog,
    output_format,
)

prepub_app = typer.Typer(
    help="Pre-publication (사전공표): the registry of information published proactively.\n\n"
    "Example: seoulrec prepub import public_list_2021-01.csv && seoulrec prepub status --overdue",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(prepub_app, name="prepub")


@prepub_app.command("import")
def import_(
    registry: Path = typer.Argument(
        ..., help="seoulrec's registry CSV or Seoul's public_list_*.csv as it is."
    ),
    links: Optional[Path] = typer.Option(
        None, "--links", help="CSV item_id,record linking records to items."
    ),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Import the registry, then link published records to its items (the --links manifest,
    then each item's title keywords).

    seoulrec's layout: item_id,title,department,cycle,category,match (cycle monthly,
    quarterly or yearly; match: title keywords separated by |). Seoul's published list
    (nid,category,title,writer,dept_nm,regist_dt,taxonomy,...) imports as it is: each row a
    publication, the item its taxonomy's first three levels, the cycle read from the titles.

    Example: seoulrec prepub import ../shared/corpus/seoul-opengov/public_list_2021-01.csv --json
    """
    from seoulrec.inputs import prepub as core

    cat = open_catalog(catalog)
    try:
        result = core.import_registry(cat, registry)
        result["linked"] = core.link_records(cat, links)
    finally:
        cat.close()
    if as_json:
        emit_json(result)
    else:
        info(
            f"{result['items']} items ({result['layout']}): {result['added']} added, {result['updated']} updated, "
            f"{result['publications']} publications recorded, {result['linked']['added']} records linked"
        )
        for f in result["failed"] + result["linked"]["failed"]:
            info(f"skipped row {f['row']}: {f['error']}")
    failures = result["failures"] + result["linked"]["failures"]
    if failures:
        raise PartialFailure(f"{failures} rows could not be imported (listed above)")


@prepub_app.command("status")
def status(
    today: Optional[str] = typer.Option(None, "--today", help="Judge due dates as of this day."),
    only_overdue: bool = typer.Option(
        False, "--overdue", help="Only items overdue for their cycle."
    ),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """Each item: cycle, latest publication, when the next is due, whether it is overdue.

    Example: seoulrec prepub status --overdue --csv
    """
    from seoulrec.inputs import prepub as core

    fmt = output_format(as_json, as_csv, as_tsv)
    day = parse_date(today, "--today") if today else date.today()
    cat = open_catalog(catalog, readonly=True)
    try:
        items = core.status(cat, day)
    finally:
        cat.close()
    if only_overdue:
        items = [i for i in items if i["overdue"]]
    listing(
        fmt,
        "pre-publication items",
        ["item", "title", "department", "cycle", "latest", "due", "overdue"],
        [
            [
                i["item_id"],
                i["title"],
                i["department"] or "",
                i["cycle"],
                i["latest"] or "",
                i["due"] or "",
                "yes" if i["overdue"] else "",
            ]
            for i in items
        ],
        document=items,
    )
