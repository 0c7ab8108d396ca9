"""The batched writer writes exactly what the item-by-item writer writes (issue 14, point 1)."""

import copy
import sqlite3

import pytest

from seoulrec.store.catalog import Catalog
from seoulrec.run.demo import DemoDoc, write_package
from seoulrec.inputs.discovery import Item
from seoulrec.inputs.reading import process_item
from seoulrec.store.writer import GroupWriter

OPTIONS = {"flag_base": 1, "max_file_mb": 16}

#: Columns that hold the time of writing, which differs between two runs.
CLOCKS = {"created", "at", "started", "finished"}


def _results(tmp_path) -> list[list[dict]]:
    """Two groups of results covering every path of the writer."""
    src = tmp_path / "src"
    write_package(src / "a1", DemoDoc(number=1), {})
    write_package(src / "a2", DemoDoc(number=1, title="확충 계획 알림 (수정)"), {})
    write_package(src / "a3", DemoDoc(number=1, title="확충 계획 알림 (재수정)"), {})
    write_package(src / "b1", DemoDoc(number=2), {})
    write_package(src / "b2", DemoDoc(number=2, body="본문을 고쳤습니다."), {})
    write_package(src / "c", DemoDoc(number=3, attachments=["붙임.hwp"]), {})  # incomplete
    write_package(src / "d", DemoDoc(number=4, attachments=["붙임.txt"]), {"붙임.txt": b"ok"})
    (src / "memo.txt").write_text("회의 자료\n두 번째 줄", encoding="utf-8")
    (src / "e.pdf").write_bytes(b"%PDF-1.4 broken")

    def read(name: str) -> dict:
        path = src / name
        kind = "package_dir" if path.is_dir() else "file"
        return process_item(Item(str(path), kind), OPTIONS, None)

    failed = {
        "path": str(src / "gone.xml"),
        "sha256": None,
        "outcome": "unreadable",
        "message": "gone.xml: cannot be read",
        "records": [],
    }
    first = [read("a1"), read("b1"), read("a2"), read("c"), failed, read("e.pdf"), read("d")]
    # Second group: an older copy of a (not newer), a new version of b, a third of a, a file.
    second = [read("a1"), read("b2"), read("a3"), read("memo.txt"), read("a2")]
    assert [r["outcome"] for r in first] == [
        "ok",
        "ok",
        "ok",
        "incomplete",
        "unreadable",
        "corrupt",
        "ok",
    ]
    return [first, second]


def _write(path, groups: list[list[dict]], batched: bool) -> tuple[list, sqlite3.Connection]:
    catalog = Catalog.create(path)
    batch = catalog.start_batch({})
    changes: list = []
    writer = GroupWriter(
        catalog, batch, lambda r, c: changes.append((r["path"], c)), batched=batched
    )
    for group in copy.deepcopy(groups):
        for result in group:
            writer.add(result)
        writer.flush()  # each group its own transaction
    writer.close()
    catalog.close()
    return changes, sqlite3.connect(path)


def _dump(conn: sqlite3.Connection, table: str) -> list[tuple]:
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in CLOCKS]
    quoted = ", ".join(f'"{c}"' for c in columns)
    return conn.execute(f"SELECT {quoted} FROM {table} ORDER BY rowid").fetchall()


def test_batched_groups_equal_item_by_item(tmp_path):
    groups = _results(tmp_path)
    slow_changes, slow = _write(tmp_path / "slow.db", groups, batched=False)
    fast_changes, fast = _write(tmp_path / "fast.db", groups, batched=True)
    assert fast_changes == slow_changes
    flat = [c for _, c in fast_changes]
    assert flat == [
        ["added"],
        ["added"],
        ["updated"],
        ["added"],
        [],
        [],
        ["added"],
        ["unchanged"],
        ["updated"],
        ["updated"],
        ["added"],
        ["unchanged"],
    ]
    for table in ("records", "approvals", "attachments", "sources", "failures", "audit"):
        assert _dump(fast, table) == _dump(slow, table), table
    # Exactly one current version per key, the newest one.
    rows = fast.execute(
        "SELECT record_key, version, is_current FROM records ORDER BY record_key, version"
    ).fetchall()
    current = {k: v for k, v, c in rows if c}
    newest = {}
    for k, v, _ in rows:
        newest[k] = max(v, newest.get(k, 0))
    assert current == newest
    assert (
        fast.execute("SELECT count(*) FROM audit WHERE action = 'record.new_version'").fetchone()[0]
        == 3
    )


def test_a_group_the_fast_path_refuses_is_written_item_by_item(tmp_path):
    """One value SQLite cannot hold: the group falls back, that item fails, the others stay."""
    groups = _results(tmp_path)
    group = groups[0]
    group[1]["records"][0]["pages"] = 2**70  # OverflowError inside executemany
    changes, conn = _write(tmp_path / "x.db", [group], batched=True)
    assert changes[1][1] == [] and group[1]["path"] == changes[1][0]
    assert [c for _, c in changes] == [["added"], [], ["updated"], ["added"], [], [], ["added"]]
    failures = conn.execute("SELECT path, reason, message FROM failures ORDER BY id").fetchall()
    assert [f[1] for f in failures] == ["corrupt", "unreadable", "corrupt"]
    assert "could not be stored" in failures[0][2]
    assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 4


@pytest.mark.parametrize("batched", [True, False])
def test_writer_restores_connection_settings(tmp_path, batched):
    catalog = Catalog.create(tmp_path / "c.db")
    before = [
        catalog.db.execute(f"PRAGMA {p}").fetchone()[0]
        for p in ("cache_size", "wal_autocheckpoint")
    ]
    writer = GroupWriter(catalog, catalog.start_batch({}), lambda r, c: None, batched=batched)
    writer.close()
    after = [
        catalog.db.execute(f"PRAGMA {p}").fetchone()[0]
        for p in ("cache_size", "wal_autocheckpoint")
    ]
    assert after == before


def _index_instances(conn: sqlite3.Connection) -> list[tuple]:
    """Every (term, record, column, position) the full-text index holds (FTS5's own view)."""
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, fulltext, instance)"
    )
    return sorted(conn.execute("SELECT term, doc, col, offset FROM temp.v").fetchall())


@pytest.mark.parametrize("batched", [True, False])
def test_the_readers_index_terms_are_the_records_own(tmp_path, batched):
    """Readers compute each record's full-text terms (``record["fulltext"]``, so that the one
    writing process does not): the index they build equals the one rebuilt from the records
    as stored, term by term and position by position."""
    from seoulrec.store import fulltext

    groups = _results(tmp_path)
    assert all("fulltext" in rec for group in groups for r in group for rec in r["records"])
    _, conn = _write(tmp_path / "w.db", groups, batched=batched)
    written = _index_instances(conn)
    conn.close()
    catalog = Catalog.open(tmp_path / "w.db")
    fulltext.rebuild(catalog)
    catalog.close()
    rebuilt = _index_instances(sqlite3.connect(tmp_path / "w.db"))
    assert written and written == rebuilt
    # And a reader's terms are what the writer uses, not recomputed: terms it did not compute
    # from the record (here, changed on purpose) are what the index holds.
    group = copy.deepcopy(groups[0][:1])
    group[0]["records"][0]["fulltext"] = ("표지어", "", "")
    _, conn = _write(tmp_path / "marked.db", [group], batched=batched)
    assert [t for t, *_ in _index_instances(conn)] == ["표지어"]
