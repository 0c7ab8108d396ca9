"""Classification under the standard scheme, with archivists in control.

The pipeline runs the configured classifier plugins in order; every result is stored with its
evidence. The decision: an authoritative result wins; otherwise the best result at or above
the confidence threshold; otherwise the record goes to the review queue (``needs_review``).
A manual decision (``classify set``) is never overwritten by a re-run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from pathlib import Path

from seoulrec.store import classifications as store
from seoulrec.store.catalog import Catalog, default_actor, now
from seoulrec.errors import ConfigError, RecordNotFound, UsageError
from seoulrec.plugins import ClassifierResult, classifiers
from seoulrec.decide.scheme import Scheme, default_scheme, parse_scheme

DEFAULT_PIPELINE = ["unit_task", "department", "keywords", "statistical"]
DEFAULT_THRESHOLD = 0.6


# -- schemes in the catalog -------------------------------------------------------------------


def current_scheme(catalog: Catalog, create: bool = True) -> tuple[int, Scheme]:
    """The catalog's current scheme; the shipped default is imported on first use."""
    row = store.current_scheme_row(catalog)
    if row is None:
        if not create:
            return 0, default_scheme()
        with catalog.transaction():  # under the write lock: two first users import it once
            row = store.current_scheme_row(catalog)
            if row is None:
                return import_scheme(catalog, default_scheme()), default_scheme()
    version, name, source, sha = row
    scheme = Scheme(name=name, source=source or "", sha256=sha or "")
    from seoulrec.decide.scheme import Category

    for code, cname, parent, description in store.categories(catalog, version):
        scheme.categories[code] = Category(code, cname, parent, description or "")
    return version, scheme


def import_scheme(catalog: Catalog, scheme: Scheme) -> int:
    """Store ``scheme`` as a new current version; earlier versions and their classifications stay."""
    with catalog.transaction():
        version = store.add_scheme(
            catalog,
            scheme.name,
            scheme.source,
            scheme.sha256,
            now(),
            [(c.code, c.name, c.parent, c.description) for c in scheme.categories.values()],
        )
        catalog.audit(
            "scheme.import",
            detail={
                "version": version,
                "name": scheme.name,
                "source": scheme.source,
                "categories": len(scheme.categories),
            },
        )
    return version


def scheme_versions(catalog: Catalog) -> list[dict]:
    """Every scheme the catalog has held, oldest first, with its number of categories and of
    records classified under it."""
    return [
        {
            "version": v,
            "name": n,
            "source": src,
            "imported": at,
            "current": bool(cur),
            "categories": cats,
            "records": recs,
        }
        for v, n, src, at, cur, cats, recs in store.scheme_versions(catalog)
    ]


def use_scheme(catalog: Catalog, version: int) -> dict:
    """Make an earlier (or later) scheme version current again; classifications keep theirs."""
    if not store.scheme_exists(catalog, version):
        known = ", ".join(str(v["version"]) for v in scheme_versions(catalog)) or "none"
        raise UsageError(
            f"no scheme version {version}; known versions: {known} (see `seoulrec scheme versions`)"
        )
    with catalog.transaction():
        store.make_current(catalog, version)
        catalog.audit("scheme.use", detail={"version": version})
    return {"version": version, "current": True}


def load_scheme_file(path: Path) -> Scheme:
    if not path.is_file():
        raise UsageError(f"scheme file {path} does not exist")
    return parse_scheme(path.read_bytes(), str(path))


# -- the pipeline -----------------------------------------------------------------------------


@dataclass
class ClassifyContext:
    """What a classifier may use: the scheme, its config section, the catalog, the config folder."""

    catalog: Catalog
    scheme: Scheme
    scheme_version: int
    settings: dict = field(default_factory=dict)
    folder: Path = Path(".")
    #: What plugins want the archivist to know (e.g. rules skipped for a category the scheme lacks).
    warnings: list = field(default_factory=list)

    def path(self, key: str) -> Path | None:
        value = self.settings.get(key)
        if not value:
            return None
        path = Path(value)
        return path if path.is_absolute() else self.folder / path


@dataclass
class RunReport:
    classified: int = 0
    needs_review: int = 0
    manual_kept: int = 0
    by_classifier: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "classified": self.classified,
            "needs_review": self.needs_review,
            "manual_kept": self.manual_kept,
            "by_classifier": self.by_classifier,
            "warnings": self.warnings,
        }


def build_pipeline(context: ClassifyContext) -> list:
    names = context.settings.get("pipeline", DEFAULT_PIPELINE)
    if not isinstance(names, list) or not names:
        raise ConfigError("[classify] pipeline must be a non-empty list of classifier names")
    return [classifiers.get(name)(context) for name in names]


