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
