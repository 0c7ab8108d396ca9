"""A nightly apply decides only what can have changed: records whose facts (or the policy, or
the classification) changed, and decisions whose date has come (a release date, the end of a
hold). Everything else keeps its stored decision, and the result equals deciding everything."""

from __future__ import annotations

from datetime import date

import pytest

from seoulrec.decide import disclosure, standing
from seoulrec.store.catalog import Catalog
from seoulrec.run.demo import DemoDoc, write_package
from seoulrec.inputs.ingest import IngestOptions, run_batch
from seoulrec.decide.policy import load_policy


@pytest.fixture
def catalog(tmp_path):
    inbox = tmp_path / "inbox"
    write_package(inbox / "a", DemoDoc(number=1), {})
    write_package(inbox / "b", DemoDoc(number=2, code="3NNNNYNNN"), {})
    write_package(  # approved by the mayor: held 7 days before its original is published
        inbox / "c",
        DemoDoc(number=3, final_position="시장", team_position="비서팀장", date="2026-11-25"),
        {},
    )
    cat = Catalog.create(tmp_path / "c.db")
    run_batch(cat, [inbox], IngestOptions(jobs=1))
    yield cat
    cat.close()


def decided(cat) -> dict:
    return {
        r[0]: r[1:]
        for r in cat.db.execute(
            "SELECT record_id, disclosure_class, original_public, release_date, row_hash FROM disclosures ORDER BY record_id"
        )
    }


def test_unchanged_records_are_not_decided_again(catalog, monkeypatch):
    policy = load_policy()
    disclosure.apply(catalog, policy, date(2026, 11, 27))
    calls = []
    real = disclosure.decide
    monkeypatch.setattr(disclosure, "decide", lambda *a: calls.append(a[0]) or real(*a))
    counts = disclosure.apply(catalog, policy, date(2026, 11, 28))
    assert calls == [] and counts["records"] == 3 and counts["changed"] == 0
    assert counts["original_public"] + counts["withheld"] == 3
    # A manual decision changes the facts: that record alone is decided again.
    disclosure.set_manual(
        catalog, 1, "non_public", [5], "감사 진행 중", date(2026, 12, 10), date(2026, 11, 28)
    )
    disclosure.apply(catalog, policy, date(2026, 11, 28))
    assert len(calls) == 1
    # Its release date comes: decided again (and now public), the others are not.
    calls.clear()
    disclosure.apply(catalog, policy, date(2026, 12, 11))
    assert len(calls) == 2  # record 1 (released) and record 3 (its hold ended on 2026-12-02)
    state = decided(catalog)
    assert state[1][:2] == ("public", 1) and state[3][1] == 1


def test_skipping_gives_the_same_decisions_as_deciding_everything(catalog, tmp_path):
    policy = load_policy()
    days = [date(2026, 11, 26), date(2026, 11, 30), date(2026, 12, 3), date(2027, 1, 5)]
    for day in days:
        disclosure.apply(catalog, policy, day)
        skipped = decided(catalog)
        catalog.db.execute("UPDATE disclosures SET facts_hash = NULL")  # forget: decide all
        disclosure.apply(catalog, policy, day)
        assert decided(catalog) == skipped, day
    other = load_policy({"hold_days": {"mayor": 30}})
    disclosure.apply(catalog, other, date(2026, 12, 3))  # a new policy: decided again
    assert decided(catalog)[3][1] == 0  # held 30 days now


def _reads_records(catalog, monkeypatch) -> list:
    """Spy on the fact-row reader: what a quiet night must not call."""
    from seoulrec.store import disclosures as store

    calls: list = []
    real = store.fact_rows
    monkeypatch.setattr(store, "fact_rows", lambda *a, **k: calls.append(a) or real(*a, **k))
    return calls


def _audited_unchanged(catalog) -> bool:
    import json

    detail = catalog.db.execute(
        "SELECT detail FROM audit WHERE action = 'disclose.apply' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    return bool(json.loads(detail).get("unchanged"))


def test_a_quiet_night_reads_no_record(catalog, monkeypatch):
    policy = load_policy()
    first = disclosure.apply(catalog, policy, date(2026, 11, 27))
    reads = _reads_records(catalog, monkeypatch)
    again = disclosure.apply(catalog, policy, date(2026, 11, 28))
    assert reads == [] and _audited_unchanged(catalog)
    assert again == {**first, "changed": 0, "newly_public": 0, "newly_withheld": 0, "withdrawn": 0}
    assert standing.apply_state(catalog)["today"] == "2026-11-28"


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE records SET title = title || ' (정정)' WHERE id = 1",
        "UPDATE approvals SET date = '2026-11-20' WHERE record_id = 1",
        "INSERT INTO review_decisions (record_key, record_id, decision, decided_by, at, day) "
        "SELECT record_key, id, 'keep', 'a', 'now', '2026-11-27' FROM records WHERE id = 2",
        "INSERT INTO disclosure_overrides (record_key, disclosure_class, grounds, reason, until, "
        "decided_by, at) SELECT record_key, 'non_public', '[5]', '감사 진행 중', '2026-12-31', 'a', "
        "'now' FROM records WHERE id = 1",
        "DELETE FROM disclosures WHERE record_id = 2",
        "UPDATE disclosures SET facts_hash = NULL WHERE record_id = 2",
    ],
)
def test_any_change_to_what_decisions_are_made_from_reads_the_records(catalog, monkeypatch, change):
    policy = load_policy()
    disclosure.apply(catalog, policy, date(2026, 11, 27))
    before = decided(catalog)
    catalog.db.execute(change)
    reads = _reads_records(catalog, monkeypatch)
    disclosure.apply(catalog, policy, date(2026, 11, 27))
    assert reads and not _audited_unchanged(catalog)
    after = decided(catalog)
    assert set(after) == set(before)  # a deleted decision is decided again


def test_a_day_that_can_change_a_decision_reads_the_records(catalog, monkeypatch):
    """Record 3 was approved by the mayor on 2026-11-25: held until 2026-12-02."""
    policy = load_policy()
    disclosure.apply(catalog, policy, date(2026, 11, 27))
    assert decided(catalog)[3][1] == 0
    reads = _reads_records(catalog, monkeypatch)
    disclosure.apply(catalog, policy, date(2026, 12, 1))
    assert reads == []
    disclosure.apply(catalog, policy, date(2026, 12, 2))
    assert reads and decided(catalog)[3][1] == 1
    # A day before the last apply's (a re-run --today in the past) reads the records too.
    reads.clear()
    disclosure.apply(catalog, policy, date(2026, 11, 27))
    assert reads
    # Another policy: decided again.
    reads.clear()
    disclosure.apply(catalog, load_policy({"hold_days": {"mayor": 30}}), date(2026, 11, 27))
    assert reads
