"""``seoulrec init``: create a catalog and a commented seoulrec.toml."""

from pathlib import Path

import typer


from .console import emit_json, info, JsonOption


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    catalog: str = typer.Option(
        None,
        "--catalog",
        "-c",
        help="Catalog file to create, or a postgresql://USER@HOST/DB URL of an existing database to create the schema in "
        "(default: $SEOULREC_CATALOG, else the one seoulrec.toml names, else seoulrec.db).",
        show_default=False,
    ),
    folder: Path = typer.Option(Path("."), "--folder", help="Folder for seoulrec.toml."),
    as_json: bool = JsonOption,
):
    """Create a catalog (an SQLite file, or the schema in an existing PostgreSQL database) and a
    commented seoulrec.toml (safe to re-run).

    The catalog is found as every other command finds it: --catalog, else $SEOULREC_CATALOG,
    else the path in an existing seoulrec.toml, else seoulrec.db. A file that is not a seoulrec
    catalog (another application's database, a text file) is refused and left untouched.

    Example: seoulrec init --catalog archive.db

    Example: seoulrec init --catalog postgresql://records@db.example/seoulrec
    """
    from seoulrec.run.project import init_project

    result = init_project(folder, catalog)
    if as_json:
        emit_json(result)
        return
    info(
        f"{'Created' if result['created'] else 'Found'} catalog {result['catalog']} (schema version {result['schema_version']})"
    )
    info(f"{'Wrote' if result['config_written'] else 'Kept'} {result['config']}")
