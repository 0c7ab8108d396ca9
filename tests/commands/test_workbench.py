"""`seoulrec review` (issue 22 item 3): the workbench driven as an archivist would, headless in
an 80x24 terminal (Textual's own test driver, a real catalog): accept, choose, search the
scheme, set a disclosure class, skip, undo, search the catalog and open a hit. Every decision
lands through the core functions, audited with the actor."""

from __future__ import annotations

import asyncio
import json
import html
from datetime import date
from pathlib import Path

import pytest

from seoulrec.decide import classify
from seoulrec.inputs.ingest import IngestOptions, run_batch
from seoulrec.run.demo import DemoDoc, write_package
from seoulrec.store.catalog import Catalog

from ..conftest import BACKENDS, init_catalog

pytest.importorskip("textual")

from seoulrec.commands.workbench import Workbench, build_queue  # noqa: E402

TODAY = date(2026, 1, 5)
TITLES = [
    "공공자전거 대여소 확충 계획 알림",
    "2021년 제설대책 추진 계획",
    "청소년 수련시설 안전 점검",
]


@pytest.fixture(params=BACKENDS)
def catalog(request, tmp_path, cli):
    location = init_catalog(request, tmp_path, cli)
    inbox = tmp_path / "inbox"
    for n, title in enumerate(TITLES, start=1):
        write_package(inbox / f"p{n}", DemoDoc(number=n, title=title, body="본문입니다."), {})
    cat = Catalog.open(location)
    run_batch(cat, [inbox], IngestOptions(jobs=1))
    classify.run(cat, {"threshold": 0.99}, Path(tmp_path))  # every record to the review queue
    yield cat
    cat.close()


def _decision(cat, record_id):
    return classify.decision_of(cat, record_id)


def _audit(cat, action):
    return cat.db.execute(
        "SELECT actor, record_id FROM audit WHERE action = ? ORDER BY id", [action]
    ).fetchall()


def drive(cat, keys: list, queue: str = "classification"):
    from seoulrec.decide.policy import load_policy

    app = Workbench(cat, build_queue(cat, queue, load_policy(None), TODAY), "archivist-kim", TODAY)
    screens = []

    async def run():
        async with app.run_test(size=(80, 24)) as pilot:
            for key in keys:
                if isinstance(key, tuple):  # ("type", "text")
                    for char in key[1]:
                        await pilot.press(char)
                else:
                    await pilot.press(key)
                await pilot.pause()
            screens.append(html.unescape(app.export_screenshot()).replace("\xa0", " "))

    asyncio.run(run())
    return app, screens[-1]


def test_accept_choose_skip_and_undo(catalog):
    first, second, third = [
        i.record_id for i in build_queue(catalog, "classification", None, TODAY)
    ]
    app, screen = drive(catalog, ["a", "n", "1"])
    assert _decision(catalog, first)["category"] == "TRA"
    assert _decision(catalog, first)["status"] == "manual"
    assert _decision(catalog, second)["status"] == "needs_review"  # skipped
    assert _decision(catalog, third)["category"] == "FAM"
    assert _audit(catalog, "classify.set") == [("archivist-kim", first), ("archivist-kim", third)]
    app, _ = drive(catalog, ["u"])
    # A fresh workbench has no history: undo has nothing to undo, and says so.
    assert _decision(catalog, third)["category"] == "FAM"
    app, _ = drive(catalog, ["n", "n", "a", "u"])  # decide and undo in one session
    assert _decision(catalog, second)["status"] == "needs_review"


def test_undo_restores_the_decision_before(catalog):
    first = build_queue(catalog, "classification", None, TODAY)[0].record_id
    before = _decision(catalog, first)
    drive(catalog, ["a", "u"])
    assert _decision(catalog, first) == before
    assert _audit(catalog, "classify.undo") == [("archivist-kim", first)]


def test_search_the_scheme_and_set_a_disclosure_class(catalog):
    second = build_queue(catalog, "classification", None, TODAY)[1].record_id
    keys = ["n", "s", ("type", "TRA"), "enter"]
    drive(catalog, keys)
    assert _decision(catalog, second)["category"] == "TRA"
    keys = [
        "d",
        ("type", "non_public"),
        "enter",
        ("type", "6"),
        "enter",
        ("type", "개인정보 포함"),
        "enter",
    ]
    drive(catalog, keys)
    from seoulrec.decide.disclosure import override_of

    first = build_queue(catalog, "classification", None, TODAY)[0].record_id
    override = override_of(catalog, first)
    assert override["disclosure_class"] == "non_public" and override["grounds"] == "[6]"
    assert override["decided_by"] == "archivist-kim"
    # A decision without grounds is refused with the reason shown, nothing recorded.
    drive(
        catalog, ["n", "d", ("type", "partial"), "enter", "enter", ("type", "x"), "enter", "escape"]
    )
    assert (
        override_of(catalog, build_queue(catalog, "classification", None, TODAY)[1].record_id)
        is None
    )


