"""``seoulrec.toml``: where the catalog is and the agency's overrides of shipped defaults."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CatalogNotFound, ConfigError

CONFIG_NAME = "seoulrec.toml"
ENV_CATALOG = "SEOULREC_CATALOG"

CONFIG_TEMPLATE = """\
# seoulrec configuration. Every command run in this folder reads it.
# Values here override the defaults shipped with seoulrec.

[catalog]
# The SQLite catalog file, relative to this file.
path = "{catalog}"

[ingest]
# Worker processes for extraction (0 = one per CPU core).
jobs = 0
# Per-file time limit in seconds and memory limit in MiB for a worker.
timeout = 60
memory_mb = 2048
# How publication@code flags are numbered by your e-approval system: 1 (standard) or 0.
publication_flag_base = 1

[ingest.kinds]
# Folder name -> unstructured material kind (비정형문서 종류), e.g.:
# "용역" = "용역자료"
# "회의" = "회의자료"

# [ranks]
# The rank ladder: approval level -> position suffixes (longest suffix wins).
# Uncomment a level to replace its shipped list (see `seoulrec ranks show`).
# division_head = ["과장", "담당관", "센터장", "소장"]
"""


@dataclass
class Config:
    path: Path | None = None
    data: dict = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def section(self, name: str) -> dict:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.path}: [{name}] must be a table")
        return value

    def catalog_path(self) -> Path | None:
        path = self.section("catalog").get("path")
        return (self.folder / path) if path else None


def load_config(path: Path | None = None) -> Config:
    """Read ``seoulrec.toml`` from ``path`` or the current folder; an absent file is an empty config."""
    candidate = path or (Path.cwd() / CONFIG_NAME)
    if not candidate.is_file():
        if path is not None:
            raise ConfigError(f"config file {path} does not exist")
        return Config()
    try:
        data = tomllib.loads(candidate.read_text("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{candidate}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{candidate}: invalid TOML ({exc})") from None
    return Config(candidate.resolve(), data)


def resolve_catalog(option: Path | None, config: Config) -> Path:
    """--catalog, else $SEOULREC_CATALOG, else seoulrec.toml in the current folder."""
    if option:
        return Path(option)
    env = os.environ.get(ENV_CATALOG)
    if env:
        return Path(env)
    from_config = config.catalog_path()
    if from_config:
        return from_config
    raise CatalogNotFound(
        "no catalog given: pass --catalog PATH, set SEOULREC_CATALOG, or run `seoulrec init` here"
    )
