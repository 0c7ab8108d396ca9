"""The unit-task model measured on Seoul's real week, against the baseline computed here."""

from __future__ import annotations

import collections

import pytest

from seoulrec.decide.filing import DEFAULT_UNIT_TASK_THRESHOLD
from seoulrec.decide.learn import expected_calibration_error
from seoulrec.decide.unit_task import UnitTaskModel, evaluate, read_labels
from seoulrec.errors import UsageError

from .conftest import corpus_file

WEEK = "seoul-opengov/info_list_2021-01-11.csv"


def test_reads_both_real_header_variants_and_its_own(tmp_path):
    real = corpus_file("seoul-opengov/info_list_sample.csv").read_text("utf-8")
    labels = read_labels(corpus_file("seoul-opengov/info_list_sample.csv"))
    assert len(labels) == len(real.splitlines()) - 1
    first = labels[0]
    assert (first.unit_task, first.retention, first.department) == (
        "일상경비관리",
        "5년",
        "신교119안전센터",
    )
    assert first.title == "12월 중 출동간식비 지급(12.1~12.29)" and first.date == "20201230"
    # The list's own documentation names the columns differently (DOMAIN: schema drift).
    header, *rest = real.splitlines()
    drifted = (
        header.replace("tkcrd_nm", "trck_card_nm")
        .replace("othbc_pd", "othnd_pd")
        .replace("rspnber_dept_nm", "dept_nm")
    )
    (tmp_path / "drift.csv").write_text("\n".join([drifted, *rest]), "utf-8")
    assert read_labels(tmp_path / "drift.csv") == labels
    own = tmp_path / "own.csv"
    own.write_text(
        "title,department,unit_task,retention\n"
        + "".join(f"제목 {i},부서,과제,3년\n" for i in range(12)),
        "utf-8",
    )
    assert {(lb.unit_task, lb.retention) for lb in read_labels(own)} == {("과제", "3년")}
    (tmp_path / "few.csv").write_text("title,unit_task\n가,나\n", "utf-8")
    with pytest.raises(UsageError, match="at least 10"):
        read_labels(tmp_path / "few.csv")


def test_expected_calibration_error():
    assert expected_calibration_error([0.95] * 20, [True] * 19 + [False]) == 0.0
    assert expected_calibration_error([0.9] * 10, [False] * 10) == 0.9
    # Two bins, each off by 0.1, each half the rows.
    assert expected_calibration_error(
        [0.25] * 4 + [0.85] * 4, [False] * 4 + [True] * 4
    ) == pytest.approx(0.2)


def _split(departments: int | None, held_out=("20210116", "20210117")):
    labels = read_labels(corpus_file(WEEK))
    if departments:
        largest = collections.Counter(lb.department for lb in labels).most_common(departments)
        keep = {d for d, _ in largest}
        labels = [lb for lb in labels if lb.department in keep]
    # Held-out days: by default trained on 11-15 January, tested on the 16th and 17th.
    return [lb for lb in labels if lb.date not in held_out], [
        lb for lb in labels if lb.date in held_out
    ]


def _measure(departments: int | None, held_out=("20210116", "20210117")):
    train, test = _split(departments, held_out)
    model = UnitTaskModel().fit(train)
    result = evaluate(model, test, DEFAULT_UNIT_TASK_THRESHOLD, True, model.training_labels())
    return result, result["baseline"]


def _assert_at_baseline_level(ours: dict, base: dict, ece: float):
    # Issue 21 asks for baseline + 0.05 on top-1 and top-5; measured on the weekend split, the
    # model is just above the baseline on top-1 (within the noise of 955 rows) and above it on
    # top-5 (README: not met). These bounds fail if a change drops it below that.
    assert ours["accuracy"] >= base["accuracy"] - 0.01, (ours, base)
    assert ours["top5"] >= base["top5"] + 0.02, (ours, base)
    assert ours["macro_f1"] >= base["macro_f1"], (ours, base)
    assert ours["ece"] <= ece < base["ece"], (ours, base)
    assert ours["retention_right_where_unit_task_right"] >= 0.95
    # At the default threshold (0.95) a few records are filed without review, rightly.
    assert ours["auto"]["share"] > 0.03 and ours["auto"]["accuracy"] >= 0.95


def test_real_week_largest_departments_against_the_baseline():
    """The 20 departments with most documents (8,310 training rows, 880 unit tasks): quick."""
    ours, base = _measure(20)
    assert ours["records"] == 450 and ours["excluded_trained"] == 0
    train, test = _split(20)
    unseen = sum(lb.unit_task not in {t.unit_task for t in train} for lb in test)
    assert ours["unknown_unit_task_share"] == round(unseen / len(test), 4) > 0
    assert ours["accuracy"] <= 1 - ours["unknown_unit_task_share"]
    _assert_at_baseline_level(ours, base, ece=0.10)


@pytest.mark.slow
def test_real_week_whole_against_the_baseline():
    """The whole week (16,123 training rows, 2,764 unit tasks); the baseline trains for minutes."""
    ours, base = _measure(None)
    _assert_at_baseline_level(ours, base, ece=0.05)


