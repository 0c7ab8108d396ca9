"""The figures a records manager is judged by, computed once for ``seoulrec stats`` and the
portal's statistics page: the disclosure rate (공개율), the partial and non-disclosure rates,
the share of originals published, counts by organ, department, year, field and class, and
originals published per month.

Every rate is a share of the records listed (every current record has a decision):
공개율 = 공개 / all, 부분공개율 = 부분공개 / all, 비공개율 = 비공개 / all, 원문 공개율 =
originals published / all.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable, NamedTuple, Protocol

from seoulrec.store.catalog import Catalog
from seoulrec.model import CLASS_LABELS

NO_DEPARTMENT, NO_ORGAN, NO_DATE, NO_FIELD = "부서 미상", "기관 미상", "일자 미상", "미분류"
GROUPS = {
    "organ": "기관별",
    "department": "부서별",
    "year": "연도별",
    "field": "분야별",
}


class Fact(Protocol):
    """What the figures need of a record (the site's summaries and catalog facts both have it)."""

    @property
    def organ(self) -> str: ...

    @property
    def department(self) -> str: ...

    @property
    def enforcement_date(self) -> str: ...

    @property
    def field(self) -> str: ...

    @property
    def disclosure_class(self) -> str: ...

    @property
    def original_public(self) -> bool: ...

    @property
    def published_since(self) -> str: ...


class CatalogFact(NamedTuple):
    organ: str
    department: str
    enforcement_date: str
    field: str
    disclosure_class: str
    original_public: bool
    published_since: str


def facts(catalog: Catalog) -> Iterable[CatalogFact]:
    """One fact per decided current record, read straight from the catalog (no text)."""
    from seoulrec.store.publications import decided_facts

    for organ, department, enforced, path, cls, public, since in decided_facts(catalog):
        yield CatalogFact(
            organ or "",
            department or "",
            enforced or "",
            (path or NO_FIELD).split(" > ")[0],
            cls,
            bool(public),
            (since or "") if public else "",
        )


def _key(group: str, fact: Fact) -> str:
    if group == "organ":
        return fact.organ or NO_ORGAN
    if group == "department":
        return fact.department or NO_DEPARTMENT
    if group == "year":
        return (fact.enforcement_date or "")[:4] or NO_DATE
    return fact.field or NO_FIELD


def _rates(counts: Counter) -> dict:
    total = counts["records"]

    def pct(n: int) -> float:
        return round(100 * n / total, 1) if total else 0.0

    return {
        "records": total,
        "public": counts["public"],
        "partial": counts["partial"],
        "non_public": counts["non_public"],
        "originals": counts["originals"],
        "disclosure_rate": pct(counts["public"]),
        "partial_rate": pct(counts["partial"]),
        "non_disclosure_rate": pct(counts["non_public"]),
        "originals_rate": pct(counts["originals"]),
    }


def compute(items: Iterable[Fact], organ: str | None = None) -> dict:
    """Every figure, optionally for one organ only."""
    total: Counter = Counter()
    grouped: dict[str, dict[str, Counter]] = {g: defaultdict(Counter) for g in GROUPS}
    months: Counter = Counter()
    for fact in items:
        if organ is not None and (fact.organ or NO_ORGAN) != organ:
            continue
        inc = {"records": 1, fact.disclosure_class: 1, "originals": int(fact.original_public)}
        total.update(inc)
        for group in GROUPS:
            grouped[group][_key(group, fact)].update(inc)
        if fact.original_public:
            months[(fact.published_since or "")[:7] or NO_DATE] += 1
    return {
        "organ": organ,
        "totals": _rates(total),
        **{
            f"by_{g}": [{"name": k, **_rates(c)} for k, c in sorted(grouped[g].items())]
            for g in GROUPS
        },
        "by_class": [
            {"class": cls, "label": CLASS_LABELS[cls], "records": total[cls]}
            for cls in ("public", "partial", "non_public")
        ],
        "originals_by_month": [{"month": m, "originals": n} for m, n in sorted(months.items())],
    }


__all__ = ["compute", "facts", "GROUPS"]
