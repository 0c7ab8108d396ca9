"""Filing records under unit tasks (단위과제) with their retention (보존기간), archivists in control.

A record that came with a unit task (a pubdoc or manifest with ``tkcrd_nm``) keeps it. For
every other current record, ``classify run`` asks the unit-task model (``seoulrec.decide.
unit_task``, trained with ``classify train --target unit-task``) for a suggestion: at or above
``[classify] unit_task_threshold`` it is filed at once (status ``auto``); below, it waits in the
unit-task review queue with its top 5 alternatives until an archivist accepts one (``manual``,
audited). Filing sets the record's unit task and retention as if it had come with them, so
``records show``, the index and the portal carry them; the next ``disclose apply`` republishes
the row. An accepted filing is sticky: a new version of the record gets it again.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from seoulrec.decide.classify import store_model
from seoulrec.errors import ConfigError, RecordNotFound, UsageError
from seoulrec.store import classifications as store
from seoulrec.store.catalog import Catalog, default_actor, now

UNIT_TASK_MODEL = "unit_task"
#: Measured on the shared real week split by date (README, "Unit tasks"): at 0.95, 5-15% of
#: records are filed without review, 96-100% of them rightly (at 0.9: 12-18%, 95-96%); below,
#: an archivist decides.
DEFAULT_UNIT_TASK_THRESHOLD = 0.95


def unit_task_threshold(settings: dict) -> float:
    value = settings.get("unit_task_threshold", DEFAULT_UNIT_TASK_THRESHOLD)
    try:
        threshold = float(value)
    except (TypeError, ValueError):
        threshold = -1.0
    if not 0 <= threshold <= 1:
        raise ConfigError(f"[classify] unit_task_threshold must be between 0 and 1, not {value!r}")
    return threshold


def train(catalog: Catalog, labels: Path) -> dict:
    """Learn unit tasks and their retention from a labelled list (Seoul's info_list layout or
    seoulrec's own CSV) and store the model, versioned."""
    from seoulrec.decide.unit_task import UnitTaskModel, read_labels

    rows = read_labels(labels)
    started = time.perf_counter()
    model = UnitTaskModel().fit(rows)
    seconds = round(time.perf_counter() - started, 1)
    blob = model.dumps()
    version = store_model(
        catalog,
        model,
        0,
        {"source": str(labels), "records": len(rows), "unit_tasks": len(model.tasks)},
        {"train_seconds": seconds, "model_bytes": len(blob)},
        name=UNIT_TASK_MODEL,
    )
    return {
        "model_version": version,
        "records": len(rows),
        "unit_tasks": len(model.tasks),
        "with_retention": len(model.retention),
        "temperature": model.temperature,
        "train_seconds": seconds,
        "model_bytes": len(blob),
    }


def latest_model(catalog: Catalog):
    """(version, model) of the stored unit-task model, or (None, None)."""
    from seoulrec.decide.unit_task import UnitTaskModel

    row = store.latest_model_row(catalog, UNIT_TASK_MODEL)
    return (None, None) if row is None else (row[0], UnitTaskModel.loads(row[1]))


def evaluate(catalog: Catalog, settings: dict, labels: Path, with_baseline: bool = True) -> dict:
    """Held-out figures of the stored unit-task model on ``labels`` beside the baseline trained
    on the model's own training rows in the same run, at the unit-task review threshold."""
    from seoulrec.decide.unit_task import evaluate as evaluate_model
    from seoulrec.decide.unit_task import read_labels

    version, model = latest_model(catalog)
    if model is None:
        raise UsageError(
            "no unit-task model yet: run `seoulrec classify train --target unit-task --labels FILE` first"
        )
    training = model.training_labels() if with_baseline else None
    result = evaluate_model(
        model, read_labels(labels), unit_task_threshold(settings), with_baseline, training
    )
    excluded = result["excluded_trained"]
    warnings = (
        [f"{excluded} rows of {labels} were in the model's training data and are left out"]
        if excluded
        else []
    )
    return {
        "mode": "held-out",
        "target": "unit-task",
        "model_version": version,
        **result,
        "warnings": warnings,
    }


# -- suggesting, queueing, accepting --------------------------------------------------------------
@dataclass
class FilingReport:
    model_version: int | None = None
    filed: int = 0
    needs_review: int = 0
    manual_kept: int = 0
    unchanged: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def run(catalog: Catalog, settings: dict, on_progress=None, batch: int = 5000) -> FilingReport:
    """Suggest a unit task for every current record without one (see the module docstring)."""
    threshold = unit_task_threshold(settings)
    version, model = latest_model(catalog)
    report = FilingReport(model_version=version)
    if model is None:
        return report
    last = 0
    while rows := store.records_without_unit_task(catalog, last, batch):
        last = rows[-1][0]
        stamp = now()
        filings, filed = [], []
        todo = []
        for (
            record_id,
            key,
            title,
            department,
            writer,
            status,
            filed_id,
            filed_version,
            task,
            keep,
        ) in rows:
            if status == "manual" and task:
                # An archivist's filing is sticky: a new version of the record gets it again.
                filed.append((task, keep, record_id))
                report.manual_kept += 1
            elif status == "needs_review" and filed_id == record_id and filed_version == version:
                report.unchanged += 1
            else:
                todo.append(
                    (
                        record_id,
                        key,
                        {
                            "title": title or "",
                            "department": department or "",
                            "writer": writer or "",
                        },
                    )
                )
        suggestions = model.suggest([record for _, _, record in todo]) if todo else []
        for (record_id, key, _), s in zip(todo, suggestions):
            auto = s.confidence >= threshold
            filings.append(
                (
                    key,
                    record_id,
                    s.unit_task,
                    s.retention,
                    s.confidence,
                    json.dumps(s.alternatives, ensure_ascii=False),
                    "auto" if auto else "needs_review",
                    version,
                    None,
                    "seoulrec",
                    stamp,
                )
            )
            if auto:
                filed.append((s.unit_task, s.retention, record_id))
                report.filed += 1
            else:
                report.needs_review += 1
        with catalog.transaction():
            store.set_filings(catalog, filings)
            store.file_unit_tasks(catalog, filed)
            catalog.audit(
                "classify.unit_tasks",
                detail={"records": len(rows), "filed": len(filed), "model_version": version},
            )
        if on_progress:
            on_progress(len(rows))
    return report


def queue(catalog: Catalog, limit: int | None = None) -> list[dict]:
    """Unit-task suggestions waiting for an archivist, oldest first, with the alternatives."""
    items = []
    for row in store.unit_task_queue(catalog, limit):
        items.append(
            {
                "id": row["record_id"],
                "record_key": row["record_key"],
                "title": row["title"],
                "department": row["department"],
                "unit_task": row["unit_task"],
                "retention": row["retention"],
                "confidence": row["confidence"],
                "alternatives": [
                    {"unit_task": t, "confidence": c}
                    for t, c in json.loads(row["alternatives"] or "[]")
                ],
                "queued": row["at"],
            }
        )
    return items


def accept(
    catalog: Catalog,
    record_id: int,
    reason: str,
    unit_task: str | None = None,
    choice: int = 1,
    retention: str | None = None,
    actor: str | None = None,
) -> dict:
    """An archivist files a record under a unit task: the suggestion (or alternative ``choice``,
    1-5) or a named one, with its retention; sticky and audited (who, when, why)."""
    from seoulrec.store.disclosures import record_key_of

    if not (reason or "").strip():
        raise UsageError("--reason is required: say why the record belongs there")
    key = record_key_of(catalog, record_id)
    if key is None:
        raise RecordNotFound(f"no record with id {record_id}; see `seoulrec records list`")
    previous = store.filing_of(catalog, key)
    own = catalog.get_record(record_id).get("unit_task")
    if own and (previous is None or previous["record_id"] != record_id):
        raise UsageError(
            f"record {record_id} came with its unit task {own!r}; it keeps it (fix it at the source)"
        )
    if unit_task is None:
        if previous is None or not previous["alternatives"]:
            raise UsageError(
                f"record {record_id} has no unit-task suggestion: name one with --unit-task NAME"
            )
        alternatives = json.loads(previous["alternatives"])
        if not 1 <= choice <= len(alternatives):
            raise UsageError(f"--choice must be between 1 and {len(alternatives)}")
        unit_task = alternatives[choice - 1][0]
    unit_task = unit_task.strip()
    if not unit_task:
        raise UsageError("--unit-task must name a unit task")
    if not retention:
        _, model = latest_model(catalog)
        retention = (model.retention.get(unit_task) if model else None) or ""
    if not retention:
        raise UsageError(
            f"no retention known for {unit_task!r}: give it with --retention (1년, 3년, 5년, 10년, 30년, 준영구, 영구)"
        )
    actor = actor or default_actor()
    with catalog.transaction():
        store.set_filings(
            catalog,
            [
                (
                    key,
                    record_id,
                    unit_task,
                    retention,
                    1.0,
                    previous["alternatives"] if previous else None,
                    "manual",
                    previous["model_version"] if previous else None,
                    reason.strip(),
                    actor,
                    now(),
                )
            ],
        )
        store.file_unit_tasks(catalog, [(unit_task, retention, record_id)])
        catalog.audit(
            "classify.unit_task",
            record_id,
            {
                "unit_task": unit_task,
                "retention": retention,
                "previous": {k: previous[k] for k in ("unit_task", "status")} if previous else None,
                "reason": reason.strip(),
            },
            actor=actor,
        )
    return {"id": record_id, "unit_task": unit_task, "retention": retention, "status": "manual"}


def filing_of(catalog: Catalog, record_id: int) -> dict | None:
    """A record's unit-task filing as stored (to undo a later one), or None."""
    from seoulrec.store.disclosures import record_key_of

    key = record_key_of(catalog, record_id)
    if key is None:
        raise RecordNotFound(f"no record with id {record_id}; see `seoulrec records list`")
    return store.filing_of(catalog, key)


def restore(catalog: Catalog, record_id: int, previous: dict | None, actor: str | None = None):
    """Undo an accepted filing: the filing as it was (``filing_of``), and the record's unit task
    and retention with it (empty again when it was only a suggestion), audited."""
    from seoulrec.store.disclosures import record_key_of

    key = record_key_of(catalog, record_id)
    if key is None:
        raise RecordNotFound(f"no record with id {record_id}; see `seoulrec records list`")
    with catalog.transaction():
        if previous is None:
            store.delete_filing(catalog, key)
        else:
            store.set_filings(catalog, [tuple(previous[c] for c in store.FILING_COLUMNS)])
        kept = (
            previous if previous is not None and previous["status"] in ("auto", "manual") else None
        )
        store.file_unit_tasks(
            catalog,
            [
                (
                    kept["unit_task"] if kept else None,
                    kept["retention"] if kept else None,
                    record_id,
                )
            ],
        )
        catalog.audit(
            "classify.unit_task_undo",
            record_id,
            {"restored": kept["unit_task"] if kept else None},
            actor=actor,
        )
