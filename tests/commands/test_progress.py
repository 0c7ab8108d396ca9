"""Long work shows a progress bar on a terminal (stderr) and nothing when stderr is piped."""

import io
import re

import pytest
from rich.console import Console

from seoulrec.commands import console as console_module
from seoulrec.run.demo import DemoDoc, write_package


@pytest.fixture
def filled(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    for n in range(1, 4):
        write_package(src / f"p{n}", DemoDoc(number=n, title=f"업무 협조 요청 {n}"), {})
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, src).exit_code == 0
    return catalog_path


@pytest.fixture
def terminal(monkeypatch):
    """stderr as a terminal: what the bars draw lands in the buffer."""
    buffer = io.StringIO()
    monkeypatch.setitem(
        console_module._CONSOLES, "err", Console(file=buffer, force_terminal=True, width=120)
    )
    return buffer


@pytest.mark.parametrize(
    "command, label",
    [(["classify", "run"], "classify"), (["disclose", "apply"], "disclose")],
)
def test_a_bar_on_a_terminal(cli, filled, terminal, command, label):
    result = cli(*command, "--catalog", filled)
    assert result.exit_code == 0, result.output
    drawn = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal.getvalue())  # colours, cursor
    assert f"{label} " in drawn and "━" in drawn and "3/? records" in drawn, drawn


@pytest.mark.parametrize("command", [["classify", "run"], ["disclose", "apply"]])
def test_nothing_when_stderr_is_piped(cli, filled, command):
    result = cli(*command, "--catalog", filled)
    assert result.exit_code == 0
    assert (
        "━" not in result.stderr
        and "\x1b" not in result.stderr
        and "/? records" not in result.stderr
    )
