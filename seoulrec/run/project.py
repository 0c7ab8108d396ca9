"""A project folder: the catalog and the commented ``seoulrec.toml`` next to it, made in one
place (``seoulrec init`` and ``seoulrec demo`` both use it)."""

from __future__ import annotations

import os
from pathlib import Path

from seoulrec.store.catalog import Catalog
from seoulrec.config import CONFIG_NAME, CONFIG_TEMPLATE, ENV_CATALOG, catalog_location, load_config
from seoulrec.store.catalog import is_url
from seoulrec.store.pg import redact, without_password


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
        # A PostgreSQL catalog: the schema in an existing database; seoulrec.toml names the URL
        # without its password (libpq reads PGPASSWORD or ~/.pgpass).
        from seoulrec.store.pg import PgDatabase, connect

        url = str(catalog)
        probe = PgDatabase(connect(url))
        created = "meta" not in probe.table_names()
        probe.close()
        location: "Path | str" = url
        shown, written = redact(url), without_password(url)
    else:
        path = Path(catalog)
        location = path if path.is_absolute() else (folder / path)
        created = not location.exists()
        resolved = location.resolve()
        if resolved.is_relative_to(folder.resolve()):
            resolved = resolved.relative_to(folder.resolve())
        shown, written = str(location), resolved.as_posix()
    cat = Catalog.create(location)
    version = cat.schema_version()
    cat.close()
    config_path = folder / CONFIG_NAME
    wrote_config = False
    if not config_path.exists():
        config_path.write_text(CONFIG_TEMPLATE.format(catalog=written), "utf-8")
        wrote_config = True
    return {
        "catalog": shown,
        "created": created,
        "schema_version": version,
        "config": str(config_path),
        "config_written": wrote_config,
    }
