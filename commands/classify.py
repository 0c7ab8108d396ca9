"""``seoulrec classify run|review|set|train|eval``: classification with archivists in control."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from seoulrec.decide import classify as core
from seoulrec.config import load_config
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


def register(app: typer.Typer) -> None:
    app.add_typer(classify_app, name="classify")


def _settings():
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

    Example: seoulrec classify run --all --json
    """
    settings, folder = _settings()
    cat = open_catalog(catalog)
    report = core.run(cat, settings, folder, redo=redo)
    if as_json:
        emit_json(report.to_dict())
        return
    for warning in report.warnings:
        warn(warning)
    summary(
        "classification",
        ["classified", "needs review", "manual kept"],
        [[report.classified, report.needs_review, report.manual_kept]],
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
    limit: Optional[int] = typer.Option(
        None, "--limit", min=1, max=MAX_ID, help="At most N records, oldest first."
    ),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """The review queue, oldest first, with every classifier's suggestion and evidence.

    Example: seoulrec classify review --json
    """
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
                f"{best['category']} {best['name']} ({best['confidence']:.2f}, {best['classifier']})"
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
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Train the statistical classifier and store it, versioned, in the catalog.

    Example: seoulrec classify train --labels public_list_2021-01.csv
    """
    settings, _ = _settings()
    cat = open_catalog(catalog)
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
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Measure the classifier: accuracy, macro-F1, per-class precision/recall, confusion table,
    beside the baseline (TF-IDF character n-grams + linear SVM) on the same data.

    With --labels and a trained model: the model is evaluated on the file's rows it was not
    trained on (rows it was trained on are left out and counted; a file of only those is
    refused) and the baseline is trained on the model's training data. Otherwise: k-fold
    cross-validation. Calibration (Brier score, reliability by confidence bin) is reported beside
    accuracy, so the review threshold can be read as a probability.

    Example: seoulrec classify eval --labels held_out.csv --json
    """
    settings, _ = _settings()
    cat = open_catalog(catalog)
    result = core.evaluate(cat, settings, labels, cv, folds)
    for warning in result.get("warnings", []):
        warn(warning)
    if as_json:
        emit_json(result)
        return
    table(
        f"evaluation ({result['mode']}, {result['records']} records)",
        ["", "accuracy", "macro-F1"],
        [
            ["seoulrec", result["accuracy"], result["macro_f1"]],
            [
                "baseline (char TF-IDF + linear SVM)",
                result["baseline"]["accuracy"],
                result["baseline"]["macro_f1"],
            ],
        ],
    )
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
