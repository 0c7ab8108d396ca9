"""``seoulrec search QUERY``: Korean full-text search of the catalog, for archivists."""

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
    info,
    listing,
    open_catalog,
    output_format,
)


def register(app: typer.Typer) -> None:
    app.command("search")(search_command)


def search_command(
    query: str = typer.Argument(
        ..., help="Korean or other words; every word must be in the record."
    ),
    catalog: Optional[str] = CatalogOption,
    organ: Optional[str] = typer.Option(None, "--organ", help="Only this organ (기관)."),
    department: Optional[str] = DepartmentOption,
    date_from: Optional[str] = FromOption,
    date_to: Optional[str] = ToOption,
    disclosure_class: Optional[str] = ClassOption,
    category: Optional[str] = typer.Option(
        None, "--category", help="Only records filed under this category code."
    ),
    unit_task: Optional[str] = typer.Option(
        None, "--unit-task", help="Only records of this unit task (단위과제)."
    ),
    kind: Optional[str] = KindOption,
    status: str = typer.Option(
        "current", "--status", help="current, superseded, withdrawn, or all (every version)."
    ),
    limit: int = typer.Option(20, "--limit", min=1, max=10_000, help="At most N results."),
    offset: int = typer.Option(
        0, "--offset", min=0, max=MAX_ID, help="Skip the first N results (paging)."
    ),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """Find records by the words of their titles, texts and attachments, best first.

    A word is found inside compounds and before particles: 제설 finds 제설대책, 자전거를 finds
    자전거 (Kiwi takes the particle off; the index holds every pair of adjacent syllables). Every
    word of the query must be in the record. Withheld records are found too: this is the
    archivist's catalog, and nothing here is published. The snippet marks the words found
    ([제설]대책); "matched in" says whether in the title, the text or an attachment.

    Example: seoulrec search "제설 대책" --from 2021-01-01 --department 도로관리과 --json
    """
    from seoulrec.store.records import KINDS
    from seoulrec.store.fulltext import Query
    from seoulrec.store.catalog import SCHEMA_VERSION
    from seoulrec.store.records import STATES
    from seoulrec.store.fulltext import search

    fmt = output_format(as_json, as_csv, as_tsv)
    if disclosure_class and disclosure_class not in CLASSES:
        raise UsageError(f"--class must be one of {', '.join(CLASSES)}, not {disclosure_class!r}")
    if status not in (*STATES, "all"):
        raise UsageError(f"--status must be one of {', '.join(STATES)} or all, not {status!r}")
    if kind is not None and kind not in KINDS:
        raise UsageError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not query.strip():
        raise UsageError("give at least one word to search for")
    cat = open_catalog(catalog, readonly=True)
    if cat.schema_version() < SCHEMA_VERSION:
        # A catalog of an older seoulrec: opened for writing once, so that its migrations
        # (migration 10 builds the search index) run.
        cat.close()
        info("the catalog is from an older seoulrec: migrating it (the search index is built once)")
        cat = open_catalog(catalog)
    total, hits = search(
        cat,
        Query(
            query,
            organ=organ,
            department=department,
            date_from=iso_date(date_from, "--from"),
            date_to=iso_date(date_to, "--to"),
            disclosure_class=disclosure_class,
            category=category,
            unit_task=unit_task,
            kind=kind,
            status=status,
            limit=limit,
            offset=offset,
        ),
    )
    columns = ["id", "title", "department", "date", "class", "matched in", "snippet"]
    rows = [
        [
            h["id"],
            h["title"] or "",
            h["department"] or "",
            h["enforcement_date"] or "",
            h["disclosure_class"] or "",
            h["matched_in"],
            h["snippet"],
        ]
        for h in hits
    ]
    document = {"query": query, "total": total, "offset": offset, "limit": limit, "results": hits}
    shown = f"{total} records match {query!r}" + (
        f" (showing {offset + 1}-{offset + len(hits)})" if total > len(hits) else ""
    )
    listing(fmt, shown, columns, rows, document=document)
