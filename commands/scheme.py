"""``seoulrec scheme show|validate|import``: the classification scheme (표준분류체계)."""

from pathlib import Path
from typing import Optional

import typer


from .console import (
    MAX_ID,
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

scheme_app = typer.Typer(
    help="Show, validate and import the classification scheme.\n\nExample: seoulrec scheme import agency_scheme.yaml",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(scheme_app, name="scheme")


@scheme_app.command("show")
def show(
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """Show the catalog's current scheme (the shipped portal fields until one is imported).

    Example: seoulrec scheme show --json
    """
    from seoulrec.decide.classify import current_scheme

    cat = open_catalog(catalog)
    version, scheme = current_scheme(cat)
    rows = [[c.code, c.name, c.parent, c.description] for c in scheme.categories.values()]
    listing(
        output_format(as_json, as_csv, as_tsv),
        f"scheme {scheme.name} (version {version})",
        ["code", "name", "parent", "description"],
        rows,
        document={"version": version, "name": scheme.name, "categories": scheme.to_rows()},
    )


@scheme_app.command("validate")
def validate(
    file: Path = typer.Argument(
        ..., help="Scheme file: CSV, JSON or YAML with code, name, parent."
    ),
    as_json: bool = JsonOption,
):
    """Check a scheme file: unique codes, existing parents, no cycles (errors name the line).

    Example: seoulrec scheme validate agency_scheme.csv
    """
    from seoulrec.decide.classify import load_scheme_file

    scheme = load_scheme_file(file)
    if as_json:
        emit_json({"valid": True, "name": scheme.name, "categories": len(scheme.categories)})
        return
    info(f"{file}: valid, {len(scheme.categories)} categories")


@scheme_app.command("import")
def import_(
    file: Path = typer.Argument(..., help="Scheme file: CSV, JSON or YAML."),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Import a scheme as the new current version; earlier classifications keep their version.

    Example: seoulrec scheme import agency_scheme.yaml
    """
    from seoulrec.decide.classify import import_scheme
    from seoulrec.decide.classify import load_scheme_file

    scheme = load_scheme_file(file)
    cat = open_catalog(catalog)
    version = import_scheme(cat, scheme)
    if as_json:
        emit_json({"version": version, "name": scheme.name, "categories": len(scheme.categories)})
        return
    info(
        f"Imported {scheme.name} as scheme version {version} ({len(scheme.categories)} categories)"
    )


@scheme_app.command("versions")
def versions(
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """Every scheme version the catalog holds, with its categories and classified records.

    Example: seoulrec scheme versions
    """
    from seoulrec.decide.classify import scheme_versions

    cat = open_catalog(catalog, readonly=True)
    found = scheme_versions(cat)
    rows = [
        [
            v["version"],
            v["name"],
            v["current"],
            v["categories"],
            v["records"],
            v["imported"],
            v["source"],
        ]
        for v in found
    ]
    listing(
        output_format(as_json, as_csv, as_tsv),
        "scheme versions",
        ["version", "name", "current", "categories", "records", "imported", "source"],
        rows,
        document=found,
    )


@scheme_app.command("use")
def use(
    version: int = typer.Argument(
        ..., min=1, max=MAX_ID, help="A version from `seoulrec scheme versions`."
    ),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Make a scheme version current again (e.g. after importing one that lacks categories the
    keyword rules or the trained model use); existing classifications keep their version.

    Example: seoulrec scheme use 1
    """
    from seoulrec.decide.classify import use_scheme

    cat = open_catalog(catalog)
    result = use_scheme(cat, version)
    if as_json:
        emit_json(result)
        return
    info(f"Scheme version {version} is current; run `seoulrec classify run` to classify under it")
