"""Results on stdout in every format, current state in every view, no crash on odd text."""

import csv
import io
import json

import pytest

from seoulrec.run.demo import DemoDoc, write_package

from ..conftest import cli_json as j
from ..conftest import BACKENDS, init_catalog


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


TODAY = "2026-11-26"
LONG_TITLE = "소규모주택정비사업 추진실적 제출에 관한 전략주택공급과 협조 요청 알림 [/x] [bold]"


@pytest.fixture
def catalog(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    write_package(src / "p1", DemoDoc(number=1, title=LONG_TITLE), {})
    write_package(
        src / "p2", DemoDoc(number=2, title="공공자전거 대여소 확충", code="2NNNNYNNN"), {}
    )
    write_package(
        src / "p3", DemoDoc(number=3, title="팀장 전결", final_position="공공자전거팀장"), {}
    )
    (src / "m").mkdir()
    (src / "m" / "study.txt").write_text("교통 연구 용역 보고서\n본문", "utf-8")
    assert (
        cli(
            "ingest",
            "--catalog",
            catalog_path,
            "--jobs",
            1,
            src,
            "--kind",
            "용역자료",
            "--class",
            "public",
        ).exit_code
        == 0
    )
    j(cli, "classify", "run", "--catalog", catalog_path)
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    return catalog_path


LISTINGS = [
    ("records", "list"),
    ("classify", "review"),
    ("disclose", "check"),
    ("review", "queue"),
    ("review", "due"),
    ("export", "formats"),
    ("ranks", "show"),
    ("ranks", "unresolved"),
    ("scheme", "show"),
    ("scheme", "versions"),
    ("privacy", "scan"),
    ("batches",),
    ("failures",),
    ("audit",),
]


@pytest.mark.parametrize("command", LISTINGS, ids=lambda c: " ".join(c))
def test_every_listing_command_prints_csv_tsv_json_and_a_table_on_stdout(cli, catalog, command):
    extra = (
        [] if command[0] in ("export",) or command == ("ranks", "show") else ["--catalog", catalog]
    )
    parsed = json.loads(cli(*command, *extra, "--json").stdout)
    assert parsed is not None
    for flag, delimiter in (("--csv", ","), ("--tsv", "\t")):
        result = cli(*command, *extra, flag)
        assert result.exit_code == 0, result.output
        rows = list(csv.reader(io.StringIO(result.stdout), delimiter=delimiter))
        assert rows and all(len(r) == len(rows[0]) for r in rows), rows
    human = cli(*command, *extra)
    assert human.exit_code == 0 and human.stdout.strip()
    assert cli(*command, *extra, "--json", "--csv").exit_code == 2


def test_records_show_and_list_show_the_decision_classification_and_status_in_force(cli, catalog):
    j(
        cli,
        "disclose",
        "set",
        1,
        "--class",
        "non_public",
        "--grounds",
        6,
        "--reason",
        "개인정보",
        "--catalog",
        catalog,
        "--today",
        TODAY,
    )
    j(cli, "disclose", "apply", "--catalog", catalog, "--today", TODAY)
    shown = j(cli, "records", "show", 1, "--catalog", catalog)
    assert shown["schema"] == "seoulrec.record/2" and shown["disclosure_class"] == "non_public"
    assert (
        shown["decision"]["source"] == "manual"
        and not shown["decision"]["original_public"]
        and shown["ingested"]["disclosure_class"] == "public"
    )
    assert (
        shown["classification"]["status"] in ("auto", "needs_review")
        and shown["status"] == "current"
    )
    human = cli("records", "show", 1, "--catalog", catalog)
    assert "non_public (manual)" in human.stdout and "개인정보" in human.stdout
    j(cli, "records", "withdraw", 3, "--reason", "중복", "--catalog", catalog)
    withdrawn = j(cli, "records", "list", "--status", "withdrawn", "--catalog", catalog)
    assert [(r["id"], r["status"]) for r in withdrawn] == [(3, "withdrawn")]
    assert j(cli, "records", "show", 3, "--catalog", catalog)["status"] == "withdrawn"
    published = {r["id"] for r in j(cli, "records", "list", "--published", "--catalog", catalog)}
    withheld = {r["id"] for r in j(cli, "records", "list", "--withheld", "--catalog", catalog)}
    assert published == {2, 4} and withheld == {1}  # 부분공개 originals are published, masked
    assert [
        r["id"] for r in j(cli, "records", "list", "--kind", "material", "--catalog", catalog)
    ] == [4]
    assert [
        r["id"] for r in j(cli, "records", "list", "--class", "non_public", "--catalog", catalog)
    ] == [1]
    categories = {
        r["id"]: (r["classification"] or {}).get("category")
        for r in j(cli, "records", "list", "--catalog", catalog)
    }
    some = next((c for c in categories.values() if c), None)
    if some:
        assert {
            r["id"] for r in j(cli, "records", "list", "--category", some, "--catalog", catalog)
        } == {i for i, c in categories.items() if c == some}


def test_text_goes_to_stdout_and_piped_tables_never_wrap(cli, catalog):
    result = cli("records", "show", 1, "--text", "--catalog", catalog)
    assert "공공자전거 대여소를" in result.stdout
    listed = cli("records", "list", "--catalog", catalog).stdout
    assert LONG_TITLE in listed  # whole, on one line, markup-like text shown as it is
    assert "None" not in listed and "[]" not in listed
    grep = [line for line in listed.splitlines() if "자전거정책과-2" in line]
    assert len(grep) == 1 and "공공자전거 대여소 확충" in grep[0]


def test_markup_like_text_never_crashes(cli, catalog):
    for args in (
        ("records", "list"),
        ("records", "show", 1),
        ("disclose", "explain", 1, "--today", TODAY),
    ):
        result = cli(*args, "--catalog", catalog)
        assert result.exit_code == 0, result.output
        assert "[/x]" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("records", "list", "--limit", "99999999999999999999999"),
        ("records", "list", "--batch", "99999999999999999999999"),
        ("records", "show", "99999999999999999999999"),
    ],
)
def test_huge_numbers_are_usage_errors(cli, catalog, args):
    result = cli(*args, "--catalog", catalog)
    assert result.exit_code == 2 and "internal error" not in result.output


