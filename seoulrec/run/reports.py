"""The views a records office asks for every morning: where the catalog stands, past batches,
stored per-item failures, and the audit log. Read-only, except marking failures resolved."""

from __future__ import annotations

import json
import os

from seoulrec.store.catalog import Catalog, default_actor, now
from seoulrec.errors import UsageError
from seoulrec.store import reports as store
from seoulrec.model import OUTCOME_ADVICE


def status(catalog: Catalog) -> dict:
    """One screen of where the catalog stands."""
    from seoulrec.decide.standing import apply_state, check, needs_attention
    from seoulrec.decide.ranks import unresolved_positions

    records: dict[str, dict[str, int]] = {}
    for kind, current, count in store.record_counts(catalog):
        records.setdefault(kind, {})["current" if current else "earlier versions"] = count
    decisions = {**store.decision_counts(catalog), "last_apply": apply_state(catalog)}
    classification = store.classification_counts(catalog)
    attention = needs_attention(catalog)
    last_batch = store.last_batch(catalog)
    exports = [
        {"exporter": e, "destination": d, "kind": k, "finished": f, "status": st}
        for e, d, k, f, st in store.latest_exports(catalog)
    ]
    if catalog.path is None:
        size = catalog.size_bytes()  # type: ignore[attr-defined]
    else:
        size = sum(
            os.path.getsize(p)
            for p in (catalog.path, catalog.path.with_name(catalog.path.name + "-wal"))
            if os.path.exists(p)
        )
    return {
        "catalog": catalog.location,
        "catalog_bytes": size,
        "records": records,
        "decisions": decisions,
        "classification": classification,
        "principle5_violations": len(check(catalog)),
        "needs_class": len(attention["needs_class"]),
        "needs_title": len(attention["needs_title"]),
        "unresolved_ranks": sum(p["count"] for p in unresolved_positions(catalog)),
        "last_batch": None
        if last_batch is None
        else dict(
            zip(
                ("id", "started", "finished", "status", "added", "updated", "unchanged", "failed"),
                last_batch,
            )
        ),
        # Changes recorded but not applied yet, by kind (disclose set, classify set, withdraw).
        "pending": _pending_counts(catalog),
        "open_failures": store.open_failure_count(catalog),
        "last_exports": exports,
    }


def _pending_counts(catalog: Catalog) -> dict:
    from seoulrec.store.records import pending_changes

    counts = {"disclosure": 0, "classification": 0, "withdrawal": 0}
    for changes in pending_changes(catalog).values():
        for what in changes:
            counts[what] += 1
    return counts


def batches(catalog: Catalog, limit: int | None = None) -> list[dict]:
    rows = store.batch_rows(catalog, limit)
    return [
        {
            "id": r[0],
            "started": r[1],
            "finished": r[2],
            "status": r[3],
            "added": r[4],
            "updated": r[5],
            "unchanged": r[6],
            "failed": r[7],
            "options": json.loads(r[8] or "{}"),
        }
        for r in rows
    ]


def failures(
    catalog: Catalog, batch: int | None = None, include_resolved: bool = False
) -> list[dict]:
    """Stored per-item failures with what to do about each."""
    return [
        {
            "id": r[0],
            "batch": r[1],
            "path": r[2],
            "reason": r[3],
            "message": r[4] or "",
            "at": r[5],
            "resolved": r[6],
            "what_to_do": OUTCOME_ADVICE.get(r[3], ""),
        }
        for r in store.failure_rows(catalog, batch, include_resolved)
    ]


def resolve_failures(catalog: Catalog, ids: list[int], note: str, actor: str | None = None) -> int:
    """Mark stored failures resolved (by hand: the file was replaced, or is not a record)."""
    if not (note or "").strip():
        raise UsageError("--note is required: say how the failure was resolved")
    with catalog.transaction():
        known = store.known_failures(catalog, ids)
        missing = [i for i in ids if i not in known]
        if missing:
            raise UsageError(
                f"no failure with id {', '.join(map(str, missing))}; see `seoulrec failures`"
            )
        stamp = now()
        store.resolve_failures(catalog, ids, stamp)
        catalog.audit("failures.resolve", detail={"ids": ids, "note": note.strip()}, actor=actor)
    return len(ids)


def resolve_retried(catalog: Catalog, paths_ok: list[str]) -> int:
    """After a retry, the earlier failures of paths that now went in are resolved."""
    if not paths_ok:
        return 0
    with catalog.transaction():
        return store.resolve_failures_of(catalog, paths_ok, now())


def audit_log(
    catalog: Catalog,
    record_id: int | None = None,
    actor: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    return [
        {
            "id": r[0],
            "at": r[1],
            "actor": r[2],
            "action": r[3],
            "record_id": r[4],
            "detail": json.loads(r[5] or "{}"),
        }
        for r in store.audit_rows(catalog, record_id, actor, since, limit)
    ]


__all__ = [
    "status",
    "batches",
    "failures",
    "resolve_failures",
    "resolve_retried",
    "audit_log",
    "default_actor",
]
