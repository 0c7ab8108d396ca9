"""Start-up (issue 24): `seoulrec --help` and `seoulrec status` import what typer needs and
little else: none of numpy, scikit-learn, lxml, Kiwi, Jinja, pydantic or sqlite-utils before a
command needs them. Times are measured in benchmarks/bench_limits.py; here, what is imported."""

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "sklearn", "scipy", "lxml", "kiwipiepy", "jinja2", "pydantic", "sqlite_utils")

PROBE = """
import json, sys
sys.argv = ["seoulrec", *json.loads(sys.argv[1])]
from seoulrec.commands.main import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""


def imported(args: list[str], cwd) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    line = run.stderr.rsplit("MODULES ", 1)[1]
    return {name.split(".")[0] for name in json.loads(line)} | set(json.loads(line))


@pytest.mark.parametrize("args", [["--help"], ["status"], ["records", "list"], ["init", "--help"]])
def test_light_commands_import_nothing_heavy(args, catalog_path):
    modules = imported(args, catalog_path.parent)
    assert "typer" in modules and "seoulrec.commands.main" in modules
    assert not [m for m in HEAVY if m in modules], sorted(m for m in HEAVY if m in modules)
    # Piped output: the table is plain text, rich's console is not even imported.
    if args == ["status"]:
        assert "rich.console" not in modules
        # What stands is read without the decision engine or OpenSSL (seoulrec.decide.standing).
        assert "seoulrec.decide.standing" in modules
        assert not {"seoulrec.decide.policy", "seoulrec.decide.disclosure", "_hashlib"} & modules
        assert "seoulrec.store.schema" not in modules  # an up-to-date catalog: no migrations


def test_a_heavy_command_still_finds_what_it_needs(catalog_path, tmp_path):
    """Moving imports into functions must not break a command that needs them."""
    modules = imported(["classify", "eval", "--help"], catalog_path.parent)
    assert "typer" in modules
    src = tmp_path / "inbox"
    src.mkdir()
    (src / "a.xml").write_text("<not-pubdoc/>", encoding="utf-8")
    modules = imported(["ingest", "--json", str(src)], catalog_path.parent)
    assert "seoulrec.inputs.ingest" in modules


def test_piped_tables_are_plain_aligned_text(cli, catalog_path, monkeypatch):
    monkeypatch.chdir(catalog_path.parent)
    result = cli("status")
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and lines[0] == "seoulrec status"
    header, rule = lines[1], lines[2]
    assert header.split() == ["what", "state"] and set(rule.replace(" ", "")) == {"-"}
    assert "┃" not in result.stdout and "│" not in result.stdout
    second_column = rule.index(" -") + 1  # where the second column starts
    for line in lines[3:]:
        assert line[second_column - 2 : second_column] == "  ", line


def test_wide_characters_are_aligned_by_display_width():
    import io

    from commands.console import _plain

    buffer = io.StringIO()
    _plain(buffer, None, ["부서", "n"], [["도로관리과", 1], ["ab", 22]])
    first, _, a, b = buffer.getvalue().splitlines()
    # 도로관리과 is 10 columns wide: "n" starts at column 12 in every line.
    assert first == "부서" + " " * 6 + "  n"
    assert a == "도로관리과  1" and b == "ab" + " " * 8 + "  22"


def test_the_command_table_matches_the_commands_themselves():
    """`seoulrec --help` lists COMMANDS without building them: every command a module under
    commands/ registers is in the table, under that module, with its own one-line help."""
    import pkgutil

    import commands
    from commands.main import COMMANDS, commands_of
    from typer._click.utils import make_default_short_help

    registered = {}
    for info in pkgutil.iter_modules(commands.__path__):
        module = __import__(f"commands.{info.name}", fromlist=["register"])
        if hasattr(module, "register") and info.name != "main":
            for name, command in commands_of(info.name).items():
                registered[name] = (info.name, command)
    assert set(COMMANDS) == set(registered)
    for name, (module, text) in COMMANDS.items():
        assert registered[name][0] == module, name
        for limit in (30, 45, 74, 10**6):
            assert make_default_short_help(text, limit) == registered[name][1].get_short_help_str(
                limit
            ), (name, limit)


def test_help_builds_no_command_and_status_builds_one_module(catalog_path):
    own = {"seoulrec.commands", "seoulrec.commands.main", "seoulrec.commands.console"}
    modules = imported(["--help"], catalog_path.parent)
    assert {m for m in modules if m.startswith("seoulrec.commands")} == own
    modules = imported(["status"], catalog_path.parent)
    assert {m for m in modules if m.startswith("seoulrec.commands")} == own | {
        "seoulrec.commands.views"
    }
