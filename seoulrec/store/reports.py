"""The catalog's statements for reports: counts for ``status``, batches, stored failures, the
audit log. ``seoulrec.run.reports`` shapes what these return for people and machines."""

from __future__ import annotations

from seoulrec.store.catalog import Catalog


def record_counts(catalog: Catalog) -> list[tuple]:
    """(kind, is_current, count) of records."""
    return catalog.db.execute(
        "SELECT kind, is_current, count(*) FROM records GROUP BY kind, is_current"
    ).fetchall()


def decision_counts(catalog: Catalog) -> dict:
    db = catalog.db
    return {
        "by_class": dict(
            db.execute(
                "SELECT disclosure_class, count(*) FROM disclosures GROUP BY disclosure_class"
            ).fetchall()
        ),
        "originals_published": db.execute(
            "SELECT count(*) FROM disclosures WHERE original_public = 1"
        ).fetchone()[0],
        "originals_withheld": db.execute(
            "SELECT count(*) FROM disclosures WHERE original_public = 0"
        ).fetchone()[0],
        "undecided": db.execute(
            "SELECT count(*) FROM records r WHERE r.is_current = 1 AND NOT EXISTS (SELECT 1 FROM disclosures d WHERE d.record_id = r.id)"
        ).fetchone()[0],
    }


def classification_counts(catalog: Catalog) -> dict:
    db = catalog.db
    counts = dict(
        db.execute("SELECT status, count(*) FROM record_categories GROUP BY status").fetchall()
    )
    counts["unclassified"] = db.execute(
        "SELECT count(*) FROM records r WHERE r.is_current = 1 AND NOT EXISTS (SELECT 1 FROM record_categories c WHERE c.record_key = r.record_key)"
    ).fetchone()[0]
    return counts


def latest_exports(catalog: Catalog) -> list[tuple]:
    """(exporter, destination, kind, finished, status) of the last run per exporter and folder."""
    return catalog.db.execute(
        "SELECT exporter, destination, kind, finished, status FROM export_runs WHERE id IN "
        "(SELECT max(id) FROM export_runs GROUP BY exporter, destination) ORDER BY destination"
    ).fetchall()


def open_failure_count(catalog: Catalog) -> int:
    return catalog.db.execute("SELECT count(*) FROM failures WHERE resolved IS NULL").fetchone()[0]


def batch_rows(catalog: Catalog, limit: int | None = None) -> list[tuple]:
    """(id, started, finished, status, added, updated, unchanged, failed, options), newest first."""
    sql = "SELECT id, started, finished, status, added, updated, unchanged, failed, options FROM batches ORDER BY id DESC"
    if limit:
        return catalog.db.execute(sql + " LIMIT ?", [limit]).fetchall()
    return catalog.db.execute(sql).fetchall()


def failure_rows(catalog: Catalog, batch: int | None, include_resolved: bool) -> list[tuple]:
    """(id, batch_id, path, reason, message, at, resolved) of stored failures, in id order."""
    where: list[str] = []
    params: list = []
    if batch is not None:
        where.append("batch_id = ?")
        params.append(batch)
    if not include_resolved:
        where.append("resolved IS NULL")
    sql = (
        "SELECT id, batch_id, path, reason, message, at, resolved FROM failures"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY id"
    )
    return catalog.db.execute(sql, params).fetchall()


def known_failures(catalog: Catalog, ids: list[int]) -> set[int]:
    d = catalog.dialect
    return {
        r[0]
        for r in catalog.db.execute(
            f"SELECT id FROM failures WHERE {d.in_list('id')}", [d.list_param(ids)]
        )
    }


def resolve_failures(catalog: Catalog, ids: list[int], stamp: str) -> None:
    catalog.db.conn.executemany(
        "UPDATE failures SET resolved = ? WHERE id = ?", [(stamp, i) for i in ids]
    )


def resolve_failures_of(catalog: Catalog, paths: list[str], stamp: str) -> int:
    """Open failures of these paths are resolved; returns how many."""
    d = catalog.dialect
    return catalog.db.execute(
        f"UPDATE failures SET resolved = ? WHERE resolved IS NULL AND {d.in_list('path', 'text')}",
        [stamp, d.list_param(paths)],
    ).rowcount


def audit_rows(
    catalog: Catalog,
    record_id: int | None = None,
    actor: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[tuple]:
    """(id, at, actor, action, record_id, detail) of audit entries, oldest first."""
    where: list[str] = []
    params: list = []
    if record_id is not None:
        where.append("record_id = ?")
        params.append(record_id)
    if actor:
        where.append("actor = ?")
        params.append(actor)
    if since:
        where.append("at >= ?")
        params.append(since)
    sql = (
        "SELECT id, at, actor, action, record_id, detail FROM audit"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY id"
    )
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return catalog.db.execute(sql, params).fetchall()


def last_batch(catalog: Catalog) -> tuple | None:
    return catalog.db.execute(
        "SELECT id, started, finished, status, added, updated, unchanged, failed FROM batches ORDER BY id DESC LIMIT 1"
    ).fetchone()
