"""``seoulrec classify run|review|set|unit-tasks|accept|train|eval``: classification with archivists in control."""

from pathlib import Path
from typing import List, Optional

import typer

from seoulrec.errors import UsageError

from .console import (
    MAX_ID,
    IdsFromOption,
    collect_ids,
    CatalogOption,
    CsvOption,
    Format,
    JsonOption,
    TsvOption,
    emit_json,
    confidence_text,
    counting,
    info,
    listing,
    open_catalog,
    output_format,
    summary,
    table,
    warn,
)

classify_app = typer.Typer(
    help="Classify records under the standard scheme; review and override.\n\nExample: seoulrec classify run && seoulrec classify review",
    no_args_is_help=True,
)


LimitOption = typer.Option(
    None, "--limit", min=1, max=MAX_ID, help="At most N records, oldest first."
)


def register(app: typer.Typer) -> None:
    app.add_typer(classify_app, name="classify")


def _settings():
    from seoulrec.config import load_config

    config = load_config()
    return config.section("classify"), config.folder


@classify_app.command("run")
def run(
    catalog: Optional[str] = CatalogOption,
    redo: bool = typer.Option(
        False, "--all", help="Redo every automatic decision (manual ones are kept)."
    ),
    as_json: bool = JsonOption,
):
    """Run the classifier pipeline of seoulrec.toml over unclassified records.

    Decision: an authoritative result (unit-task mapping) wins; else the best result at or above
    [classify] threshold; else the record goes to the review queue. Manual decisions are kept.

    Unit tasks (단위과제): once a unit-task model is trained (`classify train --target
    unit-task`), every current record that came without a unit task gets a suggestion with its
    retention and top 5 alternatives; at or above [classify] unit_task_threshold (default 0.95)
    it is filed, below it waits in `classify unit-tasks` for `classify accept`. Records that
    came with a unit task keep it; accepted ones stay accepted. On a terminal a progress bar
    counts the records (stderr).

    Example: seoulrec classify run --all --json
    """
    from seoulrec.decide import classify as core
    from seoulrec.decide import filing

    settings, folder = _settings()
    cat = open_catalog(catalog)
    with counting("classify") as advance:
        report = core.run(cat, settings, folder, redo=redo, on_progress=advance)
    with counting("unit tasks") as advance:
        unit_tasks = filing.run(cat, settings, on_progress=advance)
    if as_json:
        emit_json({**report.to_dict(), "unit_tasks": unit_tasks.to_dict()})
        return
    for warning in report.warnings:
        warn(warning)
    summary(
        "classification",
        ["classified", "needs review", "manual kept"],
        [[report.classified, report.needs_review, report.manual_kept]],
    )
    if unit_tasks.model_version is not None:
        summary(
            f"unit tasks (model version {unit_tasks.model_version})",
            ["filed", "needs review", "accepted kept", "unchanged"],
            [
                [
                    unit_tasks.filed,
                    unit_tasks.needs_review,
                    unit_tasks.manual_kept,
                    unit_tasks.unchanged,
                ]
            ],
        )
    if report.by_classifier:
        summary(
            "decided by",
            ["classifier", "records"],
            [[k, v] for k, v in sorted(report.by_classifier.items())],
        )


