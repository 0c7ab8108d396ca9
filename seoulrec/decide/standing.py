"""What stands, read without the decision engine: the last ``disclose apply``, principle-5
violations among the decisions, and records an archivist must complete. ``seoulrec status``
and ``disclose check`` need only these (issue 24: no policy, masker or hashing imported)."""

from __future__ import annotations

from seoulrec.model import parse_grounds
from seoulrec.store import disclosures as store
from seoulrec.store.catalog import Catalog


def apply_state(catalog: Catalog) -> dict | None:
    """The last apply's state: ``{"status": "running" | "finished", "today", "seq"}``."""
    return store.get_state(catalog, "disclosure_apply")


def check(catalog: Catalog) -> list[dict]:
    """Principle 5: every 비공개/부분공개 decision states grounds and a reason; ground 5 a date."""
    violations = []
    rows = store.withholdings(catalog)
    for record_id, number, cls, grounds, reason, release, _review in rows:
        grounds = parse_grounds(grounds)
        problems = []
        if not grounds:
            problems.append("no grounds (1-8)")
        if not (reason or "").strip():
            problems.append("no reason in words")
        if 5 in grounds and not release:
            # The statutory 5-year re-review applies to every non-public record; ground 5 is
            # temporary by nature and needs its own date (disclose set --until).
            problems.append("ground 5 without a release or review date")
        if problems:
            violations.append(
                {"id": record_id, "document_number": number, "class": cls, "problems": problems}
            )
    return violations


def needs_attention(catalog: Catalog) -> dict:
    """Records an archivist must complete: no class (공개구분) from any source, or no title that
    may be published (the list shows a neutral title meanwhile)."""
    needs_class = [
        {
            "id": r[0],
            "document_number": r[1],
            "kind": r[2],
            "material_kind": r[3],
            "source_path": r[4],
        }
        for r in store.without_class(catalog)
    ]
    needs_title = [
        {"id": r[0], "document_number": r[1], "listed_as": r[2], "source_path": r[3]}
        for r in store.without_title(catalog)
    ]
    return {"needs_class": needs_class, "needs_title": needs_title}