def decide(
    results: list[tuple[Any, ClassifierResult | None]], threshold: float
) -> tuple[str, ClassifierResult | None, str | None]:
    """(status, winning result, classifier name) from the pipeline's results, in order."""
    for plugin, result in results:
        if result is not None and plugin.authoritative:
            return "auto", result, plugin.name
    best = None
    for plugin, result in results:
        if result is not None and (best is None or result.confidence > best[1].confidence):
            best = (plugin, result)
    if best and best[1].confidence >= threshold:
        return "auto", best[1], best[0].name
    return "needs_review", best[1] if best else None, best[0].name if best else None


def _record_rows(catalog: Catalog, redo: bool, batch: int = 5000):
    """Current records to classify: without any decision, or (``redo``) without a manual one."""
    # Without redo: unclassified records and those still waiting for review (a newly trained
    # model or new rules may decide them now); automatic and manual decisions stay.
    last = 0
    while True:
        rows = store.records_to_classify(catalog, redo, last, batch)
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def run(
    catalog: Catalog, settings: dict, folder: Path, redo: bool = False, on_progress=None
) -> RunReport:
    """Classify current records (unclassified ones, or with ``redo`` every non-manual one)."""
    version, scheme = current_scheme(catalog)
    context = ClassifyContext(catalog, scheme, version, settings, folder)
    pipeline = build_pipeline(context)
    threshold = float(settings.get("threshold", DEFAULT_THRESHOLD))
    if not 0 <= threshold <= 1:
        raise ConfigError("[classify] threshold must be between 0 and 1")
    report = RunReport(warnings=context.warnings)
    report.manual_kept = store.manual_count(catalog) if redo else 0
    for rows in list(_record_rows(catalog, redo)):
        outputs = [plugin.classify(rows) for plugin in pipeline]
        stamp = now()
        with catalog.transaction():
            for index, row in enumerate(rows):
                results = [(plugin, output[index]) for plugin, output in zip(pipeline, outputs)]
                store.add_results(
                    catalog,
                    [
                        (
                            row["id"],
                            p.name,
                            r.category,
                            round(r.confidence, 4),
                            int(p.authoritative),
                            json.dumps(r.evidence, ensure_ascii=False),
                            version,
                            stamp,
                        )
                        for p, r in results
                        if r is not None
                    ],
                )
                status, winner, name = decide(results, threshold)
                store.set_decision(
                    catalog,
                    [
                        row["record_key"],
                        row["id"],
                        winner.category if winner and status == "auto" else None,
                        version,
                        status,
                        name,
                        winner.confidence if winner else None,
                        None,
                        "seoulrec",
                        stamp,
                    ],
                )
                if status == "auto":
                    report.classified += 1
                    report.by_classifier[name] = report.by_classifier.get(name, 0) + 1
                else:
                    report.needs_review += 1
            catalog.audit(
                "classify.run",
                detail={"records": len(rows), "redo": redo, "scheme_version": version},
            )
        if on_progress:
            on_progress(len(rows))
    return report


def review_queue(catalog: Catalog, limit: int | None = None) -> list[dict]:
    """Records waiting for an archivist, oldest first, with every classifier's evidence."""
    version, scheme = current_scheme(catalog, create=False)
    queue = []
    for record_id, key, title, department, unit_task, at in store.waiting(catalog, limit):
        evidence = [
            {
                "classifier": cl,
                "category": cat,
                "name": scheme.categories[cat].name if cat in scheme.categories else None,
                "confidence": conf,
                "evidence": json.loads(ev or "{}"),
            }
            for cl, cat, conf, ev in store.latest_results(catalog, record_id)
        ]
        queue.append(
            {
                "id": record_id,
                "record_key": key,
                "title": title,
                "department": department,
                "unit_task": unit_task,
                "queued": at,
                "suggestions": evidence,
            }
        )
    return queue


def set_manual_many(
    catalog: Catalog, record_ids: list[int], code: str, reason: str, actor: str | None = None
) -> list[dict]:
    """File several records under one category in one transaction (all or none)."""
    with catalog.transaction():
        return [set_manual(catalog, record_id, code, reason, actor) for record_id in record_ids]