@pytest.mark.slow
def test_real_week_busiest_day_against_the_baseline():
    """Tested on the 15th (9,112 rows, a weekday: 19% of them under a unit task the other days
    never used), trained on the 14th, 16th and 17th: here the drafter's habits and the unit
    task's own name lift the model clear of the baseline on both counts."""
    ours, base = _measure(None, held_out=("20210115",))
    assert ours["accuracy"] >= base["accuracy"] + 0.03, (ours, base)
    assert ours["top5"] >= base["top5"] + 0.05, (ours, base)
    assert ours["macro_f1"] >= base["macro_f1"] - 0.01, (ours, base)
    assert ours["ece"] <= 0.05 < base["ece"], (ours, base)
    assert ours["retention_right_where_unit_task_right"] >= 0.95
    # At the default threshold (0.95) a few records are filed without review, rightly.
    assert ours["auto"]["share"] > 0.03 and ours["auto"]["accuracy"] >= 0.953


def test_rows_it_was_trained_on_are_left_out():
    train, test = _split(20)
    model = UnitTaskModel().fit(train)
    mixed = evaluate(model, train[:30] + test, 0.9, with_baseline=False)
    assert mixed["excluded_trained"] == 30 and mixed["records"] == len(test)
    with pytest.raises(UsageError, match="nothing is held out"):
        evaluate(model, train[:30], 0.9, with_baseline=False)


def test_a_model_stored_before_drafters_were_scored_still_suggests(monkeypatch):
    """A model pickled by an earlier seoulrec (no drafters, no unit-task names, no calibration
    map, rows in label order) loads and suggests from what it has."""
    import pickle

    train, test = _split(20)
    model = UnitTaskModel().fit(train, calibrate=False)
    old = dict(vars(model))
    for name in (
        "writer_index",
        "writer_counts",
        "task_names_t",
        "department_spans",
        "calibration",
    ):
        del old[name]
    shuffled = list(reversed(range(len(old["y"]))))  # columns no longer grouped by department
    old["matrix_t"] = old["matrix_t"][:, shuffled]
    old["y"], old["row_departments"] = old["y"][shuffled], old["row_departments"][shuffled]
    old["rows"] = [row[:3] for row in old["rows"]]
    blob = pickle.dumps(old)
    stored = UnitTaskModel.__new__(UnitTaskModel)
    stored.__setstate__(pickle.loads(blob))
    suggestions = stored.suggest([lb.record for lb in test])
    assert all(len(s.alternatives) == 5 for s in suggestions)
    # What the new model says without names and drafters: the department's neighbours are
    # found again once the stored columns are regrouped.
    monkeypatch.setattr("seoulrec.decide.unit_task.NAME_WEIGHT", 0.0)
    same = model.suggest([dict(lb.record, writer="") for lb in test])
    agree = sum(a.unit_task == b.unit_task for a, b in zip(suggestions, same)) / len(test)
    assert agree >= 0.98, agree  # not all: neighbours tied at the 50th place fall either way
    assert stored.training_labels()[0].writer == ""


def test_a_department_never_seen_borrows_from_the_likest_named_one(monkeypatch):
    """District emergency-control units (긴급구조통제단) come and go from week to week: a new
    one files like the known ones, not like whoever wrote the most similar title."""
    from seoulrec.decide.unit_task import Label

    labels = [
        Label(f"안전사고 조사보고서({i})", "강서구긴급구조통제단", "긴급구조통제단운영", "3년")
        for i in range(4)
    ]
    labels += [
        Label(f"안전사고 조사보고서 제출 {i}", "예방과", "안전점검관리", "5년") for i in range(12)
    ]
    labels += [Label(f"출장 명령 {i}", "예방과", "출장관리", "1년") for i in range(6)]
    model = UnitTaskModel().fit(labels, calibrate=False)
    new = {"title": "안전사고 조사보고서(21-3)", "department": "도봉구긴급구조통제단"}
    assert model.suggest([new])[0].unit_task == "긴급구조통제단운영"
    # Unlike any known department: nothing borrowed, the titles alone decide.
    far = dict(new, department="서울특별시립어린이병원")
    assert model.suggest([far])[0].unit_task == "안전점검관리"
    # Without borrowing (no department alike enough), the new unit would be filed wrongly too.
    monkeypatch.setattr("seoulrec.decide.unit_task.BORROW_SIMILARITY", 2.0)
    monkeypatch.setattr("seoulrec.decide.unit_task.DEPARTMENT_NAME_WEIGHT", 0.0)
    assert model.suggest([new])[0].unit_task == "안전점검관리"


def test_borrowing_needs_department_names_to_compare():
    """Labels without departments (seoulrec's own CSV may have none) or with one-letter names
    leave nothing to compare an unknown department with: it is scored without habits."""
    from seoulrec.decide.unit_task import Label

    for department in ("", "가"):
        labels = [Label(f"출장 명령 {i}", department, "출장관리") for i in range(12)]
        labels += [Label(f"안전 점검 {i}", department, "안전점검") for i in range(12)]
        model = UnitTaskModel().fit(labels, calibrate=False)
        best = model.suggest([{"title": "출장 명령", "department": "예방과"}])[0]
        assert best.unit_task == "출장관리"