@classify_app.command("review")
def review(
    catalog: Optional[str] = CatalogOption,
    limit: Optional[int] = LimitOption,
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """The review queue, oldest first, with every classifier's suggestion and evidence.

    Example: seoulrec classify review --json
    """
    from seoulrec.decide import classify as core

    fmt = output_format(as_json, as_csv, as_tsv)
    cat = open_catalog(catalog)
    queue = core.review_queue(cat, limit)
    rows = []
    for item in queue:
        best = item["suggestions"][0] if item["suggestions"] else None
        rows.append(
            [
                item["id"],
                item["title"] or "",
                item["department"],
                f"{best['category']} {best['name']} ({confidence_text(best['confidence'])}, {best['classifier']})"
                if best
                else "no suggestion",
            ]
        )
    listing(
        fmt,
        f"{len(queue)} records need review",
        ["id", "title", "department", "best suggestion"],
        rows,
        document=queue,
    )
    if queue and fmt is Format.table:
        info("Decide with: seoulrec classify set ID CODE --reason TEXT")


@classify_app.command("set")
def set_(
    args: List[str] = typer.Argument(
        ...,
        help="Record ids, then the category code or name (see `seoulrec scheme show`).",
        metavar="ID... CODE",
    ),
    ids_from: Optional[str] = IdsFromOption,
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """File records manually; sticky across re-runs and audited (who, when, why). Several ids
    (or --ids-from FILE|-) are filed together in one transaction: all or none.

    Example: seoulrec classify set 12 13 TRA --reason "자전거 대여소 사업"
    """
    from seoulrec.decide import classify as core

    *raw_ids, code = args
    bad = [a for a in raw_ids if not a.isdigit()]
    if bad:
        raise UsageError(
            f"record ids are numbers, not {', '.join(map(repr, bad))}; the category code comes last"
        )
    ids = collect_ids([int(a) for a in raw_ids], ids_from)
    cat = open_catalog(catalog)
    results = core.set_manual_many(cat, ids, code, reason)
    if as_json:
        emit_json(results[0] if len(results) == 1 and not ids_from else results)
        return
    info(
        f"{len(results)} records filed under {results[0]['category']} {results[0]['name']} (manual)"
    )


@classify_app.command("unit-tasks")
def unit_tasks(
    catalog: Optional[str] = CatalogOption,
    limit: Optional[int] = LimitOption,
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """The unit-task review queue: records whose suggested unit task (단위과제) is below
    [classify] unit_task_threshold, oldest first, with the retention and the top 5.

    Example: seoulrec classify unit-tasks --limit 20
    """
    from seoulrec.decide import filing

    fmt = output_format(as_json, as_csv, as_tsv)
    cat = open_catalog(catalog)
    items = filing.queue(cat, limit)
    rows = [
        [
            item["id"],
            item["title"] or "",
            item["department"] or "",
            " | ".join(
                f"{n}. {a['unit_task']} ({confidence_text(a['confidence'])})"
                for n, a in enumerate(item["alternatives"], 1)
            ),
        ]
        for item in items
    ]
    listing(
        fmt,
        f"{len(items)} records wait for a unit task",
        ["id", "title", "department", "suggestions (1 = best)"],
        rows,
        document=items,
    )
    if items and fmt is Format.table:
        info(
            "Accept with: seoulrec classify accept ID [--choice N | --unit-task NAME] --reason TEXT"
        )


@classify_app.command("accept")
def accept(
    record_id: int = typer.Argument(
        ..., min=1, max=MAX_ID, help="Record id (see `classify unit-tasks`)."
    ),
    choice: int = typer.Option(1, "--choice", min=1, max=5, help="Which suggestion (1 = best)."),
    unit_task: Optional[str] = typer.Option(
        None, "--unit-task", help="File under this unit task instead of a suggestion."
    ),
    retention: Optional[str] = typer.Option(
        None, "--retention", help="보존기간 (default: the unit task's usual retention)."
    ),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """File a record under a unit task (단위과제) and its retention: a suggestion of the queue or
    one you name. Sticky across re-runs and new versions, audited (who, when, why).

    Example: seoulrec classify accept 12 --choice 2 --reason "복무 관련 문서"
    """
    from seoulrec.decide import filing

    cat = open_catalog(catalog)
    result = filing.accept(cat, record_id, reason, unit_task, choice, retention)
    if as_json:
        emit_json(result)
        return
    info(
        f"record {record_id} filed under {result['unit_task']} (보존기간 {result['retention']}, manual)"
    )


def _figures_table(title: str, result: dict) -> None:
    """seoulrec's figures beside the baseline's (auto: filed without review at the threshold)."""

    def row(name: str, f: dict) -> list:
        auto = f.get("auto") or {}
        return [name, f["accuracy"], f.get("top5", ""), f["macro_f1"], f.get("ece", ""),
                auto.get("share", ""), auto.get("accuracy", "")]  # fmt: skip

    rows = [row("seoulrec", result)]
    if "baseline" in result:
        rows.append(row("baseline (char TF-IDF + linear SVM)", result["baseline"]))
    table(title, ["", "top-1", "top-5", "macro-F1", "ECE", "auto share", "auto accuracy"], rows)


TargetOption = typer.Option(
    "field", "--target", help="field (the portal's subject field, default) or unit-task (단위과제)."
)


def _target(value: str) -> str:
    if value not in ("field", "unit-task"):
        raise UsageError(f"--target must be field or unit-task, not {value!r}")
    return value


@classify_app.command("train")
def train(
    labels: Optional[Path] = typer.Option(
        None,
        "--labels",
        help="Labelled CSV (title and category columns); default: the catalog's manual and unit-task decisions.",
    ),
    features: Optional[str] = typer.Option(
        None,
        "--features",
        help="morph (kiwipiepy morphemes + character n-grams, default) or char+stem.",
    ),
    target: str = TargetOption,
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Train the statistical classifier and store it, versioned, in the catalog.

    --target unit-task learns unit tasks (단위과제) and their retention (보존기간) from Seoul's
    approval-document list as published (info_list_*.csv: tkcrd_nm, othbc_pd, title,
    rspnber_dept_nm, writer, either header variant) or a CSV with title, department, unit_task,
    retention and (optional) writer columns: the drafter's own filing habits count too.

    Example: seoulrec classify train --labels public_list_2021-01.csv

    Example: seoulrec classify train --target unit-task --labels info_list_2021-01-11.csv
    """
    from seoulrec.decide import classify as core
    from seoulrec.decide import filing

    settings, _ = _settings()
    cat = open_catalog(catalog)
    if _target(target) == "unit-task":
        if labels is None:
            raise UsageError("--target unit-task needs --labels FILE (Seoul's info_list layout)")
        result = filing.train(cat, labels)
        if as_json:
            emit_json(result)
            return
        info(
            f"Trained unit-task model version {result['model_version']} on {result['records']} records: "
            f"{result['unit_tasks']} unit tasks, {result['with_retention']} with a retention; "
            f"{result['train_seconds']} s, {result['model_bytes'] // 1024} KiB"
        )
        return
    result = core.train(cat, settings, labels, features)
    for warning in result["warnings"]:
        warn(warning)
    if as_json:
        emit_json(result)
        return
    info(
        f"Trained model version {result['model_version']} on {result['records']} records, {len(result['classes'])} categories ({result['features']}"
        + (
            ", calibrated)"
            if result["calibrated"]
            else ", not calibrated: too few examples in some category, or too many records)"
        )
    )


@classify_app.command("eval")
def evaluate(
    labels: Optional[Path] = typer.Option(
        None, "--labels", help="Evaluate the trained model on this labelled CSV."
    ),
    folds: int = typer.Option(
        5,
        "--folds",
        min=2,
        max=100,
        help="Cross-validation folds (without a trained model or --labels).",
    ),
    cv: bool = typer.Option(
        False,
        "--cv",
        help="Cross-validate on --labels (or the catalog) instead of using the trained model.",
    ),
    target: str = TargetOption,
    no_baseline: bool = typer.Option(
        False,
        "--no-baseline",
        help="Leave the baseline out (--target unit-task: it trains for minutes).",
    ),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Measure the classifier: accuracy, macro-F1, per-class precision/recall, confusion table,
    beside the baseline (TF-IDF character n-grams + linear SVM) on the same data.

    --target unit-task: the stored unit-task model on --labels (rows it was trained on left
    out and counted): accuracy, top5, macro_f1, ece (10 bins), auto (at the review threshold:
    the share filed without review and its accuracy), retention right where the unit task is
    right, unknown_unit_task_share (rows under a unit task the model never saw: the ceiling is
    1 minus it), and a baseline object with the same figures (LinearSVC on title and
    department, trained on the model's rows in this run).

    With --labels and a trained model: the model is evaluated on the file's rows it was not
    trained on (rows it was trained on are left out and counted; a file of only those is
    refused) and the baseline is trained on the model's training data. Otherwise: k-fold
    cross-validation. Calibration (Brier score, reliability by confidence bin) is reported beside
    accuracy, so the review threshold can be read as a probability.

    Example: seoulrec classify eval --labels held_out.csv --json
    """
    from seoulrec.decide import classify as core
    from seoulrec.decide import filing

    settings, _ = _settings()
    cat = open_catalog(catalog)
    if _target(target) == "unit-task":
        if labels is None:
            raise UsageError(
                "--target unit-task needs --labels FILE (held-out rows of Seoul's list)"
            )
        if not no_baseline:
            info(
                "The baseline (LinearSVC on the model's training rows) trains first: "
                "minutes for a week of Seoul's list (--no-baseline leaves it out)."
            )
        result = filing.evaluate(cat, settings, labels, not no_baseline)
        for warning in result["warnings"]:
            warn(warning)
        if as_json:
            emit_json(result)
            return
        _figures_table(
            f"unit tasks (held out: {result['records']} records, {result['unknown_unit_task_share']:.1%} of them under a unit task the model never saw; retention right where the unit task is: {result['retention_right_where_unit_task_right']})",
            result,
        )
        return
    result = core.evaluate(cat, settings, labels, cv, folds)
    for warning in result.get("warnings", []):
        warn(warning)
    if as_json:
        emit_json(result)
        return
    _figures_table(f"evaluation ({result['mode']}, {result['records']} records)", result)
    table(
        "per category",
        ["category", "precision", "recall", "support"],
        [[c, m["precision"], m["recall"], m["support"]] for c, m in result["per_class"].items()],
    )
    labels_ = result["confusion"]["labels"]
    table(
        "confusion (rows: truth, columns: predicted)",
        [""] + labels_,
        [[label] + row for label, row in zip(labels_, result["confusion"]["matrix"])],
    )
    cal = result["calibration"]
    table(
        f"calibration (top-label Brier score {cal['brier']}; 0 is perfect)",
        ["confidence", "records", "mean confidence", "accuracy"],
        [
            [b["confidence"], b["records"], b["mean_confidence"], b["accuracy"]]
            for b in cal["reliability"]
        ],
    )