def test_search_the_catalog_and_open_a_hit_in_80x24(catalog):
    third = build_queue(catalog, "classification", None, TODAY)[2].record_id
    app, screen = drive(catalog, ["slash", ("type", "청소년"), "enter", "enter"])
    assert app.current.record_id == third
    assert "청소년 수련시설 안전 점검" in screen  # wide characters rendered in 80 columns
    drive(catalog, ["slash", ("type", "청소년"), "enter", "enter", "s", ("type", "FAM"), "enter"])
    assert _decision(catalog, third)["category"] == "FAM"


def test_without_a_terminal_the_workbench_says_what_to_use_instead(cli, tmp_path):
    catalog = init_catalog(type("R", (), {"param": "sqlite"})(), tmp_path, cli)
    result = cli("review", "--catalog", catalog)
    assert result.exit_code == 2
    assert "needs a terminal" in result.stderr and "classify review --json" in result.stderr
    assert cli("review", "queue", "--json", "--catalog", catalog).exit_code == 0  # the board


SNAPSHOT = Path(__file__).parent / "snapshots" / "review_80x24.txt"


def screen_lines(svg: str) -> list[str]:
    """The text of each terminal line of a Textual SVG screenshot."""
    import re

    lines: dict[int, list[str]] = {}
    for m in re.finditer(
        r'<text[^>]*clip-path="url\(#terminal-\d+-line-(\d+)\)"[^>]*>(.*?)</text>', svg
    ):
        lines.setdefault(int(m.group(1)), []).append(html.unescape(m.group(2)).replace("\xa0", " "))
    return [f"{k:02d} {''.join(v).rstrip()}" for k, v in sorted(lines.items())]


