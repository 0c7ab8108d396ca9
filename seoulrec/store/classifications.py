"""The catalog's statements about classification: scheme versions and their categories, each
classifier's results, the decision per record (automatic, manual, waiting for review), and the
trained models. ``seoulrec.decide.classify`` decides; it reads and writes through these."""

from __future__ import annotations

from seoulrec.store.catalog import Catalog
from seoulrec.store.dialect import upsert

DECISION_COLUMNS = (
    "record_key", "record_id", "category", "scheme_version", "status", "classifier",
    "confidence", "reason", "decided_by", "at",
)  # fmt: skip
RESULT_COLUMNS = (
    "record_id", "classifier", "category", "confidence", "authoritative", "evidence",
    "scheme_version", "at",
)  # fmt: skip


# -- schemes ----------------------------------------------------------------------------------
def current_scheme_row(catalog: Catalog) -> tuple | None:
    """(version, name, source, sha256) of the current scheme, or None."""
    return catalog.db.execute(
        "SELECT version, name, source, sha256 FROM schemes WHERE is_current = 1"
    ).fetchone()


def categories(catalog: Catalog, version: int) -> list[tuple]:
    """(code, name, parent, description) of a scheme's categories, in the order imported."""
    return catalog.db.execute(
        "SELECT code, name, parent, description FROM categories WHERE scheme_version = ? "
        "ORDER BY position, code",
        [version],
    ).fetchall()


def add_scheme(catalog: Catalog, name: str, source: str, sha256: str, imported: str, rows) -> int:
    """A new current scheme version with its categories ((code, name, parent, description),
    kept in this order); returns its version."""
    catalog.db.execute("UPDATE schemes SET is_current = 0")
    version = catalog.insert_id(
        "INSERT INTO schemes(name, source, sha256, imported, is_current) VALUES (?, ?, ?, ?, 1)",
        [name, source, sha256, imported],
        column="version",
    )
    catalog.db.conn.executemany(
        "INSERT INTO categories(scheme_version, code, name, parent, description, position) VALUES (?, ?, ?, ?, ?, ?)",
        [(version, *row, position) for position, row in enumerate(rows, 1)],
    )
    return version


def scheme_versions(catalog: Catalog) -> list[tuple]:
    """(version, name, source, imported, is_current, categories, records) of every scheme."""
    return catalog.db.execute(
        "SELECT s.version, s.name, s.source, s.imported, s.is_current, "
        "(SELECT count(*) FROM categories c WHERE c.scheme_version = s.version), "
        "(SELECT count(*) FROM record_categories r WHERE r.scheme_version = s.version) FROM schemes s ORDER BY s.version"
    ).fetchall()


def scheme_exists(catalog: Catalog, version: int) -> bool:
    return (
        catalog.db.execute("SELECT 1 FROM schemes WHERE version = ?", [version]).fetchone()
        is not None
    )


def make_current(catalog: Catalog, version: int) -> None:
    catalog.db.execute(
        "UPDATE schemes SET is_current = CASE WHEN version = ? THEN 1 ELSE 0 END", [version]
    )


# -- records to classify, results and decisions -------------------------------------------------
RECORD_FIELDS = ("id", "record_key", "title", "department", "unit_task", "kind", "material_kind")


def records_to_classify(catalog: Catalog, redo: bool, after: int, limit: int) -> list[dict]:
    """Current records with an id above ``after`` that a run classifies: unclassified ones and
    those waiting for review, or with ``redo`` every one without a manual decision."""
    if redo:
        where = "NOT EXISTS (SELECT 1 FROM record_categories c WHERE c.record_key = r.record_key AND c.status = 'manual')"
    else:
        where = "NOT EXISTS (SELECT 1 FROM record_categories c WHERE c.record_key = r.record_key AND c.status IN ('auto', 'manual'))"
    sql = (
        "SELECT r.id, r.record_key, r.title, r.department, r.unit_task, r.kind, r.material_kind "
        f"FROM records r WHERE +r.is_current = 1 AND {where} AND r.id > ? ORDER BY r.id LIMIT ?"
    )
    return [dict(zip(RECORD_FIELDS, row)) for row in catalog.db.execute(sql, [after, limit])]


def manual_count(catalog: Catalog) -> int:
    return catalog.db.execute(
        "SELECT count(*) FROM record_categories WHERE status = 'manual'"
    ).fetchone()[0]


def add_results(catalog: Catalog, rows: list[tuple]) -> None:
    """Each classifier's result for a record (``RESULT_COLUMNS``), kept with its evidence."""
    catalog.db.conn.executemany(
        f"INSERT INTO classification_results({', '.join(RESULT_COLUMNS)}) VALUES ({', '.join('?' for _ in RESULT_COLUMNS)})",
        rows,
    )


def set_decision(catalog: Catalog, values: list) -> None:
    """The decision for a record key (``DECISION_COLUMNS``), replacing the one before."""
    catalog.db.execute(upsert("record_categories", DECISION_COLUMNS, ("record_key",)), values)


def decision_of(catalog: Catalog, record_key: str) -> tuple | None:
    """(category, status) of a record key's decision."""
    return catalog.db.execute(
        "SELECT category, status FROM record_categories WHERE record_key = ?", [record_key]
    ).fetchone()


def waiting(catalog: Catalog, limit: int | None = None) -> list[tuple]:
    """(record_id, record_key, title, department, unit_task, queued) of records waiting for
    an archivist, oldest first."""
    sql = (
        "SELECT c.record_id, c.record_key, r.title, r.department, r.unit_task, c.at FROM record_categories c "
        "JOIN records r ON r.id = c.record_id WHERE c.status = 'needs_review' ORDER BY c.at, c.record_id"
    )
    params: list = []
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    return catalog.db.execute(sql, params).fetchall()


