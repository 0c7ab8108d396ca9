"""A nightly apply decides only what can have changed: records whose facts (or the policy, or
the classification) changed, and decisions whose date has come (a release date, the end of a
hold). Everything else keeps its stored decision, and the result equals deciding everything."""

from __future__ import annotations

from datetime import date

import pytest

from seoulrec.decide import disclosure
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
