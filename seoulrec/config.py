"""``seoulrec.toml``: where the catalog is and the agency's overrides of shipped defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from seoulrec.errors import CatalogNotFound, ConfigError

CONFIG_NAME = "seoulrec.toml"
ENV_CATALOG = "SEOULREC_CATALOG"

CONFIG_TEMPLATE = """\
# seoulrec configuration. Every command run in this folder reads it.
# Values here override the defaults shipped with seoulrec.

[catalog]
# The catalog: an SQLite file (relative to this file), or a postgresql://USER@HOST/DB URL
# (its password from PGPASSWORD or ~/.pgpass, never written here).
path = "{catalog}"

[ingest]
# Worker processes for extraction (0 = one per CPU core).
jobs = 0
# Per-file time limit in seconds and memory limit in MiB for a worker.
timeout = 60
memory_mb = 2048
# How publication@code flags are numbered by your e-approval system: 1 (standard) or 0.
publication_flag_base = 1
# Where items are read: "local" (a process pool here) or "dask" (a Dask cluster; workers
# read the inputs from shared storage at the same paths), e.g.:
# executor = "dask"
# scheduler = "tcp://10.0.0.5:8786"

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

    def catalog_path(self) -> "Path | str | None":
        """The catalog ``[catalog] path`` names: a file relative to this file, or a
        ``postgresql://`` URL as it is."""
        path = self.section("catalog").get("path")
        return catalog_location(path, self.folder) if path else None


# -- one schema for the whole file, checked at load -------------------------------------------

LEVELS = ("mayor", "vice_mayor", "office_head", "director", "division_head", "team_lead", "staff")
CLASSES = ("public", "partial", "non_public")
MAX_JOBS = 256


def _int(lo: int, hi: int):
    def check(value) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"a whole number from {lo} to {hi}"
        return None if lo <= value <= hi else f"a whole number from {lo} to {hi}"

    return check


def _number(lo: float, hi: float):
    def check(value) -> str | None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and lo < value <= hi
        return None if ok else f"a number above {lo:g} and at most {hi:g}"

    return check


def _str(value) -> str | None:
    return None if isinstance(value, str) else "text in quotes"


def _http_url(value) -> str | None:
    """An address published in every row: http(s) only (never javascript:, data:, file:)."""
    if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
        if not any(c in value for c in "\"'<> \t\r\n\\"):
            return None
    return 'an http:// or https:// address, e.g. "https://opengov.seoul.go.kr/sanction/"'


def _bool(value) -> str | None:
    return None if isinstance(value, bool) else "true or false"


def _one_of(*choices):
    def check(value) -> str | None:
        return None if value in choices else "one of " + ", ".join(repr(c) for c in choices)

    return check


def _list_of(item):
    def check(value) -> str | None:
        if not isinstance(value, list) or any(item(v) for v in value):
            return f"a list of {item(object()) or 'values'}"
        return None

    return check


def _map_of(item):
    def check(value) -> str | None:
        if not isinstance(value, dict) or any(item(v) for v in value.values()):
            return f"a table of names to {item(object()) or 'values'}"
        return None

    return check


def _thresholds(value) -> str | None:
    ok = isinstance(value, list) and all(
        isinstance(t, dict) and set(t) == {"from", "level"} and t["level"] in LEVELS for t in value
    )
    return None if ok else "a list of {from = DATE, level = LEVEL} tables"


def _inboxes(value) -> str | None:
    ok = isinstance(value, list) and all(
        isinstance(t, dict)
        and isinstance(t.get("path"), str)
        and set(t) <= {"path", "organ", "organ_code"}
        and all(isinstance(t.get(k, ""), str) for k in ("organ", "organ_code"))
        for t in value
    )
    return None if ok else 'a list of {path = "...", organ = "...", organ_code = "..."} tables'