def test_the_screen_at_80x24_matches_the_kept_snapshot(tmp_path, cli):
    """The first screen of a queue, Korean text and all, as kept in snapshots/ (and looked at:
    docs/review.svg is the same screen). Regenerate with SEOULREC_UPDATE_SNAPSHOTS=1."""
    import os

    location = init_catalog(type("R", (), {"param": "sqlite"})(), tmp_path, cli)
    inbox = tmp_path / "inbox"
    for n, title in enumerate(TITLES, start=1):
        extra = {"붙임.txt": "대여소 후보지: 마포구, 서대문구".encode()} if n == 1 else {}
        write_package(
            inbox / f"p{n}", DemoDoc(number=n, title=title, attachments=list(extra)), extra
        )
    cat = Catalog.open(location)
    run_batch(cat, [inbox], IngestOptions(jobs=1))
    classify.run(cat, {"threshold": 0.99}, Path(tmp_path))
    _, svg = drive(cat, [], queue="all")
    cat.close()
    lines = screen_lines(svg)
    assert len(lines) >= 20 and any("공공자전거 대여소 확충 계획 알림" in line for line in lines)
    # The box around the text is 80 cells wide whatever Korean it holds.
    assert any(line[3:].startswith("╭") and len(line[3:]) == 80 for line in lines)
    if os.environ.get("SEOULREC_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text("\n".join(lines) + "\n", "utf-8")
    assert lines == SNAPSHOT.read_text("utf-8").splitlines()


def _fresh(tmp_path, cli, name):
    (tmp_path / name / "work").mkdir(parents=True, exist_ok=True)
    location = init_catalog(type("R", (), {"param": "sqlite"})(), tmp_path / name, cli)
    inbox = tmp_path / name / "inbox"
    for n, title in enumerate(TITLES, start=1):
        write_package(inbox / f"p{n}", DemoDoc(number=n, title=title, body="본문입니다."), {})
    cat = Catalog.open(location)
    run_batch(cat, [inbox], IngestOptions(jobs=1))
    classify.run(cat, {"threshold": 0.99}, Path(tmp_path))
    return location, cat


def _state(cat, record_id):
    decision = dict(classify.decision_of(cat, record_id))
    from seoulrec.decide.disclosure import override_of

    override = override_of(cat, record_id)
    audit = [
        (action, sorted(json.loads(detail)))
        for action, detail in cat.db.execute(
            "SELECT action, detail FROM audit WHERE record_id = ? ORDER BY id", [record_id]
        )
    ]
    for row in (decision, override or {}):
        for clock in ("at", "reason"):
            row.pop(clock, None)
    return decision, override, audit


def test_decisions_leave_the_catalog_and_audit_as_the_commands_do(tmp_path, cli, monkeypatch):
    import os

    tmp_path.joinpath("a").mkdir()
    tmp_path.joinpath("b").mkdir()  # each catalog with its own seoulrec.toml
    monkeypatch.chdir(tmp_path / "a")
    _, by_app = _fresh(tmp_path, cli, "a")
    monkeypatch.chdir(tmp_path / "b")
    location, by_cli = _fresh(tmp_path, cli, "b")
    # Record 1: a disclosure class (the record stays on screen), then its best suggestion.
    drive(
        by_app,
        [
            "d",
            ("type", "partial"),
            "enter",
            ("type", "6"),
            "enter",
            ("type", "성명 포함"),
            "enter",
            "a",
        ],
    )
    monkeypatch.setenv("SEOULREC_ACTOR", "archivist-kim")
    assert os.environ["SEOULREC_ACTOR"] == "archivist-kim"
    done = cli(
        "disclose", "set", "1", "--class", "partial", "--grounds", "6", "--reason", "성명 포함",
        "--today", "2026-01-05", "--catalog", location,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert (
        cli("classify", "set", "1", "TRA", "--reason", "같은 결정", "--catalog", location).exit_code
        == 0
    )
    by_cli.close()
    by_cli = Catalog.open(location)
    assert _state(by_app, 1) == _state(by_cli, 1)
    by_cli.close()


def test_unit_task_suggestions_are_filed_and_undone_in_the_workbench(catalog, tmp_path):
    """The unit-task queue in the workbench: 2 files the second suggestion with its retention
    (as `classify accept`), u puts the suggestion back in the queue."""
    from seoulrec.decide import filing

    labels = tmp_path / "labels.csv"
    labels.write_text(
        "title,department,unit_task,retention\n"
        + "".join(f"공공자전거 대여소 운영 {i},기획과,자전거시설운영,5년\n" for i in range(10))
        + "".join(f"제설 장비 점검 {i},기획과,제설대책,3년\n" for i in range(10))
        + "".join(f"청소년 시설 안전 {i},기획과,청소년시설관리,10년\n" for i in range(10)),
        "utf-8",
    )
    filing.train(catalog, labels)
    report = filing.run(catalog, {"unit_task_threshold": 1.0})  # every suggestion queued
    assert report.needs_review == len(TITLES)
    items = build_queue(catalog, "unit-tasks", None, TODAY)
    assert [i.queue for i in items] == ["unit_task"] * len(TITLES)
    first = items[0]
    second_choice = first.suggestions[1]["category"]
    app, screen = drive(catalog, ["2"], queue="unit-tasks")
    record = catalog.get_record(first.record_id)
    retention = {"자전거시설운영": "5년", "제설대책": "3년", "청소년시설관리": "10년"}[
        second_choice
    ]
    assert (record["unit_task"], record["retention_period"]) == (second_choice, retention)
    assert filing.filing_of(catalog, first.record_id)["actor"] == "archivist-kim"
    assert _audit(catalog, "classify.unit_task") == [("archivist-kim", first.record_id)]
    assert len(build_queue(catalog, "unit-tasks", None, TODAY)) == len(TITLES) - 1

    drive(catalog, ["1", "u"], queue="unit-tasks")  # file the next one, then undo it
    assert len(build_queue(catalog, "unit-tasks", None, TODAY)) == len(TITLES) - 1
    second = items[1].record_id
    assert catalog.get_record(second)["unit_task"] is None
    assert filing.filing_of(catalog, second)["status"] == "needs_review"
    assert _audit(catalog, "classify.unit_task_undo") == [("archivist-kim", second)]


def test_the_suspects_queue_opens_records_to_look_at_again(tmp_path, cli):
    """`--queue suspects`: each item says which way it looks wrong and why."""
    import csv
    import io

    from ..conftest import corpus_file

    rows = list(
        csv.DictReader(
            io.StringIO(
                corpus_file("seoul-opengov/info_list_2021-01-11.csv").read_text("utf-8-sig")
            )
        )
    )
    picked = [r for r in rows if r["othbc_se"] == "공개"][:150] + [
        r for r in rows if r["othbc_se"] == "비공개"
    ][:50]
    manifest = tmp_path / "list.csv"
    with manifest.open("w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, fieldnames=list(picked[0]))
        out.writeheader()
        out.writerows(picked)
    location = tmp_path / "catalog.db"
    assert cli("init", "--catalog", location).exit_code == 0
    assert cli("ingest", "--catalog", location, manifest).exit_code == 0
    cat = Catalog.open(location)
    try:
        items = build_queue(cat, "suspects", None, TODAY)
        assert items and {i.queue for i in items} == {"suspect"}
        assert all("looks" in i.why and "P(withheld)" in i.why for i in items)
        from seoulrec.decide.policy import load_policy

        everything = build_queue(cat, "all", load_policy(None), TODAY)
        assert all(i.queue != "suspect" for i in everything)  # only when asked for
        _, screen = drive(cat, [], queue="suspects")
        assert "다시 보기" in screen
    finally:
        cat.close()
