"""``seoulrec nightly``: the whole pipeline in one command, for cron and CI."""

from datetime import date
from pathlib import Path
from typing import List, Optional

import typer

from seoulrec.dates import parse_date
from seoulrec.errors import (
    CatalogLocked,
    NightlyLocked,
    PartialFailure,
    StageFailed,
    UsageError,
)

from .console import CatalogOption, JsonOption, emit_json, info, table
from .ingest import ingest_progress


def register(app: typer.Typer) -> None:
    app.command("nightly")(nightly)


def nightly(
    inbox: Optional[List[Path]] = typer.Option(
        None,
        "--inbox",
        help="An inbox to ingest (repeatable); replaces [[nightly.inboxes]] of seoulrec.toml.",
    ),
    out: Optional[Path] = typer.Option(
        None,
        "--out",
        "-o",
        help="Output folder (index/, jsonl/, feed/, sitemap/, site/ inside); replaces [nightly] out.",
    ),
    today: Optional[str] = typer.Option(
        None, "--today", help="Decide disclosure as of this date (YYYY-MM-DD; default today)."
    ),
    jobs: Optional[int] = typer.Option(
        None, "--jobs", "-j", min=0, max=256, help="Ingest worker processes (0 = one per core)."
    ),
    no_site: bool = typer.Option(False, "--no-site", help="Skip the portal build."),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Run the whole pipeline: ingest every inbox, import the meetings and pre-publication
    registries, classify, decide disclosure, write every index export and the portal, each
    incrementally. Inboxes, output folder and registries come from [nightly] of seoulrec.toml.

    A run with no new input changes no published byte and says so ("changed": false). One run
    at a time per catalog: a lock file beside the catalog; a lock left by a dead process is
    reported and taken over. A killed run is finished by the next one.

    Exit codes: 0 done; 3 done, but some items failed (listed in the report); 4 a stage failed
    and the run stopped there (what finished is kept); 75 another run holds the lock; 2 usage
    error (missing inbox, output folder inside an inbox, bad seoulrec.toml). With --json a
    refused run (2, 75) still prints one document: {"status": "refused", "exit_code", "error"}.
    An item that fails exactly as on an earlier night is listed under known_failures and does
    not make the night exit 3.

    Example: seoulrec nightly --inbox /exports/today --out public --json > nightly.json
    """
    from seoulrec.store.catalog import Catalog
    from seoulrec.run.pipeline import Plan
    from seoulrec.config import load_config
    from seoulrec.config import resolve_catalog
    from seoulrec.run.pipeline import run_pipeline

    try:
        config = load_config()
        cat_path = resolve_catalog(catalog, config)
        day = _day(today)
        plan = Plan.from_config(config, inboxes=inbox, out=out, today=day, jobs=jobs)
        if no_site:
            plan.site = False
        plan.check(cat_path)  # before the catalog is even opened: nothing runs on a bad plan
        cat = Catalog.open(cat_path)
        progress, callbacks = ingest_progress()
        try:
            with progress:
                report = run_pipeline(
                    cat,
                    config,
                    plan,
                    on_stage=lambda name: info(f"· {name}"),
                    ingest_callbacks=callbacks,
                )
        finally:
            cat.close()
    except (UsageError, NightlyLocked, CatalogLocked) as exc:
        if as_json:  # a CI job reading stdout learns why nothing ran
            emit_json(
                {
                    "status": "refused",
                    "exit_code": exc.exit_code,
                    "error": str(exc),
                    "changed": False,
                }
            )
        raise
    document = report.to_dict()
    if as_json:
        emit_json(document)
    else:
        table(
            "nightly run",
            ["stage", "status", "seconds", "what"],
            [
                [name, stage["status"], f"{stage['seconds']:.1f}", _what(name, stage)]
                for name, stage in document["stages"].items()
            ],
        )
    if report.lock.get("stale_lock"):
        held = report.lock["stale_lock"]
        info(
            f"took over a stale lock left by process {held.get('pid')} (started {held.get('started')}); that run had stopped"
        )
    if not report.changed and not report.failed_stage:
        info("Nothing changed: no published file was touched.")
    if report.failed_stage:
        raise StageFailed(
            f"stage {report.failed_stage} failed: {document['stages'][report.failed_stage]['error']}; "
            "the stages before it are kept, the next run continues"
        )
    if report.item_failures:
        raise PartialFailure(
            f"finished, but {report.item_failures} items failed (see the report; `seoulrec failures`)"
        )


def _day(value: str | None) -> date:
    return date.today() if value is None else parse_date(value, "--today")


def _what(name: str, stage: dict) -> str:
    if stage["status"] == "failed":
        return stage.get("error", "")
    if name == "ingest":
        return f"{stage['added']} added, {stage['updated']} updated, {stage['unchanged']} unchanged, {stage['failures']} failed"
    if name == "classify":
        return f"{stage['classified']} classified, {stage['needs_review']} to review"
    if name == "disclose":
        return f"{stage.get('decisions_changed', 0)} decisions changed, {stage.get('original_public', 0)} originals public"
    if name == "export":
        return ", ".join(f"{fmt} {f['output']}" for fmt, f in stage["formats"].items())
    if name == "site":
        return f"{stage['output']}: {stage['folder']}"
    return ", ".join(f"{k} {v}" for k, v in stage.items() if isinstance(v, int) and k != "seconds")
