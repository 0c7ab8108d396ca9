"""``seoulrec meetings``: import the meetings manifest (회의 공개) and list meetings."""

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

meetings_app = typer.Typer(
    help="Meetings in the open (회의 공개): outlines 5 days before, minutes within 7 days.\n\n"
    "Example: seoulrec meetings import meetings.csv && seoulrec meetings list",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(meetings_app, name="meetings")


@meetings_app.command("import")
def import_(
    manifest: Path = typer.Argument(..., help="Meetings manifest, CSV or JSON."),
    today: Optional[str] = typer.Option(None, "--today", help="Judge dates as of this day."),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Import (or update) meetings from a manifest and ingest their minutes and materials.

    Columns: id, title, committee, scheduled (YYYY-MM-DD HH:MM), place, status (예정, 완료,
    취소), announced (YYYY-MM-DD), minutes (a path relative to the manifest), materials (paths
    separated by ;), broadcast (http(s) link), department, field, organ. A row with an
    impossible date is reported and skipped (exit 3); a missing minutes file is reported and
    the meeting kept without it. Re-importing the same manifest changes nothing.

    Example: seoulrec meetings import inbox/meetings.csv --json
    """
    from seoulrec.inputs import meetings as core
    from seoulrec.config import load_config
    from datetime import date

    cat = open_catalog(catalog)
    try:
        day = parse_date(today, "--today") if today else date.today()
        result = core.import_meetings(cat, manifest, load_config(), today=day)
    finally:
        cat.close()
    if as_json:
        emit_json(result)
    else:
        info(
            f"{result['meetings']} meetings: {result['added']} added, {result['updated']} updated, {result['unchanged']} unchanged"
        )
        for w in result["warnings"]:
            info(f"warning: {w['row']} ({w['id']}): {w['warning']}")
        for f in result["failed"]:
            info(
                f"skipped: {f.get('row')} ({f.get('id') or f.get('document')}): {'; '.join(f['errors'])}"
            )
    if result["failures"]:
        raise PartialFailure(
            f"{result['failures']} rows or documents could not be imported (listed above)"
        )


@meetings_app.command("list")
def list_(
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """List meetings, newest first, with their minutes' state.

    Example: seoulrec meetings list --csv > meetings.csv
    """
    from seoulrec.inputs import meetings as core

    fmt = output_format(as_json, as_csv, as_tsv)
    cat = open_catalog(catalog, readonly=True)
    try:
        rows = core.list_meetings(cat)
    finally:
        cat.close()
    listing(
        fmt,
        "meetings",
        ["id", "title", "scheduled", "status", "announced", "department", "minutes"],
        [
            [
                m["meeting_id"],
                m["title"],
                m["scheduled_at"],
                m["status_label"],
                m["announced_on"] or "",
                m["department"] or "",
                ("공개" if m["minutes"]["original_public"] else "비공개")
                if m["minutes"]
                else "없음",
            ]
            for m in rows
        ],
        document=rows,
    )
