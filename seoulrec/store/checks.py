"""The catalog's statements for ``seoulrec check``: the database's own integrity, runs left
running, batch counts, digests, policy versions, attachment decisions, output folders."""

from __future__ import annotations

from seoulrec.store.catalog import Catalog


def integrity_problems(catalog: Catalog) -> list[str]:
    """What the database finds wrong with its own pages (PostgreSQL checks its pages itself)."""
    if catalog.dialect.name != "sqlite":
        return []
    rows = [r[0] for r in catalog.db.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def foreign_key_problems(catalog: Catalog) -> list[tuple]:
    """(table, row, parent) of rows whose reference is missing (PostgreSQL enforces them on
    every write)."""
    if catalog.dialect.name != "sqlite":
        return []
    return [
        (table, rowid, parent)
        for table, rowid, parent, _fk in catalog.db.execute("PRAGMA foreign_key_check").fetchall()
    ]


def running_batches(catalog: Catalog) -> list[tuple]:
    """(id, pid) of ingest batches marked running."""
    return catalog.db.execute("SELECT id, pid FROM batches WHERE status = 'running'").fetchall()


def running_exports(catalog: Catalog) -> list[tuple]:
    """(id, pid, destination) of export runs marked running."""
    return catalog.db.execute(
        "SELECT id, pid, destination FROM export_runs WHERE status = 'running'"
    ).fetchall()


def mark_export_interrupted(catalog: Catalog, run_id: int) -> None:
    catalog.db.execute("UPDATE export_runs SET status = 'interrupted' WHERE id = ?", [run_id])


def batch_claims(catalog: Catalog) -> list[tuple]:
    """(id, status, added, updated, records added, records updated) of finished batches."""
    return catalog.db.execute(
        "SELECT b.id, b.status, b.added, b.updated, "
        "(SELECT count(*) FROM records r WHERE r.batch_id = b.id AND r.version = 1), "
        "(SELECT count(*) FROM records r WHERE r.batch_id = b.id AND r.version > 1) "
        "FROM batches b WHERE b.status != 'running'"
    ).fetchall()


def digests(catalog: Catalog, table: str) -> list[tuple]:
    """(row, sha256) of a table's stored digests (``table``: records, attachments, sources)."""
    assert table in ("records", "attachments", "sources")
    return catalog.db.execute(
        f"SELECT {catalog.dialect.row_identity}, sha256 FROM {table} WHERE sha256 IS NOT NULL"
    ).fetchall()


def decision_count(catalog: Catalog) -> int:
    return catalog.db.execute("SELECT count(*) FROM disclosures").fetchone()[0]


def decisions_under_other_policies(catalog: Catalog, current: str) -> list[tuple]:
    """(policy_version, count) of decisions made under another policy than ``current``."""
    return catalog.db.execute(
        "SELECT policy_version, count(*) FROM disclosures WHERE policy_version != ? GROUP BY policy_version",
        [current],
    ).fetchall()


def attachments_published_under_withheld(catalog: Catalog) -> list[tuple]:
    """(record_id, count) of attachments marked published while their record's original is not."""
    return catalog.db.execute(
        "SELECT ad.record_id, count(*) FROM attachment_disclosures ad JOIN disclosures d ON d.record_id = ad.record_id "
        "WHERE ad.published = 1 AND d.original_public = 0 GROUP BY ad.record_id"
    ).fetchall()


def records_with_undecided_attachments(catalog: Catalog) -> list[int]:
    return [
        r[0]
        for r in catalog.db.execute(
            "SELECT DISTINCT a.record_id FROM attachments a JOIN disclosures d ON d.record_id = a.record_id "
            "WHERE NOT EXISTS (SELECT 1 FROM attachment_disclosures ad WHERE ad.attachment_id = a.id)"
        ).fetchall()
    ]


def export_destinations(catalog: Catalog) -> list[str]:
    """Every folder an export run has written to."""
    return [
        d for (d,) in catalog.db.execute("SELECT DISTINCT destination FROM export_runs").fetchall()
    ]
