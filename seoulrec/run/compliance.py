"""One report of everything a records manager must act on, gathered from the modules that
own each rule (no rule is re-implemented here)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seoulrec.store.catalog import Catalog

#: Every kind of finding, in the order a manager reads them, with what to do.
KINDS = {
    "meeting_announced_late": "announce meeting outlines at least 5 days before (seoulrec meetings)",
    "minutes_overdue": "publish the minutes within 7 days of the meeting (meetings manifest: minutes)",
    "minutes_late": "minutes were published more than 7 days after the meeting",
    "principle5": "state grounds, a reason and a release date (seoulrec disclose set)",
    "review_due": "re-review the non-disclosure or open it (seoulrec disclose review)",
    "unresolved_rank": "map the position to a level in [ranks] (seoulrec ranks unresolved)",
    "no_approval_chain": "no rank applies (the record came without an approval chain); its original stays withheld unless an archivist decides (seoulrec disclose set)",
    "needs_class": "give the record a 공개구분 (seoulrec disclose set / [disclosure.materials])",
    "needs_title": "give the record a title that may be published",
    "needs_category": "classify the record (seoulrec classify review)",
    "ingest_failure": "fix or replace the file, then seoulrec ingest --retry-failed",
    "prepub_overdue": "publish the pre-publication item for its cycle (seoulrec prepub status)",
}


def report(catalog: "Catalog", today: date) -> dict:
    from seoulrec.inputs import meetings, prepub
    from seoulrec.decide.disclosure import due
    from seoulrec.decide.standing import check, needs_attention
    from seoulrec.decide.ranks import chainless_records, unresolved_positions
    from seoulrec.run.reports import failures

    items: list[dict] = []

    def add(kind: str, subject: str, detail: str, **extra) -> None:
        items.append({"kind": kind, "subject": subject, "detail": detail, **extra})

    for f in meetings.findings(catalog, today):
        add(
            f["kind"],
            f"meeting {f['meeting_id']}: {f['title']}",
            f"{f['detail']} (due {f['due']})",
            due=f["due"],
        )
    for v in check(catalog):
        add(
            "principle5",
            f"record {v['id']} {v['document_number'] or ''}".strip(),
            "; ".join(v["problems"]),
            record=v["id"],
        )
    reviews = due(catalog, today)
    for r in reviews["rereviews"]:
        add(
            "review_due",
            f"record {r['id']} {r['document_number'] or ''}".strip(),
            f"5-year re-review due {r['next_review']}",
            record=r["id"],
            due=r["next_review"],
        )
    for r in reviews["openings"]:
        add(
            "review_due",
            f"record {r['id']} {r['document_number'] or ''}".strip(),
            f"opens by law on {r['opens_by_law']}",
            record=r["id"],
            due=r["opens_by_law"],
        )
    for p in unresolved_positions(catalog):
        add(
            "unresolved_rank",
            p["position"],
            f"{p['count']} records, e.g. {', '.join(p['examples'])}",
            count=p["count"],
        )
    chainless = chainless_records(catalog)
    if chainless["count"]:
        add(
            "no_approval_chain",
            f"{chainless['count']} records",
            f"e.g. {', '.join(chainless['examples'])}",
            count=chainless["count"],
        )
    attention = needs_attention(catalog)
    for r in attention["needs_class"]:
        add(
            "needs_class",
            f"record {r['id']}",
            r["source_path"] or r["document_number"] or "",
            record=r["id"],
        )
    for r in attention["needs_title"]:
        add("needs_title", f"record {r['id']}", f"listed as {r['listed_as']}", record=r["id"])
    from seoulrec.store.records import without_category

    for record_id, number, source in without_category(catalog):
        add("needs_category", f"record {record_id}", number or source or "", record=record_id)
    # A file that fails every night is stored once per batch: reported once, its latest.
    for f in {f["path"]: f for f in failures(catalog)}.values():
        add(
            "ingest_failure",
            f["path"],
            f"{f['reason']}: {f['message']}".strip(": "),
            failure=f["id"],
        )
    for item in prepub.overdue(catalog, today):
        add(
            "prepub_overdue",
            f"{item['item_id']}: {item['title']}",
            f"{item['cycle']}, last published {item['latest'] or 'never'}"
            + (f", due {item['due']}" if item["due"] else ""),
            due=item["due"],
        )
    counts = {kind: 0 for kind in KINDS}
    for item in items:
        counts[item["kind"]] += 1
    return {
        "as_of": today.isoformat(),
        "counts": counts,
        "total": len(items),
        "advice": KINDS,
        "items": items,
    }
