"""The catalog package on both backends: statements live in ``seoulrec.store`` only, each
backend states its own dialect (nothing is rewritten by regex), and the semantics that used to
differ (insertion order, upserts) are the same on SQLite and PostgreSQL."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from seoulrec.store.catalog import Catalog
from seoulrec.store.dialect import upsert
from seoulrec.store.pg import format_params

ROOT = Path(__file__).resolve().parents[1]


def test_no_statement_is_run_outside_the_catalog_package():
    """Every ``execute``/``executemany``/``query`` call and every ``.db`` access is in seoulrec/store."""
    offenders = []
    for folder in ("seoulrec", "commands", "classifiers", "exporters"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.is_relative_to(ROOT / "seoulrec" / "store"):
                continue
            tree = ast.parse(path.read_text("utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and (
                    node.attr in ("execute", "executemany", "executescript", "query")
                    or (node.attr == "db" and isinstance(node.value, ast.Name))
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert offenders == []


def test_the_regex_translation_is_gone():
    import seoulrec.store.pg as pg

    assert not hasattr(pg, "translate")
    assert "import re" not in Path(pg.__file__).read_text("utf-8")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # A -- comment with a quote in it: the ? after it is still a parameter.
        ("SELECT 1 -- it's a comment\nWHERE id = ?", "SELECT 1 -- it's a comment\nWHERE id = %s"),
        # A newline right after WHERE.
        ("SELECT id FROM records WHERE\nid = ?", "SELECT id FROM records WHERE\nid = %s"),
        # A ? and a % inside literals are text; a % outside is doubled for psycopg.
        (
            "SELECT '?', 'a%b', x % 2 FROM t WHERE y = ? AND z LIKE '%?%'",
            "SELECT '?', 'a%%b', x %% 2 FROM t WHERE y = %s AND z LIKE '%%?%%'",
        ),
        # Doubled quotes inside a literal and a quoted name.
        (
            "SELECT 'it''s ?', \"a?b\" FROM t WHERE c = ?",
            "SELECT 'it''s ?', \"a?b\" FROM t WHERE c = %s",
        ),
        # Block comments and dollar quotes.
        ("/* ? */ SELECT $$ ? $$, ?", "/* ? */ SELECT $$ ? $$, %s"),
        # Lower-case statements and a column ending in "id": nothing but the marker changes.
        (
            "insert into meta(key, value) values (?, ?)",
            "insert into meta(key, value) values (%s, %s)",
        ),
        ("SELECT paid FROM t WHERE paid = ?", "SELECT paid FROM t WHERE paid = %s"),
    ],
)
def test_parameter_markers_are_adapted_and_nothing_else(sql, expected):
    assert format_params(sql) == expected


@pytest.fixture
def catalog(any_catalog):
    opened = Catalog.open(any_catalog)
    yield opened
    opened.close()


def test_a_schemes_categories_keep_their_import_order_after_updates(catalog):
    """ORDER BY rowid became ORDER BY ctid on PostgreSQL, which is not insertion order once a
    row is updated: the order is now a column of its own."""
    from seoulrec.store import classifications as store

    rows = [(f"C{n:02d}", f"분류 {n}", None, "") for n in (5, 3, 9, 1, 7)]
    with catalog.transaction():
        version = store.add_scheme(catalog, "test", "", "", "2026-12-07", rows)
    with catalog.transaction():  # an update moves a row to the end of a PostgreSQL heap
        catalog.db.execute(
            "UPDATE categories SET description = 'changed' WHERE scheme_version = ? AND code = 'C05'",
            [version],
        )
    assert [r[0] for r in store.categories(catalog, version)] == ["C05", "C03", "C09", "C01", "C07"]


def test_upserts_update_in_place_and_respect_other_unique_keys(catalog):
    """INSERT OR REPLACE deleted every row in conflict on any unique constraint and inserted a
    new one (a new rowid); the upsert updates the row with the key and refuses a conflict on
    another unique key, the same on both backends."""
    with catalog.transaction():
        catalog.db.execute(
            "INSERT INTO models(name, version, trained, blob) VALUES ('m', 1, 'then', ?)", [b"x"]
        )
        catalog.db.execute(
            "INSERT INTO models(name, version, trained, blob) VALUES ('m', 2, 'then', ?)", [b"y"]
        )
    first = catalog.db.execute("SELECT id FROM models WHERE version = 1").fetchone()[0]
    sql = upsert("models", ("id", "name", "version", "trained", "blob"), ("id",))
    with catalog.transaction():
        catalog.db.execute(sql, [first, "m", 1, "now", b"z"])
    assert catalog.db.execute("SELECT count(*) FROM models").fetchone()[0] == 2
    assert (
        catalog.db.execute("SELECT trained FROM models WHERE id = ?", [first]).fetchone()[0]
        == "now"
    )
    # The same id with the (name, version) of the other row: refused, nothing deleted.
    with pytest.raises(Exception):  # noqa: B017 - sqlite3.IntegrityError or psycopg's
        with catalog.transaction():
            catalog.db.execute(sql, [first, "m", 2, "now", b"z"])
    assert catalog.db.execute("SELECT count(*) FROM models").fetchone()[0] == 2


def test_meta_lists_json_fields_and_new_ids_on_both_backends(catalog):
    catalog.set_meta("a", "1")
    catalog.set_meta("a", "2")
    catalog.set_meta("b", "3")
    assert catalog.get_meta("a") == "2"
    assert catalog.get_meta("missing") is None
    assert catalog.get_metas(["a", "b", "c"]) == {"a": "2", "b": "3"}
    assert catalog.get_metas([]) == {}
    with catalog.transaction():
        first = catalog.insert_id(
            "INSERT INTO batches(started, status) VALUES ('2026-12-07', 'finished')", []
        )
        second = catalog.insert_id(
            "INSERT INTO batches(started, status) VALUES ('2026-12-07', 'finished')", []
        )
    assert second == first + 1
    d = catalog.dialect
    found = catalog.db.execute(
        f"SELECT id FROM batches WHERE {d.in_list('id')} ORDER BY id", [d.list_param([second])]
    ).fetchall()
    assert [r[0] for r in found] == [second]
    assert (
        catalog.db.execute(
            f"SELECT count(*) FROM batches WHERE {d.in_list('id')}", [d.list_param([])]
        ).fetchone()[0]
        == 0
    )
    assert (
        catalog.db.execute(f"SELECT {d.json_field('?', 'k')}", ['{"k": "값"}']).fetchone()[0]
        == "값"
    )
    assert catalog.columns("meta") == {"key", "value"}


def test_the_partition_expression_is_the_same_month_on_both_backends(catalog):
    d = catalog.dialect
    for value, month in (
        ("2021-01-11", "2021-01"),
        ("2021-1-11", "undated"),
        ("", "undated"),
        ("20210111", "undated"),
        ("2021-13-01", "2021-13"),  # the index keys on the shape, as both did before
    ):
        sql = d.partition_expr.replace("enforcement_date", "CAST(? AS TEXT)")
        params = [value] * sql.count("?")
        assert catalog.db.execute(f"SELECT {sql}", params).fetchone()[0] == month, value
