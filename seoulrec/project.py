"""A project folder: the catalog and the commented ``seoulrec.toml`` next to it, made in one
place (``seoulrec init`` and ``seoulrec demo`` both use it)."""

from __future__ import annotations

import os
from pathlib import Path

from .catalog import Catalog
from .config import CONFIG_NAME, CONFIG_TEMPLATE, ENV_CATALOG, load_config


def init_project(folder: Path, catalog: Path | None = None) -> dict:
    """Create (or find) the catalog and write ``seoulrec.toml`` if there is none. The catalog is
    looked up as every command does: ``catalog``, else ``$SEOULREC_CATALOG``, else the path an
    existing ``seoulrec.toml`` names, else ``seoulrec.db`` in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if catalog is None:
        env = os.environ.get(ENV_CATALOG)
        existing = load_config(folder / CONFIG_NAME) if (folder / CONFIG_NAME).is_file() else None
        catalog = (
            Path(env)
            if env
            else (
                existing.catalog_path()
                if existing and existing.catalog_path()
                else Path("seoulrec.db")
            )
        )
    assert catalog is not None
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