def set_manual(
    catalog: Catalog, record_id: int, code: str, reason: str, actor: str | None = None
) -> dict:
    """An archivist's decision: sticky across re-runs, audited with who, when and why."""
    if not (reason or "").strip():
        raise UsageError("--reason is required: say why the record belongs there")
    from seoulrec.store.disclosures import record_key_of

    key = record_key_of(catalog, record_id)
    if key is None:
        raise RecordNotFound(f"no record with id {record_id}; see `seoulrec records list`")
    version, scheme = current_scheme(catalog)
    resolved = scheme.resolve(code)
    if resolved is None:
        raise UsageError(
            f"unknown category {code!r} in scheme {scheme.name} (version {version}); see `seoulrec scheme show`"
        )
    previous = store.decision_of(catalog, key)
    actor = actor or default_actor()
    with catalog.transaction():
        store.set_decision(
            catalog,
            [
                key,
                record_id,
                resolved,
                version,
                "manual",
                None,
                1.0,
                reason.strip(),
                actor,
                now(),
            ],
        )
        catalog.audit(
            "classify.set",
            record_id,
            {
                "category": resolved,
                "previous": list(previous) if previous else None,
                "reason": reason.strip(),
                "scheme_version": version,
            },
            actor=actor,
        )
    return {
        "id": record_id,
        "category": resolved,
        "name": scheme.categories[resolved].name,
        "previous": previous[0] if previous else None,
        "status": "manual",
    }


def decision_of(catalog: Catalog, record_id: int) -> dict | None:
    """A record's classification decision as stored (to undo a later one), or None."""
    from seoulrec.store.disclosures import record_key_of

    key = record_key_of(catalog, record_id)
    if key is None:
        raise RecordNotFound(f"no record with id {record_id}; see `seoulrec records list`")
    return store.decision_row(catalog, key)


def restore(
    catalog: Catalog, record_id: int, previous: dict | None, actor: str | None = None
) -> dict:
    """Undo a decision: the record's classification as it was before (``decision_of``), audited."""
    from seoulrec.store.disclosures import record_key_of

    key = record_key_of(catalog, record_id)
    if key is None:
        raise RecordNotFound(f"no record with id {record_id}; see `seoulrec records list`")
    with catalog.transaction():
        if previous is None:
            store.delete_decision(catalog, key)
        else:
            store.set_decision(catalog, [previous[c] for c in store.DECISION_COLUMNS])
        catalog.audit(
            "classify.undo",
            record_id,
            {"restored": None if previous is None else previous.get("category"),
             "status": None if previous is None else previous.get("status")},
            actor=actor,
        )  # fmt: skip
    return {"id": record_id, "restored": previous}


def labelled_from_catalog(catalog: Catalog) -> list[tuple[dict, str]]:
    """Records with a trusted category: manual decisions and authoritative (unit-task) ones."""
    rows = store.trusted_labels(catalog)
    return [({"title": t or "", "department": d or ""}, cat) for t, d, cat in rows]


def labelled_from_file(path: Path, scheme: Scheme) -> list[tuple[dict, str]]:
    """A labelled CSV: a title column and a category column (names or codes); Seoul's
    pre-publication list works as it is (``title``, ``category``, ``dept_nm``)."""
    import csv
    import io

    from seoulrec.text import decode_text

    if not path.is_file():
        raise UsageError(f"labels file {path} does not exist")
    text, _ = decode_text(path.read_bytes(), str(path))
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower(): f for f in reader.fieldnames or []}
    if "title" not in fields or "category" not in fields:
        raise UsageError(
            f"{path}: needs a title column and a category column (found {reader.fieldnames})"
        )
    department_field = (
        fields.get("department") or fields.get("dept_nm") or fields.get("rspnber_dept_nm")
    )
    labelled, unknown = [], {}
    for row in reader:
        code = scheme.resolve(row[fields["category"]])
        if code is None:
            unknown[row[fields["category"]]] = reader.line_num
            continue
        labelled.append(
            (
                {
                    "title": row[fields["title"]] or "",
                    "department": (row.get(department_field) or "") if department_field else "",
                },
                code,
            )
        )
    if unknown:
        first = ", ".join(f"{name!r} (line {line})" for name, line in list(unknown.items())[:5])
        raise UsageError(f"{path}: categories not in the scheme: {first}")
    return labelled


# -- mapping tables and trained models --------------------------------------------------------


