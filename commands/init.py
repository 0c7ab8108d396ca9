"""``seoulrec init``: create a catalog and a commented seoulrec.toml."""

from __future__ import annotations

from pathlib import Path

import typer

from seoulrec.catalog import Catalog
import os

from seoulrec.config import CONFIG_NAME, CONFIG_TEMPLATE, ENV_CATALOG, load_config

from .console import emit_json, info, JsonOption


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    catalog: Path = typer.Option(None, "--catalog", "-c", help="Catalog file to create (default: $SEOULREC_CATALOG, else the one seoulrec.toml names, else seoulrec.db).", show_default=False),
    folder: Path = typer.Option(Path("."), "--folder", help="Folder for seoulrec.toml."),
    as_json: bool = JsonOption,
):
    """Create an SQLite catalog and a commented seoulrec.toml (safe to re-run).

    The catalog is found as every other command finds it: --catalog, else $SEOULREC_CATALOG,
    else the path in an existing seoulrec.toml, else seoulrec.db. A file that is not a seoulrec
    catalog (another application's database, a text file) is refused and left untouched.

    Example: seoulrec init --catalog archive.db
    """
    folder.mkdir(parents=True, exist_ok=True)
    if catalog is None:
        env = os.environ.get(ENV_CATALOG)
        existing = load_config(folder / CONFIG_NAME) if (folder / CONFIG_NAME).is_file() else None
        catalog = Path(env) if env else (existing.catalog_path() if existing and existing.catalog_path() else Path("seoulrec.db"))
    catalog_path = catalog if catalog.is_absolute() else (folder / catalog)
    created = not catalog_path.exists()
    cat = Catalog.create(catalog_path)
    version = cat.schema_version()
    cat.close()
    config_path = folder / CONFIG_NAME
    wrote_config = False
    if not config_path.exists():
        rel = catalog_path.resolve().relative_to(folder.resolve()) if catalog_path.resolve().is_relative_to(folder.resolve()) else catalog_path.resolve()
        config_path.write_text(CONFIG_TEMPLATE.format(catalog=rel.as_posix()), "utf-8")
        wrote_config = True
    if as_json:
        emit_json({"catalog": str(catalog_path), "created": created, "schema_version": version, "config": str(config_path), "config_written": wrote_config})
        return
    info(f"{'Created' if created else 'Found'} catalog {catalog_path} (schema version {version})")
    info(f"{'Wrote' if wrote_config else 'Kept'} {config_path}")
