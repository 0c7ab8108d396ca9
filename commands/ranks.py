"""``seoulrec ranks show|unresolved``: the rank ladder (직위 → approval level) and the positions
it does not resolve."""

from typing import Optional

import typer


from .console import (
    CatalogOption,
    CsvOption,
    Format,
    JsonOption,
    TsvOption,
    info,
    listing,
    open_catalog,
    output_format,
)

ranks_app = typer.Typer(
    help="The rank ladder and the positions it does not resolve.\n\nExample: seoulrec ranks unresolved",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(ranks_app, name="ranks")


@ranks_app.command("show")
def show(as_json: bool = JsonOption, as_csv: bool = CsvOption, as_tsv: bool = TsvOption):
    """The ladder in force: shipped defaults with the [ranks] of seoulrec.toml on top, highest
    level first. A position resolves by its longest matching suffix; anything else is unresolved.

    Example: seoulrec ranks show --json
    """
    from seoulrec.model import LEVEL_ORDER
    from seoulrec.decide.ranks import Ladder
    from seoulrec.config import load_config

    ladder = Ladder.default(load_config().section("ranks") or None)
    by_level: dict[str, list[str]] = {level: [] for level in LEVEL_ORDER if level != "unresolved"}
    for suffix, level in ladder.suffixes:
        by_level.setdefault(level, []).append(suffix)
    by_level = {level: sorted(suffixes) for level, suffixes in by_level.items()}
    listing(
        output_format(as_json, as_csv, as_tsv),
        "rank ladder (longest suffix wins)",
        ["level", "position suffixes"],
        [[level, ", ".join(s)] for level, s in by_level.items()],
        document=by_level,
    )


@ranks_app.command("unresolved")
def unresolved(
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """Positions that decide a current record but match no rung of the ladder, with counts and
    example document numbers. Their documents are never published until resolved.

    Example: seoulrec ranks unresolved --json
    """
    from seoulrec.decide.ranks import unresolved_positions

    cat = open_catalog(catalog, readonly=True)
    found = unresolved_positions(cat)
    fmt = output_format(as_json, as_csv, as_tsv)
    listing(
        fmt,
        f"{sum(f['count'] for f in found)} records with an unresolved deciding position",
        ["position", "records", "examples"],
        [[f["position"], f["count"], f["examples"]] for f in found],
        document=found,
    )
    if found and fmt is Format.table:
        info(
            'Resolve one under [ranks] in seoulrec.toml (e.g. director = ["국장", "특별보좌관"]), then run `seoulrec records relevel` and `seoulrec disclose apply`.'
        )
