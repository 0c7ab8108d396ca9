"""``seoulrec privacy scan``: personal data in titles and texts, reported by type."""

from typing import Optional

import typer


from .console import (
    MAX_ID,
    CatalogOption,
    CsvOption,
    Format,
    JsonOption,
    TsvOption,
    info,
    listing,
    open_catalog,
    output_format,
    table,
)

privacy_app = typer.Typer(
    help="Find personal data (registration numbers, phones, e-mail, accounts, names after cue words) without printing it.\n\nExample: seoulrec privacy scan --json",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(privacy_app, name="privacy")


@privacy_app.command("scan")
def scan(
    record_id: Optional[int] = typer.Argument(
        None, min=1, max=MAX_ID, help="One record (default: every current record)."
    ),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """Report personal data by type in titles, texts and attachment texts; identifiers are
    shown masked, never in full.

    Example: seoulrec privacy scan 12
    """
    from seoulrec.decide.privacy import LIMITS_NOTE
    from seoulrec.config import load_config
    from seoulrec.decide.privacy import masker_from_config
    from seoulrec.decide.privacy import scan_catalog

    fmt = output_format(as_json, as_csv, as_tsv)
    masker = masker_from_config(load_config())
    cat = open_catalog(catalog, readonly=True)
    result = scan_catalog(cat, masker, record_id)
    rows = [
        [
            r["id"],
            r["document_number"],
            r["findings"],
            ", ".join(e["masked"] for e in r["examples"]),
        ]
        for r in result["records"]
    ]
    if fmt is not Format.table:
        listing(
            fmt,
            "",
            ["id", "document number", "findings", "examples (masked)"],
            rows,
            document=result,
        )
        return
    table(
        "personal data found",
        ["kind", "count"],
        [[k, v] for k, v in sorted(result["totals"].items())],
    )
    table("records", ["id", "document number", "findings", "examples (masked)"], rows)
    info(LIMITS_NOTE, style="dim")