def load_mapping(
    path: Path, key_columns: tuple[str, ...], scheme: Scheme
) -> dict[str, tuple[str, int]]:
    """A CSV mapping (e.g. ``unit_task,category``) → {key: (category code, line)}; unknown
    categories are an error naming the line."""
    import csv
    import io

    from seoulrec.text import decode_text

    if not path.is_file():
        raise ConfigError(f"mapping table {path} does not exist")
    try:
        text, _ = decode_text(path.read_bytes(), str(path))
    except Exception as exc:
        raise ConfigError(f"{path}: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower(): f for f in reader.fieldnames or []}
    key_field = next((fields[k] for k in key_columns if k in fields), None)
    if key_field is None or "category" not in fields:
        raise ConfigError(
            f"{path}: line 1: needs the columns {key_columns[0]},category (got {reader.fieldnames})"
        )
    mapping: dict[str, tuple[str, int]] = {}
    for row in reader:
        key = " ".join((row[key_field] or "").split())
        if not key:
            continue
        code = scheme.resolve(row[fields["category"]])
        if code is None:
            raise ConfigError(
                f"{path}: line {reader.line_num}: unknown category {row[fields['category']]!r} (not in scheme {scheme.name})"
            )
        mapping[key] = (code, reader.line_num)
    return mapping


MODEL_NAME = "statistical"


def store_model(
    catalog: Catalog,
    model,
    scheme_version: int,
    params: dict,
    metrics: dict | None = None,
    name: str = MODEL_NAME,
) -> int:
    with catalog.transaction():
        version = store.add_model(
            catalog,
            name,
            [
                now(),
                scheme_version,
                json.dumps(params, ensure_ascii=False),
                json.dumps(metrics or {}),
                model.dumps(),
            ],
        )
        catalog.audit("classify.train", detail={"model_version": version, **params})
    return version


def latest_model(catalog: Catalog):
    from seoulrec.decide.learn import Model

    row = store.latest_model_row(catalog, MODEL_NAME)
    if row is None:
        return None, None
    return row[0], Model.loads(row[1])


# -- training and evaluation (the commands only render these) ---------------------------------
def train(
    catalog: Catalog, settings: dict, labels: Path | None = None, features: str | None = None
) -> dict:
    """Train the statistical classifier on a labelled file or the catalog's manual and
    unit-task decisions, and store it, versioned."""
    from seoulrec.decide.learn import Model, check_labels

    version, scheme = current_scheme(catalog)
    labelled = labelled_from_file(labels, scheme) if labels else labelled_from_catalog(catalog)
    labelled, warnings = check_labels(labelled)
    kind = features or settings.get("features", "morph")
    model = Model.train(labelled, kind)
    model_version = store_model(
        catalog,
        model,
        version,
        {
            "source": str(labels) if labels else "catalog",
            "records": len(labelled),
            "features": kind,
            "classes": model.classes,
        },
    )
    return {
        "model_version": model_version,
        "records": len(labelled),
        "classes": model.classes,
        "features": kind,
        "calibrated": model.calibrated is not None,
        "warnings": warnings,
    }


def _key(record: dict) -> tuple[str, str]:
    return ((record.get("title") or "").strip(), (record.get("department") or "").strip())


def evaluate(
    catalog: Catalog, settings: dict, labels: Path | None = None, cv: bool = False, folds: int = 5
) -> dict:
    """Accuracy, macro-F1, per-class figures, confusion and calibration, beside the baseline.

    With ``labels`` and a trained model: held-out evaluation, and rows the model was trained on
    are left out (and counted), never scored as held out. Otherwise k-fold cross-validation."""
    from seoulrec.decide.learn import (
        calibration,
        check_labels,
        cross_validate,
        figures,
        metrics,
        svm_ranked,
    )

    _, scheme = current_scheme(catalog)
    model_version, model = latest_model(catalog)
    if labels and model is not None and not cv:
        labelled = labelled_from_file(labels, scheme)
        trained_on = {_key(r) for r, _ in (model.training or [])}
        held_out = [(r, label) for r, label in labelled if _key(r) not in trained_on]
        excluded = len(labelled) - len(held_out)
        if not held_out:
            raise UsageError(
                f"every row of {labels} was used to train model version {model_version}: there is nothing held out to evaluate. "
                "Evaluate on other labelled data, or use --cv for cross-validation"
            )
        records = [r for r, _ in held_out]
        truth = [label for _, label in held_out]
        predictions = model.predict(records, explain=0)
        predicted = [c for c, _, _ in predictions]
        confidence = [p for _, p, _ in predictions]
        threshold = float(settings.get("threshold", DEFAULT_THRESHOLD))
        ours = {
            **metrics(truth, predicted),
            **figures(truth, model.rank(records), confidence, threshold),
            "calibration": calibration(truth, predicted, confidence),
        }
        ranked, base_confidence = svm_ranked(
            [r.get("title") or "" for r, _ in model.training],
            [c for _, c in model.training],
            [r.get("title") or "" for r in records],
        )
        baseline = {
            **metrics(truth, [r[0] for r in ranked]),
            **figures(truth, ranked, base_confidence, threshold),
        }
        warnings = (
            [f"{excluded} rows of {labels} were in the model's training data and are left out"]
            if excluded
            else []
        )
        return {
            "mode": "held-out",
            "model_version": model_version,
            "excluded_trained": excluded,
            **ours,
            "baseline": baseline,
            "warnings": warnings,
        }
    labelled = labelled_from_file(labels, scheme) if labels else labelled_from_catalog(catalog)
    labelled, warnings = check_labels(labelled)
    result = cross_validate(labelled, settings.get("features", "morph"), folds)
    return {
        "mode": "cross-validation",
        "folds": result["folds"],
        **result["model"],
        "baseline": result["baseline"],
        "warnings": warnings,
    }
