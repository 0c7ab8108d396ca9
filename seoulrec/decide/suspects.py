"""A second look at disclosure, both ways (``seoulrec disclose suspects``).

The plan's rule is maximum disclosure with every withholding justified and an ex-officio
review of every non-disclosure. A model of what officers withhold, learnt from their own
classes (공개 / 비공개 of the same catalog, or of Seoul's published list), lists:

- **to open**: records withheld (비공개) whose title looks like what officers publish, for the
  ex-officio review;
- **to check**: records declared 공개 that look like what officers withhold (조치명령서,
  근무일지, 수사자료 …), a leak check before publishing.

Each with its reason: the model's probability that officers withhold such a record, and the
nearest titles of the other class. It never changes a decision; the list feeds the review.
A record is never judged by a model trained on it: scores are out of fold (by day when the
rows have dates, else in five folds). 부분공개 records are partly withheld already, with
reasons, and are not listed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from seoulrec.errors import UsageError

#: A 공개 record at or above LEAK (the probability that officers withhold such a record) is
#: listed to check; a 비공개 record below OPEN is listed to open. Chosen on the shared week
#: (leave-one-day-out, README "A second look"): the leak check errs toward listing.
LEAK = 0.35
OPEN = 0.25
FOLDS = 5


@dataclass
class Row:
    title: str
    department: str
    withheld: bool  # declared 비공개 (else 공개)
    group: str = ""  # the fold (a day)
    id: int | None = None
    probability: float = 0.0
    nearest: list = field(default_factory=list)


def _text(row: Row) -> str:
    return f"{row.title} {row.department}"


def score(rows: list[Row], neighbours: int = 3, only: str | None = None) -> None:
    """Out-of-fold probability that officers withhold each row, and the nearest titles of the
    other class in its training folds (set on the rows); ``only``: score that group alone."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    groups = sorted({r.group for r in rows})
    if len(groups) < 2:
        groups = [str(i) for i in range(FOLDS)]
        for i, r in enumerate(rows):
            r.group = str(i % FOLDS)
    for group in [only] if only else groups:
        test = [r for r in rows if r.group == group]
        train = [r for r in rows if r.group != group]
        if not test:
            continue
        labels = [r.withheld for r in train]
        if len(set(labels)) < 2:
            raise UsageError(
                "a second look needs both 공개 and 비공개 records to learn from; "
                f"the rows outside {group} have only {'비공개' if labels[0] else '공개'}"
            )
        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        matrix = vectorizer.fit_transform([_text(r) for r in train])
        model = LogisticRegression(C=10, class_weight="balanced", max_iter=3000)
        model.fit(matrix, labels)
        queries = vectorizer.transform([_text(r) for r in test])
        probabilities = model.predict_proba(queries)[:, list(model.classes_).index(True)]
        similarity = (queries @ matrix.T).toarray()
        withheld = np.array(labels)
        for i, r in enumerate(test):
            r.probability = round(float(probabilities[i]), 4)
            other = np.where(withheld != r.withheld, similarity[i], -1.0)
            best = np.argsort(-other)[:neighbours]
            r.nearest = [
                {"title": train[j].title, "similarity": round(float(other[j]), 3)}
                for j in best
                if other[j] > 0
            ]


def flagged(row: Row, withheld: bool | None = None) -> bool:
    """Whether a row declared ``withheld`` (default: as it is) looks like the other class."""
    declared = row.withheld if withheld is None else withheld
    return row.probability < OPEN if declared else row.probability >= LEAK


def read_classes(path: Path) -> list[Row]:
    """공개 and 비공개 rows of a labelled list in Seoul's layout (othbc_se, either header
    variant), grouped by production day."""
    from seoulrec.decide.unit_task import read_rows
    from seoulrec.model import LABEL_CLASSES

    rows = []
    for values in read_rows(path, {"title", "class"}):
        cls = LABEL_CLASSES.get(values.get("class", ""))
        if cls in ("public", "non_public"):
            rows.append(
                Row(
                    values["title"],
                    values.get("department", ""),
                    cls == "non_public",
                    values.get("date", ""),
                )
            )
    if sum(r.withheld for r in rows) < 5 or sum(not r.withheld for r in rows) < 5:
        raise UsageError(f"{path}: needs at least 5 rows each of 공개 and 비공개")
    return rows


def evaluate(rows: list[Row], share: float = 0.2, seed: int = 0) -> dict:
    """Held-out check by swapping labels: a share of the real 비공개 rows declared 공개 and of the
    real 공개 rows declared 비공개 (scored out of fold, so the swap cannot teach the model);
    the share of each found, and the share of unchanged rows flagged."""
    score(rows)
    rng = random.Random(seed)
    withheld = [r for r in rows if r.withheld]
    public = [r for r in rows if not r.withheld]
    to_public = rng.sample(withheld, max(1, round(len(withheld) * share)))
    to_withheld = rng.sample(public, max(1, round(len(public) * share)))
    swapped = {id(r) for r in to_public + to_withheld}
    unchanged = [r for r in rows if id(r) not in swapped]

    def rate(items: list[Row], declared: bool | None) -> float:
        return round(sum(flagged(r, declared) for r in items) / len(items), 4)

    return {
        "records": len(rows),
        "thresholds": {"leak": LEAK, "open": OPEN},
        "withheld_relabelled_public": {
            "records": len(to_public),
            "flagged": rate(to_public, False),
        },
        "public_relabelled_withheld": {
            "records": len(to_withheld),
            "flagged": rate(to_withheld, True),
        },
        "unchanged": {"records": len(unchanged), "flagged": rate(unchanged, None)},
    }


def from_catalog(catalog) -> list[Row]:
    """공개 and 비공개 current records of a catalog, grouped by day when they have dates."""
    from seoulrec.store.disclosures import declared_classes

    rows = [
        Row(title or "", department or "", cls == "non_public", (day or "")[:10], record_id)
        for record_id, title, department, day, cls in declared_classes(catalog)
        if cls in ("public", "non_public")
    ]
    days = {r.group for r in rows}
    if len(days) < 3 or any(not d for d in days):
        for r in rows:
            r.group = ""  # too few days to hold one out: five folds instead
    return rows


def suspects(catalog, labels: Path | None = None) -> dict:
    """The records to look at again, both ways, each with its reason. With ``labels`` (Seoul's
    list) the model learns from it; else from the catalog's own records, out of fold."""
    rows = from_catalog(catalog)
    if not rows:
        return {"to_open": [], "to_check": [], "records": 0}
    if labels is not None:
        training = read_classes(labels)
        for r in training:
            r.group = "labels"
        for r in rows:
            r.group = "catalog"
        score(training + rows, only="catalog")  # learnt from the labels only
    else:
        score(rows)

    def item(r: Row) -> dict:
        return {
            "id": r.id,
            "title": r.title,
            "department": r.department,
            "declared": "비공개" if r.withheld else "공개",
            "probability_withheld": r.probability,
            "nearest_other_class": r.nearest,
        }

    to_open = sorted((r for r in rows if r.withheld and flagged(r)), key=lambda r: r.probability)
    to_check = sorted(
        (r for r in rows if not r.withheld and flagged(r)), key=lambda r: -r.probability
    )
    return {
        "records": len(rows),
        "thresholds": {"leak": LEAK, "open": OPEN},
        "to_open": [item(r) for r in to_open],
        "to_check": [item(r) for r in to_check],
    }
