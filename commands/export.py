"""``seoulrec export index``: the publishable index, full or incremental, written atomically."""

from pathlib import Path
from typing import Optional

import typer

from seoulrec.errors import UsageError

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
    summary,
)

export_app = typer.Typer(
    help="Export what is public.\n\nExample: seoulrec export index --format seoul-csv --out site/index --since last",
    no_args_is_help=True,
)


OutOption = typer.Option(
    ...,
    "--out",
    "-o",
    help="Destination folder: new, empty, or made by seoulrec (replaced atomically; missing parents are created).",
)
ForceOption = typer.Option(
    False,
    "--force",
    help="Replace a non-empty folder seoulrec did not make (never /, your home, or the catalog's folder).",
)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")


@export_app.command("index")
def index(
    fmt: str = typer.Option(
        ...,
        "--format",
        "-f",
        help="seoul-csv, jsonl, atom or sitemap (see `seoulrec export formats`).",
    ),
    out: Path = OutOption,
    since: Optional[str] = typer.Option(
        None,
        "--since",
        help="'last': rewrite only the months that changed since the state the folder holds.",
    ),
    force: bool = ForceOption,
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Write the publishable index with one exporter; every run writes manifest.json.

    Only public fields leave: withheld records appear with metadata, class, grounds, reason and
    release date, never their text; titles are masked. seoul-csv and jsonl write one folder per
    production month under parts/ plus partitions.json: the folder always holds the complete
    index. With --since last only the months that changed are rewritten, and the changed rows
    and tombstones are also published under changes/ for mirrors. A full export of the same
    catalog state is byte-for-byte the same. Run `seoulrec disclose apply` first.

    Example: seoulrec export index --format jsonl --out public/jsonl --since last --json
    """
    from seoulrec.run.pipeline import configured_inboxes
    from seoulrec.config import load_config
    from seoulrec.decide.privacy import masker_from_config
    from seoulrec.publish.export import run_export

    if since not in (None, "last"):
        raise UsageError(f"--since takes 'last', not {since!r}")
    config = load_config()
    masker = masker_from_config(config)
    cat = open_catalog(catalog)
    result = run_export(
        cat,
        fmt,
        out,
        since == "last",
        config.section("export"),
        masker,
        force=force,
        protected=[config.path] if config.path else [],
        inboxes=configured_inboxes(config),
    )
    for note in result["notes"]:
        info(f"note: {note}", style="yellow")
    if as_json:
        emit_json(result)
        return
    manifest = result["manifest"]
    counts = manifest["counts"]
    summary(
        f"export {fmt} ({manifest['kind']}) → {result['destination']}",
        ["rows", "tombstones", "files"],
        [[counts.get("rows"), counts.get("tombstones"), len(manifest["files"]) + 1]],
    )


@export_app.command("formats")
def formats(as_json: bool = JsonOption, as_csv: bool = CsvOption, as_tsv: bool = TsvOption):
    """List the export formats (built-in and plugins).

    Example: seoulrec export formats
    """
    from seoulrec.plugins import exporters

    plugins = exporters.all()
    fmt = output_format(as_json, as_csv, as_tsv)
    document = [
        {
            "name": n,
            "description": c.description,
            "incremental": c.incremental,
            "partitioned": c.partitioned,
        }
        for n, c in sorted(plugins.items())
    ]
    rows = [
        [
            d["name"],
            "yes" if d["incremental"] else "always full",
            "by month" if d["partitioned"] else "one folder",
            d["description"],
        ]
        for d in document
    ]
    listing(
        fmt,
        "export formats",
        ["name", "incremental", "layout", "description"],
        rows,
        document=document,
    )
    if fmt is Format.table:
        info("Example: seoulrec export index --format seoul-csv --out public/index")


@export_app.command("site")
def site(
    out: Path = OutOption,
    force: bool = ForceOption,
    search: bool = typer.Option(
        True,
        "--search/--no-search",
        help="Build the search index (words and the Kiwi morphemes inside them; seoulrec's own static index).",
    ),
    since: Optional[str] = typer.Option(
        None,
        "--since",
        help="'last': reuse the pages of records unchanged since the site in DIR was built.",
    ),
    bag: bool = typer.Option(
        False,
        "--bag",
        help="Write the bundle as a BagIt bag for transfer (the site under DIR/data/).",
    ),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Build the static portal: a Korean site with a page per record, browse pages by field,
    department, organ, month and type, statistics, and search that finds words inside
    compounds. Only what the last `disclose apply` made public is shown.

    Serve it with any web server, e.g. python -m http.server -d public/site

    With --since last, pages of records whose decision has not changed are kept from the
    previous build; the result equals a full build.

    Example: seoulrec export site --out public/site --since last
    """
    from seoulrec.run.pipeline import configured_inboxes
    from seoulrec.config import load_config
    from seoulrec.decide.privacy import masker_from_config
    from seoulrec.publish.site import build_site

    if since not in (None, "last"):
        raise UsageError(f"--since takes 'last', not {since!r}")
    config = load_config()
    masker = masker_from_config(config)
    cat = open_catalog(catalog)
    result = build_site(
        cat,
        out,
        config.section("export"),
        masker,
        force=force,
        protected=[config.path] if config.path else [],
        inboxes=configured_inboxes(config),
        search=search,
        since_last=since == "last" and not bag,
        bag=bag,
    )
    if as_json:
        emit_json(result.to_dict())
        return
    summary(
        f"site → {result.destination}",
        [
            "records",
            "pages",
            "reused",
            "originals published",
            "withheld",
            "search files",
            "seconds",
        ],
        [
            [
                result.records,
                result.pages,
                result.reused,
                result.published,
                result.withheld,
                result.search.get("files", 0),
                result.seconds,
            ]
        ],
    )
    info(
        f"View it: python -m http.server -d {result.destination} 8000  (then open http://localhost:8000/)"
    )
