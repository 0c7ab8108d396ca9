import pytest

from seoulrec.errors import ConfigError
from seoulrec.model import Approval
from seoulrec.decide.ranks import Ladder, approval_level
from .conftest import BACKENDS, init_catalog


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


@pytest.mark.parametrize(
    "position,level",
    [
        ("서울특별시장", "mayor"),
        ("행정1부시장", "vice_mayor"),  # ends in 시장 too: longest suffix wins
        ("기획조정실장", "office_head"),
        ("소방재난본부장", "office_head"),
        ("도시계획국장", "director"),
        ("재정기획관", "director"),
        ("시민소통담당관", "division_head"),  # 담당관 beats 관
        ("전략주택공급과장", "division_head"),
        ("모아주택정책팀장", "team_lead"),
        ("주무관", "staff"),
        ("강남구청장", "mayor"),
        ("부구청장", "vice_mayor"),
        ("비서", "unresolved"),
        ("", "unresolved"),
    ],
)
def test_positions_resolve_by_longest_suffix(position, level):
    assert Ladder.default().level_of(position) == level


def test_unknown_position_is_never_guessed_upward():
    chain = [Approval(1, "주무관", "기안"), Approval(2, "특별보좌역", "결재", is_final=True)]
    assert approval_level(chain, Ladder.default()) == "unresolved"


def test_delegated_and_deputy_approvals():
    ladder = Ladder.default()
    jeongyeol = [
        Approval(1, "주무관", "기안"),
        Approval(2, "교통정책과장", "전결"),
        Approval(3, "도시교통실장", "후열", is_final=True),
    ]
    assert approval_level(jeongyeol, ladder) == "division_head"  # 전결 decides; 후열 never does
    daegyeol = [
        Approval(1, "주무관", "기안"),
        Approval(2, "모아주택정책팀장", "검토"),
        Approval(3, "전략주택공급과장", "대결", name="이재훈", is_final=True),
    ]
    assert approval_level(daegyeol, ladder) == "division_head"  # the absent authority's box


def test_ladder_is_data_and_editable():
    ladder = Ladder.default({"director": ["국장", "단장", "관", "특별보좌역"]})
    assert ladder.level_of("특별보좌역") == "director"
    with pytest.raises(ConfigError, match="unknown level"):
        Ladder.from_mapping({"emperor": ["황제"]})
    with pytest.raises(ConfigError, match="both"):
        Ladder.from_mapping({"director": ["관"], "staff": ["관"]})


@pytest.mark.parametrize("position", ["특별보좌관", "감독관", "조사관", "비서관", "정무특별보좌관"])
def test_posts_that_merely_end_in_gwan_are_unresolved_never_guessed_upward(position):
    assert Ladder.default().level_of(position) == "unresolved"


@pytest.mark.parametrize(
    "position,level",
    [
        ("기획관", "director"),
        ("도시계획정책관", "director"),
        ("시민소통담당관", "division_head"),
        ("서울도서관장", "division_head"),
    ],
)
def test_named_gwan_posts_resolve(position, level):
    assert Ladder.default().level_of(position) == level


def test_ranks_show_unresolved_and_explain_name_the_unknown_position(cli, catalog_path, tmp_path):
    import json

    from seoulrec.run.demo import DemoDoc, write_package

    src = tmp_path / "src"
    write_package(
        src / "a", DemoDoc(number=1, final_position="정무특별보좌관", final_type="결재"), {}
    )
    write_package(
        src / "b", DemoDoc(number=2, final_position="정무특별보좌관", final_type="결재"), {}
    )
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, src).exit_code == 0
    shown = json.loads(cli("ranks", "show", "--json").stdout)
    assert "기획관" in shown["director"] and "관" not in shown["director"]
    found = json.loads(cli("ranks", "unresolved", "--catalog", catalog_path, "--json").stdout)
    assert found == [
        {"position": "정무특별보좌관", "count": 2, "examples": ["자전거정책과-1", "자전거정책과-2"]}
    ]
    assert (
        cli("disclose", "apply", "--catalog", catalog_path, "--today", "2026-11-26").exit_code == 0
    )
    explained = json.loads(
        cli(
            "disclose", "explain", 1, "--catalog", catalog_path, "--today", "2026-11-26", "--json"
        ).stdout
    )
    assert (
        explained["unresolved_position"] == "정무특별보좌관"
        and not explained["decision"]["original_public"]
    )
    assert "정무특별보좌관" in explained["explanation"]