def test_consistent_names_and_checks(cli, catalog, tmp_path):
    assert cli("privacy", "scan", 9999, "--catalog", catalog).exit_code == 2
    assert cli("records", "list", "--from", "2020-13-45", "--catalog", catalog).exit_code == 2
    assert cli("review", "due", "--today", "2030-01-01", "--catalog", catalog).exit_code == 0
    assert (
        cli("review", "due", "--as-of", "2030-01-01", "--catalog", catalog).exit_code == 0
    )  # the old name still works
    assert cli("records", "withdraw", 3, "--reason", "중복", "--catalog", catalog).exit_code == 0
    again = cli("records", "withdraw", 3, "--reason", "중복", "--catalog", catalog)
    assert again.exit_code == 2 and "already withdrawn" in again.stderr
    for command in (
        ("records", "show", 9999),
        ("disclose", "explain", 9999),
        ("classify", "set", 9999, "TRA", "--reason", "r"),
        ("disclose", "set", 9999, "--class", "public"),
    ):
        assert cli(*command, "--catalog", catalog).exit_code == 2, command


def test_every_option_has_help_and_no_domain_references():
    from typer.main import get_command

    from seoulrec.commands.main import app

    def walk(command, path=()):
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, path + (name,))

    for path, command in walk(get_command(app)):
        assert "DOMAIN" not in (command.help or ""), path
        for param in command.params:
            if param.param_type_name == "option" and param.name not in ("help",):
                assert param.help, (path, param.name)
