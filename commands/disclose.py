"""``seoulrec disclose apply|explain|check|set`` and ``seoulrec review queue|decide|due``."""

import sys

from datetime import date
from pathlib import Path
from typing import List, Optional

import typer

from seoulrec.dates import parse_date
from seoulrec.errors import UsageError

from .console import (
    EXIT_FAILURE,
    MAX_ID,
    CatalogOption,
    CsvOption,
    Format,
    IdsFromOption,
    JsonOption,
    TsvOption,
    collect_ids,
    counting,
    emit_json,
    info,
    listing,
    open_catalog,
    output_format,
    summary,
    table,
)

disclose_app = typer.Typer(
    help="Decide what the public may see, per record, by rule.\n\nExample: seoulrec disclose apply && seoulrec disclose check --strict",
    no_args_is_help=True,
)
review_app = typer.Typer(
    help="With no subcommand, the archivist's workbench: the review queues one record at a time "
    "(title, department, approval chain, text and attachments, suggestions with confidence). "
    "Keys: a accept the best suggestion, 1-5 choose another, s search the scheme, d set a "
    "disclosure class with grounds and reason, n skip, u undo the last decision, / search the "
    "catalog and open a hit, q quit. Decisions go through the same functions as `classify set` "
    "and `disclose set` (audited with --actor, one transaction each); `disclose apply` "
    "publishes them. It needs a terminal (80x24 is enough, over SSH too).\n\n"
    "The subcommands are the disclosure review board (직권심의): queue, decisions, due re-reviews."
    "\n\nExample: SEOULREC_ACTOR=kim seoulrec review --queue classification\n\n"
    "Example: seoulrec review queue --json",
    invoke_without_command=True,
)

TodayOption = typer.Option(
    None, "--today", help="Decide as of this date (YYYY-MM-DD; default: today)."
)


def register(app: typer.Typer) -> None:
    app.add_typer(disclose_app, name="disclose")
    app.add_typer(review_app, name="review")


def _day(value: Optional[str], option: str = "--today") -> date:
    return date.today() if value is None else parse_date(value, option)


def _policy():
    from seoulrec.config import load_config
    from seoulrec.decide.policy import policy_from_config

    config = load_config()
    return policy_from_config(config)


@disclose_app.command("apply")
def apply(
    catalog: Optional[str] = CatalogOption,
    today: Optional[str] = TodayOption,
    as_json: bool = JsonOption,
):
    """Compute the disclosure decision of every current record (and its attachments).

    Idempotent; manual decisions, board decisions and release dates are honoured; a release
    date that has passed publishes the record. On a terminal a progress bar counts the
    records (stderr).

    Example: seoulrec disclose apply --json
    """
    from seoulrec.decide import disclosure

    policy = _policy()
    cat = open_catalog(catalog)
    with counting("disclose") as advance:
        counts = disclosure.apply(cat, policy, _day(today), on_progress=advance)
    if as_json:
        emit_json({"policy_version": policy.version, **counts})
        return
    summary(
        f"disclosure decisions (policy {policy.version})",
        [
            "records",
            "originals published",
            "withheld",
            "공개",
            "부분공개",
            "비공개",
            "newly published",
            "titles masked",
        ],
        [
            [
                counts["records"],
                counts["original_public"],
                counts["withheld"],
                counts["public"],
                counts["partial"],
                counts["non_public"],
                counts["newly_public"],
                counts["titles_masked"],
            ]
        ],
    )


@disclose_app.command("explain")
def explain(
    record_id: int = typer.Argument(..., min=1, max=MAX_ID, help="Record id."),
    catalog: Optional[str] = CatalogOption,
    today: Optional[str] = TodayOption,
    as_json: bool = JsonOption,
):
    """Explain one record's decision in plain words (which rule, rank, date and class).

    Example: seoulrec disclose explain 12
    """
    from seoulrec.decide import disclosure

    cat = open_catalog(catalog, readonly=True)
    result = disclosure.explain(cat, record_id, _policy(), _day(today))
    if as_json:
        emit_json(result)
        return
    sys.stdout.write(result["explanation"] + "\n")