def latest_results(catalog: Catalog, record_id: int) -> list[tuple]:
    """(classifier, category, confidence, evidence) of a record's last run, best first."""
    return catalog.db.execute(
        "SELECT classifier, category, confidence, evidence FROM classification_results WHERE record_id = ? "
        "AND at = (SELECT max(at) FROM classification_results WHERE record_id = ?) ORDER BY confidence DESC",
        [record_id, record_id],
    ).fetchall()


def trusted_labels(catalog: Catalog) -> list[tuple]:
    """(title, department, category) of manual decisions and authoritative (unit-task) ones."""
    return catalog.db.execute(
        "SELECT r.title, r.department, c.category FROM record_categories c JOIN records r ON r.id = c.record_id "
        "WHERE c.category IS NOT NULL AND (c.status = 'manual' OR c.classifier = 'unit_task')"
    ).fetchall()


# -- models -------------------------------------------------------------------------------------
def add_model(catalog: Catalog, name: str, values: list) -> int:
    """A new version of model ``name``: values are (trained, scheme_version, params, metrics,
    blob); returns the version."""
    version = (
        catalog.db.execute("SELECT max(version) FROM models WHERE name = ?", [name]).fetchone()[0]
        or 0
    ) + 1
    catalog.db.execute(
        "INSERT INTO models(name, version, trained, scheme_version, params, metrics, blob) VALUES (?,?,?,?,?,?,?)",
        [name, version, *values],
    )
    return version


def latest_model_row(catalog: Catalog, name: str) -> tuple | None:
    """(version, blob) of the newest model ``name``."""
    return catalog.db.execute(
        "SELECT version, blob FROM models WHERE name = ? ORDER BY version DESC LIMIT 1", [name]
    ).fetchone()


def decision_row(catalog: Catalog, record_key: str) -> dict | None:
    """The whole decision of a record key (``DECISION_COLUMNS``), or None."""
    row = catalog.db.execute(
        f"SELECT {', '.join(DECISION_COLUMNS)} FROM record_categories WHERE record_key = ?",
        [record_key],
    ).fetchone()
    return dict(zip(DECISION_COLUMNS, row)) if row else None


def delete_decision(catalog: Catalog, record_key: str) -> None:
    catalog.db.execute("DELETE FROM record_categories WHERE record_key = ?", [record_key])


# -- unit tasks (단위과제) suggested for records that came without one ---------------------------
FILING_COLUMNS = (
    "record_key", "record_id", "unit_task", "retention", "confidence", "alternatives", "status",
    "model_version", "reason", "actor", "at",
)  # fmt: skip


def records_without_unit_task(catalog: Catalog, after: int, limit: int) -> list[tuple]:
    """(id, record_key, title, department, writer, filing) of current records with an id above
    ``after`` whose own unit task is empty; filing is (status, record_id, model_version,
    unit_task, retention) of the key's last filing, or Nones."""
    return catalog.db.execute(
        "SELECT r.id, r.record_key, r.title, r.department, r.writer, f.status, f.record_id, f.model_version, "
        "f.unit_task, f.retention FROM records r LEFT JOIN unit_task_filings f ON f.record_key = r.record_key "
        "WHERE +r.is_current = 1 AND (r.unit_task IS NULL OR r.unit_task = '') AND r.id > ? "
        "ORDER BY r.id LIMIT ?",
        [after, limit],
    ).fetchall()


def set_filings(catalog: Catalog, rows: list[tuple]) -> None:
    """Unit-task filings (``FILING_COLUMNS``), each replacing its key's one before."""
    catalog.db.conn.executemany(upsert("unit_task_filings", FILING_COLUMNS, ("record_key",)), rows)


def file_unit_tasks(catalog: Catalog, rows: list[tuple]) -> None:
    """(unit_task, retention, record_id): the record's unit task and retention as if it had come
    with them, and its published row re-decided by the next ``disclose apply`` (the index
    carries the unit task, so an incremental export must see the change)."""
    catalog.db.conn.executemany(
        "UPDATE records SET unit_task = ?, retention_period = ? WHERE id = ?", rows
    )
    catalog.db.conn.executemany(
        "UPDATE disclosures SET facts_hash = NULL, row_hash = NULL WHERE record_id = ?",
        [(record_id,) for _, _, record_id in rows],
    )


def filing_of(catalog: Catalog, record_key: str) -> dict | None:
    row = catalog.db.execute(
        f"SELECT {', '.join(FILING_COLUMNS)} FROM unit_task_filings WHERE record_key = ?",
        [record_key],
    ).fetchone()
    return None if row is None else dict(zip(FILING_COLUMNS, row))


def unit_task_queue(catalog: Catalog, limit: int | None = None) -> list[dict]:
    """Unit-task suggestions waiting for an archivist, oldest first, with the record."""
    sql = (
        f"SELECT {', '.join('f.' + c for c in FILING_COLUMNS)}, r.title, r.department FROM unit_task_filings f "
        "JOIN records r ON r.id = f.record_id WHERE f.status = 'needs_review' ORDER BY f.at, f.record_id"
    )
    params: list = []
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    names = FILING_COLUMNS + ("title", "department")
    return [dict(zip(names, row)) for row in catalog.db.execute(sql, params)]


def delete_filing(catalog: Catalog, record_key: str) -> None:
    catalog.db.execute("DELETE FROM unit_task_filings WHERE record_key = ?", [record_key])