#: section -> key -> check; a check returns None or what was expected.
SCHEMA: dict[str, dict] = {
    "catalog": {"path": _str},
    "ingest": {
        "jobs": _int(0, MAX_JOBS),
        "timeout": _number(0, 86400),
        "memory_mb": _int(0, 1 << 22),
        "max_file_mb": _int(1, 1 << 20),
        "max_text_mb": _int(1, 1 << 14),
        "publication_flag_base": _int(0, 1),
        "kinds": _map_of(_str),
        "ignore": _list_of(_str),
        "wait": _number(-1, 86400),
        "executor": _one_of("local", "dask"),
        "scheduler": _str,
    },
    "ranks": {level: _list_of(_str) for level in LEVELS},
    "disclosure": {
        "name": _str,
        "thresholds": _thresholds,
        "hold_days": {level: _int(0, 3650) for level in LEVELS},
        "originals": {"classes": _list_of(_one_of("public", "partial"))},
        "masking": {
            "office_phone": _bool,
            "office_email": _bool,
            "business_number": _bool,
            "names": _bool,
            "office_phone_prefixes": _list_of(_str),
            "office_email_domains": _list_of(_str),
        },
        "review": {"rereview_years": _int(1, 100), "open_after_years": _int(1, 100)},
        "materials": _map_of(_one_of(*CLASSES)),
    },
    "classify": {
        "pipeline": _list_of(_str),
        "threshold": _number(0, 1),
        "unit_task_threshold": _number(0, 1),
        "unit_task_map": _str,
        "department_map": _str,
        "keyword_rules": _str,
        "features": _one_of("morph", "char+stem"),
        "*": lambda value: None,  # classifier plugins read their own keys here
    },
    "export": {"base_url": _http_url, "licence": _str},
    "nightly": {
        "out": _str,
        "inboxes": _inboxes,
        "exports": _list_of(_str),
        "site": _bool,
        "meetings": _str,
        "prepublication": _str,
        "prepublication_links": _str,
    },
}


def validate_config(data: dict, where: str) -> None:
    """Check every key of ``seoulrec.toml`` against ``SCHEMA``; the error names the key, the
    value and what is expected."""

    def walk(value, schema, path: str) -> None:
        if isinstance(schema, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: [{path}] must be a table, not {value!r}")
            for key, item in value.items():
                if key not in schema and "*" not in schema:
                    known = ", ".join(sorted(schema))
                    raise ConfigError(
                        f"{where}: unknown key {path + '.' if path else ''}{key}; known here: {known}"
                    )
                walk(item, schema.get(key, schema.get("*")), f"{path}.{key}" if path else key)
            return
        expected = schema(value)
        if expected:
            raise ConfigError(f"{where}: {path} = {value!r} is invalid; expected {expected}")

    walk(data, SCHEMA, "")


def load_config(path: Path | None = None) -> Config:
    """Read ``seoulrec.toml`` from ``path`` or the current folder; an absent file is an empty config."""
    candidate = path or (Path.cwd() / CONFIG_NAME)
    if not candidate.is_file():
        if path is not None:
            raise ConfigError(f"config file {path} does not exist")
        return Config()
    import tomllib  # here, not at the top: `seoulrec --help` never reads a config (issue 24)

    try:
        data = tomllib.loads(candidate.read_text("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{candidate}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{candidate}: invalid TOML ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{candidate}: nested too deeply to be a seoulrec.toml") from None
    try:
        validate_config(data, str(candidate))
    except RecursionError:
        raise ConfigError(f"{candidate}: nested too deeply to be a seoulrec.toml") from None
    return Config(candidate.resolve(), data)


def catalog_location(value: "str | Path", folder: Path | None = None) -> "Path | str":
    """A catalog as given: a ``postgresql://`` URL stays text; anything else is a file (relative
    to ``folder`` when one is given)."""
    from seoulrec.store.catalog import is_url

    if is_url(value):
        return str(value)
    path = Path(value)
    return folder / path if folder is not None and not path.is_absolute() else path


def resolve_catalog(option: "str | Path | None", config: Config) -> "Path | str":
    """--catalog, else $SEOULREC_CATALOG, else seoulrec.toml in the current folder. A file, or
    a ``postgresql://`` URL."""
    if option:
        return catalog_location(option)
    env = os.environ.get(ENV_CATALOG)
    if env:
        return catalog_location(env)
    from_config = config.catalog_path()
    if from_config:
        return from_config
    raise CatalogNotFound(
        "no catalog given: pass --catalog PATH, set SEOULREC_CATALOG, or run `seoulrec init` here"
    )