@disclose_app.command("suspects")
def suspects_(
    labels: Optional[Path] = typer.Option(
        None,
        "--labels",
        help="Learn what officers withhold from this list (Seoul's info_list layout, othbc_se) instead of the catalog's own records.",
    ),
    eval_file: Optional[Path] = typer.Option(
        None,
        "--eval",
        help="Measure instead: swap 20% of this list's 공개 and 비공개 labels and report the share flagged each way and of unchanged rows.",
    ),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """A second look, both ways: withheld (비공개) records that look like what officers publish
    (for the ex-officio review) and 공개 records that look like what they withhold (a leak
    check before publishing), each with the probability and the nearest titles of the other
    class. Never changes a decision: act with `disclose set` or `seoulrec review`.

    Example: seoulrec disclose suspects --json

    Example: seoulrec disclose suspects --eval info_list_2021-01-11.csv --json
    """
    from seoulrec.decide import suspects

    if eval_file is not None:
        result = suspects.evaluate(suspects.read_classes(eval_file))
        if as_json:
            emit_json(result)
            return
        table(
            f"second look, measured on {result['records']} rows of {eval_file} (labels swapped)",
            ["rows", "records", "flagged"],
            [
                ["비공개 declared 공개", *result["withheld_relabelled_public"].values()],
                ["공개 declared 비공개", *result["public_relabelled_withheld"].values()],
                ["unchanged", *result["unchanged"].values()],
            ],
        )
        return
    fmt = output_format(as_json, as_csv, as_tsv)
    cat = open_catalog(catalog, readonly=True)
    result = suspects.suspects(cat, labels)
    items = [("to open", i) for i in result["to_open"]] + [
        ("to check", i) for i in result["to_check"]
    ]
    rows = [
        [
            kind,
            i["id"],
            i["title"],
            i["declared"],
            i["probability_withheld"],
            " | ".join(n["title"] for n in i["nearest_other_class"]),
        ]
        for kind, i in items
    ]
    listing(
        fmt,
        f"{len(result['to_open'])} withheld records look public; {len(result['to_check'])} public records look withheld",
        ["look", "id", "title", "declared", "P(withheld)", "nearest titles of the other class"],
        rows,
        document=result,
    )


@disclose_app.command("check")
def check(
    catalog: Optional[str] = CatalogOption,
    strict: bool = typer.Option(
        False, "--strict", help="Exit 1 when there are violations (for CI)."
    ),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """List principle-5 violations: withheld records without grounds, a reason, or (ground 5) a date;
    and, apart from them, records that need a class or a title from an archivist (--strict
    fails only on violations).

    Example: seoulrec disclose check --strict
    """
    from seoulrec.decide import standing

    cat = open_catalog(catalog, readonly=True)
    violations = standing.check(cat)
    attention = standing.needs_attention(cat)
    fmt = output_format(as_json, as_csv, as_tsv)
    if fmt is Format.json:
        emit_json({"violations": violations, "count": len(violations), **attention})
    elif fmt is not Format.table:  # one flat list: what, id, document number, detail
        rows = [
            [
                "violation",
                v["id"],
                v["document_number"],
                v["class"] + ": " + "; ".join(v["problems"]),
            ]
            for v in violations
        ]
        rows += [
            ["needs_class", r["id"], r["document_number"], r["material_kind"] or r["kind"]]
            for r in attention["needs_class"]
        ]
        rows += [
            ["needs_title", r["id"], r["document_number"], r["listed_as"]]
            for r in attention["needs_title"]
        ]
        listing(fmt, "", ["what", "id", "document number", "detail"], rows)
    else:
        table(
            f"{len(violations)} principle-5 violations",
            ["id", "document number", "class", "problems"],
            [
                [v["id"], v["document_number"], v["class"], "; ".join(v["problems"])]
                for v in violations[:500]
            ],
        )
        if violations:
            info(
                "Fix with: seoulrec disclose set ID --class non_public --grounds 5 --reason TEXT --until DATE"
            )
        if attention["needs_class"]:
            table(
                f"{len(attention['needs_class'])} records need a class (listed, not published)",
                ["id", "kind", "source"],
                [
                    [r["id"], r["material_kind"] or r["kind"], r["source_path"]]
                    for r in attention["needs_class"][:200]
                ],
            )
            info(
                "Set one with: seoulrec disclose set ID --class public (or ingest --class, a class column in materials.csv, [disclosure.materials])"
            )
        if attention["needs_title"]:
            table(
                f"{len(attention['needs_title'])} records need a title (listed under a neutral one)",
                ["id", "listed as", "source"],
                [
                    [r["id"], r["listed_as"], r["source_path"]]
                    for r in attention["needs_title"][:200]
                ],
            )
    if strict and violations:
        raise typer.Exit(EXIT_FAILURE)


@disclose_app.command("set")
def set_(
    record_ids: Optional[List[int]] = typer.Argument(
        None, help="Record ids (or --ids-from FILE).", show_default=False
    ),
    ids_from: Optional[str] = IdsFromOption,
    cls: str = typer.Option(..., "--class", help="public, partial or non_public."),
    grounds: List[int] = typer.Option(
        [], "--grounds", help="Article 9(1) ground, 1-8 (repeat for several)."
    ),
    reason: str = typer.Option(
        "", "--reason", help="The reason in words (required unless public)."
    ),
    until: Optional[str] = typer.Option(
        None, "--until", help="Release date (YYYY-MM-DD, in the future)."
    ),
    catalog: Optional[str] = CatalogOption,
    today: Optional[str] = TodayOption,
    as_json: bool = JsonOption,
):
    """Set records' disclosure by hand: audited and sticky across re-applies. Several ids (or
    --ids-from FILE|-) are decided together in one transaction: all or none.

    Example: seoulrec disclose set 12 13 --class non_public --grounds 5 --reason "의사결정 과정" --until 2026-06-30
    """
    from seoulrec.decide import disclosure

    ids = collect_ids(record_ids, ids_from)
    day = _day(today)
    cat = open_catalog(catalog)
    results = disclosure.set_manual_many(
        cat, ids, cls, grounds, reason, _day(until, "--until") if until else None, day
    )
    if as_json:
        emit_json(results[0] if len(results) == 1 and not ids_from else results)
        return
    info(
        f"{len(results)} records: {cls}{' on ground(s) ' + ', '.join(map(str, results[0]['grounds'])) if results[0]['grounds'] else ''} recorded; run `seoulrec disclose apply` to publish the change"
    )


@review_app.callback()
def workbench(
    ctx: typer.Context,
    catalog: Optional[str] = CatalogOption,
    queue: str = typer.Option(
        "all",
        "--queue",
        help="classification, unit-tasks (단위과제 suggestions), disclosure (the board and re-reviews due), "
        "suspects (`disclose suspects`: withheld records that look public, public ones that look withheld), "
        "or all (every queue but suspects).",
    ),
    actor: Optional[str] = typer.Option(
        None,
        "--actor",
        help="Who decides (default: $SEOULREC_ACTOR, else $USER); every decision is audited.",
    ),
    today: Optional[str] = TodayOption,
):
    """Open the archivist's workbench: the review queues one record at a time (title,
    department, approval chain, text and attachments, suggestions with confidence). Keys: a
    accept the best suggestion, 1-5 choose another, s search the scheme, d set a disclosure
    class with grounds and reason, n skip, u undo the last decision, / search the catalog and
    open a hit, q quit. On a unit-task item, a and 1-5 file the record under that unit task with
    its retention (as `classify accept`). Decisions go through the same functions as
    `classify set`, `classify accept` and `disclose set` (audited, one transaction each);
    `disclose apply` publishes them.

    Example: SEOULREC_ACTOR=kim seoulrec review --queue classification
    """
    if ctx.invoked_subcommand is not None:
        return
    import os
    import sys

    if queue not in ("classification", "unit-tasks", "disclosure", "suspects", "all"):
        raise UsageError(
            f"--queue must be classification, unit-tasks, disclosure, suspects or all, not {queue!r}"
        )
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise UsageError(
            "`seoulrec review` is interactive and needs a terminal; for scripts use "
            "`seoulrec classify review --json` and `seoulrec review queue --json`"
        )
    from seoulrec.store.catalog import default_actor

    from .workbench import Workbench, build_queue

    cat = open_catalog(catalog)
    day = _day(today)
    who = actor or os.environ.get("SEOULREC_ACTOR") or default_actor()
    try:
        Workbench(cat, build_queue(cat, queue, _policy(), day), who, day).run()
    finally:
        cat.close()


@review_app.command("queue")
def queue(
    catalog: Optional[str] = CatalogOption,
    today: Optional[str] = TodayOption,
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """Every non-disclosure decision awaiting the ex-officio review, oldest first.

    Example: seoulrec review queue --json
    """
    from seoulrec.decide import disclosure

    cat = open_catalog(catalog, readonly=True)
    items = disclosure.review_queue(cat, _policy(), _day(today))
    rows = [
        [i["id"], i["document_number"], i["date"], i["class"], i["grounds"], i["reason"]]
        for i in items
    ]
    listing(
        output_format(as_json, as_csv, as_tsv),
        f"{len(items)} decisions to review",
        ["id", "document number", "date", "class", "grounds", "reason"],
        rows,
        document=items,
    )


@review_app.command("decide")
def decide(
    record_id: int = typer.Argument(..., min=1, max=MAX_ID, help="Record id."),
    decision: str = typer.Argument(..., help="uphold or overturn."),
    note: str = typer.Option(..., "--note", help="The board's note."),
    catalog: Optional[str] = CatalogOption,
    today: Optional[str] = TodayOption,
    as_json: bool = JsonOption,
):
    """Record the board's decision; overturn makes the record public on the next apply.

    Example: seoulrec review decide 12 overturn --note "내부검토 종료"
    """
    from seoulrec.decide import disclosure

    cat = open_catalog(catalog)
    result = disclosure.review_decide(cat, record_id, decision, note, _policy(), _day(today))
    if as_json:
        emit_json(result)
        return
    info(f"Record {record_id}: {decision} recorded ({result['effective']})")


@review_app.command("due")
def due(
    catalog: Optional[str] = CatalogOption,
    as_of: Optional[str] = typer.Option(
        None,
        "--today",
        "--as-of",
        help="The reference date, as everywhere else (default: today; --as-of is the old name).",
    ),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
    as_tsv: bool = TsvOption,
):
    """5-year re-reviews and 30-year openings that are due.

    Example: seoulrec review due --today 2030-01-01
    """
    from seoulrec.decide import disclosure

    cat = open_catalog(catalog, readonly=True)
    result = disclosure.due(cat, _day(as_of, "--today"))
    rows = [
        ["re-review", r["id"], r["document_number"], r["next_review"]] for r in result["rereviews"]
    ]
    rows += [
        ["30-year opening", r["id"], r["document_number"], r["opens_by_law"]]
        for r in result["openings"]
    ]
    listing(
        output_format(as_json, as_csv, as_tsv),
        f"due by {result['as_of']}",
        ["what", "id", "document number", "date"],
        rows,
        document=result,
    )
