from __future__ import annotations

from pathlib import Path

import pytest
from seoulrec.commands.main import app
from typer.testing import CliRunner

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"


def corpus_file(relative: str) -> Path:
    """A real document from ../shared/corpus, or skip with the reason."""
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"real corpus file {path} is absent (../shared is not checked out here)")
    return path


def cli_json(cli, *args):
    """Run a command with --json through the CLI fixture; assert success; return the document."""
    import json

    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Tests never touch the user's home, config or catalog."""
    monkeypatch.delenv("SEOULREC_CATALOG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SEOULREC_ACTOR", "test")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def catalog_path(tmp_path, cli):
    path = tmp_path / "work" / "catalog.db"
    result = cli("init", "--catalog", path)
    assert result.exit_code == 0, result.output
    return path


#: The PostgreSQL server the PostgreSQL catalog tests use (a URL whose role may create
#: databases); `.ci/run` starts one on loopback with `.ci/postgres.sh` and sets it.
PG_ENV = "SEOULREC_TEST_PG"


def _pg_admin_url() -> str:
    import os

    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(
            f"{PG_ENV} is not set: no PostgreSQL server for the PostgreSQL catalog tests "
            "(start one with `.ci/postgres.sh` and export the URL it prints)"
        )
    return url


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    admin_url = _pg_admin_url()
    name = f"seoulrec_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    yield url
    import time

    with psycopg.connect(admin_url, autocommit=True) as admin:
        for _attempt in range(10):  # a session of the server's own (autovacuum) may linger
            try:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except psycopg.errors.InsufficientPrivilege:
                time.sleep(0.5)


BACKENDS = ["sqlite", "postgresql"]


def init_catalog(request, tmp_path, cli):
    """An initialised catalog on the backend ``request.param``: an SQLite file (a Path, as the
    ``catalog_path`` fixture gives), or a fresh PostgreSQL database (its URL)."""
    if request.param == "sqlite":
        location = tmp_path / "work" / "catalog.db"
    else:
        location = request.getfixturevalue("pg_url")
    result = cli("init", "--catalog", location)  # and seoulrec.toml here, as `catalog_path`
    assert result.exit_code == 0, result.output
    return location


@pytest.fixture(params=BACKENDS)
def any_catalog(request, tmp_path, cli) -> str:
    """An initialised catalog on each backend: an SQLite file, then a PostgreSQL database."""
    return str(init_catalog(request, tmp_path, cli))


def open_db(location, timeout: float = 30):
    """A connection to a catalog for a test's own queries (SQLite's dialect, ``?`` parameters)
    on either backend."""
    import sqlite3

    from seoulrec.store.catalog import is_url
    from seoulrec.store.pg import PgDatabase, connect

    if is_url(location):
        return PgDatabase(connect(location))
    return sqlite3.connect(location, timeout=timeout)


#: The longest tests (minutes each, measured with --durations): started first, so that on two
#: cores (pytest-xdist, -n 2 --dist worksteal: the idle worker takes queued tests from the busy
#: one) the rest of the suite runs beside them instead of after them.
LONGEST_FIRST = (
    "test_twenty_kills_in_each_stage_lose_nothing",
    "test_nothing_that_is_not_public_leaves_in_any_output",
    "test_archivists_decide_while_the_nightly_job_and_ingests_run",
)


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        name = item.name.split("[", 1)[0]
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: everything else keeps its order
