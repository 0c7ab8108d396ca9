"""A project folder: the catalog and the commented ``seoulrec.toml`` next to it, made in one
place (``seoulrec init`` and ``seoulrec demo`` both use it)."""

from __future__ import annotations

import os
from pathlib import Path

from .catalog import Catalog
from .config import CONFIG_NAME, CONFIG_TEMPLATE, ENV_CATALOG, catalog_location, load_config
from .pg import is_url, redact, without_password


def init_project(folder: Path, catalog: "Path | str | None" = None) -> dict:
    """Create (or find) the catalog and write ``seoulrec.toml`` if there is none. The catalog is
    looked up as every command does: ``catalog``, else ``$SEOULREC_CATALOG``, else the path an
    existing ``seoulrec.toml`` names, else ``seoulrec.db`` in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if catalog is None:
        env = os.environ.get(ENV_CATALOG)
        existing = load_config(folder / CONFIG_NAME) if (folder / CONFIG_NAME).is_file() else None
        catalog = (
            catalog_location(env)
            if env
            else (
                existing.catalog_path()
                if existing and existing.catalog_path()
                else Path("seoulrec.db")
            )
        )
    assert catalog is not None
    if is_url(catalog):
        return _init_database(folder, str(catalog))
    catalog = Path(catalog)
    catalog_path = catalog if catalog.is_absolute() else (folder / catalog)
    created = not catalog_path.exists()
    cat = Catalog.create(catalog_path)
    version = cat.schema_version()
    cat.close()
    config_path = folder / CONFIG_NAME
    wrote_config = False
    if not config_path.exists():
        resolved = catalog_path.resolve()
        rel = (
            resolved.relative_to(folder.resolve())
            if resolved.is_relative_to(folder.resolve())
            else resolved
        )
        config_path.write_text(CONFIG_TEMPLATE.format(catalog=rel.as_posix()), "utf-8")
        wrote_config = True
    return {
        "catalog": str(catalog_path),
        "created": created,
        "schema_version": version,
        "config": str(config_path),
        "config_written": wrote_config,
    }


def _init_database(folder: Path, url: str) -> dict:
    """A PostgreSQL catalog: the schema in an existing database; seoulrec.toml names the URL
    without its password (libpq reads PGPASSWORD or ~/.pgpass)."""
    from .pg import PgDatabase, connect

    probe = PgDatabase(connect(url))
    created = "meta" not in probe.table_names()
    probe.raw.close()
    cat = Catalog.create(url)
    version = cat.schema_version()
    cat.close()
    config_path = folder / CONFIG_NAME
    wrote_config = False
    if not config_path.exists():
        config_path.write_text(CONFIG_TEMPLATE.format(catalog=without_password(url)), "utf-8")
        wrote_config = True
    return {
        "catalog": redact(url),
        "created": created,
        "schema_version": version,
        "config": str(config_path),
        "config_written": wrote_config,
    }
