"""``seoulrec ingest``: batch-import files, package folders and whole trees."""

from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from seoulrec.config import MAX_JOBS
from seoulrec.errors import PartialFailure, SeoulrecError, UsageError
from seoulrec.model import OUTCOME_ADVICE

from .console import MAX_ID, CatalogOption, JsonOption, console, emit_json, info, summary

if TYPE_CHECKING:
    from rich.progress import Progress

# "\b" keeps click from re-wrapping the list into one paragraph.
OUTCOMES_HELP = "\b\n" + "\n".join(f"  {k}: {v}" for k, v in OUTCOME_ADVICE.items())


def register(app: typer.Typer) -> None:
    app.command(
        "ingest",
        help=f"""Ingest electronic-approval packages and documents into the catalog.

PATH may be files, package folders (a folder holding pubdoc.xml or a pack envelope), ZIPs
of packages, or whole trees searched recursively. Formats are identified by content.
Re-running the same batch adds nothing; a changed document becomes a new version. Every path
given or found is accounted for: read, failed with an outcome, or ignored (file names on the
[ingest] ignore list, default README*, .*, ~$*, *.tmp, *.bak, Thumbs.db, desktop.ini; files
beside a package that its document does not name are read as items of their own). Symbolic
links are never followed. One ingest runs at a time per catalog: a second one (or the nightly
job's) waits for the first to finish, up to [ingest] wait seconds (default 3600).

Exit codes: 0 all ingested (or failing only as before), 3 finished but some items failed
anew, 2 usage error, 1 failure. An item that fails exactly as before (same path, same bytes,
same outcome) is stored once and reported under known_failures, not as a new failure; a
failure marked resolved stays resolved until the file changes.

Outcomes of an item:

{OUTCOMES_HELP}

Items are read in worker processes here, or with --executor dask on a Dask cluster
(pip install 'seoulrec[dask]'; workers started with DASK_DISTRIBUTED__WORKER__DAEMON=False
and reading the same paths); the catalog is written here either way.

Example: seoulrec ingest exports/2025-10/ --jobs 2 --json > report.json

Example: seoulrec ingest /shared/exports/2025-10/ --executor dask --scheduler tcp://10.0.0.5:8786
""",
    )(ingest)


def ingest(
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Files, package folders, ZIPs or trees.", metavar="PATH", show_default=False
    ),
    catalog: Optional[str] = CatalogOption,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Read everything, write nothing; report what would change."
    ),
    fail_fast: bool = typer.Option(False, "--fail-fast", help="Stop at the first failed item."),
    jobs: Optional[int] = typer.Option(
        None, "--jobs", "-j", min=0, max=MAX_JOBS, help="Worker processes (default: one per core)."
    ),
    timeout: Optional[float] = typer.Option(
        None, "--timeout", min=0.1, max=86400, help="Per-file time limit in seconds (default 60)."
    ),
    memory_mb: Optional[int] = typer.Option(
        None,
        "--memory-mb",
        min=0,
        max=1 << 22,
        help="Per-worker memory limit in MiB (default 2048; 0 = none).",
    ),
    max_text_mb: Optional[int] = typer.Option(
        None,
        "--max-text-mb",
        min=1,
        max=1 << 14,
        help="Most extracted text one item may bring, in MiB (default 32; bounds this "
        "process's memory at about 4.4x it); larger items are refused as too_large.",
    ),
    kind: Optional[str] = typer.Option(
        None, "--kind", help="Material kind for unstructured files, e.g. 용역자료."
    ),
    material_class: Optional[str] = typer.Option(
        None,
        "--class",
        help="Disclosure class (공개구분) of unstructured files: public, partial or non_public.",
    ),
    organ: Optional[str] = typer.Option(
        None,
        "--organ",
        help="The organ these records belong to (기관명: 서울특별시, a district, an affiliated body); overrides the document's.",
    ),
    organ_code: Optional[str] = typer.Option(
        None, "--organ-code", help="With --organ: its code (기관코드)."
    ),
    executor: Optional[str] = typer.Option(
        None,
        "--executor",
        help="Where items are read: local (a process pool here, the default) or dask ([ingest] executor).",
    ),
    scheduler: Optional[str] = typer.Option(
        None,
        "--scheduler",
        help="With --executor dask: the Dask scheduler, tcp://HOST:PORT ([ingest] scheduler). "
        "Workers read the inputs from shared storage at the same paths.",
    ),
    retry_failed: bool = typer.Option(
        False,
        "--retry-failed",
        help="Also read again every item whose failure is stored and unresolved (see `seoulrec failures`).",
    ),
    retry_batch: Optional[int] = typer.Option(
        None, "--batch", min=1, max=MAX_ID, help="With --retry-failed: only this batch's failures."
    ),
    as_json: bool = JsonOption,
):
    from seoulrec.config import load_config, resolve_catalog
    from seoulrec.inputs.ingest import IngestOptions, run_batch
    from seoulrec.run import reports
    from seoulrec.store.catalog import Catalog

    config = load_config()
    options = IngestOptions.from_config(
        config,
        jobs=jobs,
        timeout=timeout,
        memory_mb=memory_mb,
        max_text_mb=max_text_mb,
        material_kind=kind,
        material_class=material_class,
        dry_run=dry_run,
        fail_fast=fail_fast,
        organ=organ,
        organ_code=organ_code,
        executor=executor,
        scheduler=scheduler,
    )
    if scheduler and options.executor != "dask":
        raise UsageError("--scheduler is for --executor dask")
    cat = Catalog.open(resolve_catalog(catalog, config), readonly=dry_run)
    paths = list(paths or [])
    retried: list[str] = []
    if retry_failed:
        retried = sorted({f["path"] for f in reports.failures(cat, retry_batch)})
        paths += [Path(p) for p in retried if Path(p).exists() or Path(p).is_symlink()]
    if not paths:
        raise UsageError(
            "give PATH (files, package folders, ZIPs or trees), or --retry-failed"
            + (" (no unresolved failures to retry)" if retry_failed else "")
        )
    progress, callbacks = ingest_progress()
    try:
        with progress:
            report = run_batch(cat, paths, options, **callbacks)
    except KeyboardInterrupt as exc:
        partial = getattr(exc, "report", None)
        if as_json and partial is not None:
            emit_json(dict(report_json(partial), interrupted=True))  # what was done before Ctrl-C
        raise
    finally:
        if not retried or dry_run:
            cat.close()
    if retried and not dry_run:
        failed_now = {f["path"] for f in report.failed}
        reports.resolve_retried(
            cat, [p for p in retried if p not in failed_now and Path(p).exists()]
        )
        cat.close()
    render_report(report, as_json, dry_run)
    if report.stopped_early:
        raise SeoulrecError(
            f"stopped at the first failed item (--fail-fast): {report.failed[-1]['path']}: {report.failed[-1]['reason']}"
        )
    # A retry that fails again as before is a failure; elsewhere only new failures are.
    failed = report.failed + (report.known_failures if retried else [])
    if failed:
        raise PartialFailure(
            f"finished, but {len(failed)} of {report.items} items failed (listed above; --json for all)"
        )


def ingest_progress() -> tuple["Progress", dict]:
    """The ingest progress bar on stderr (off when stderr is not a terminal) and the callbacks
    that drive it (``run_batch(..., **callbacks)``)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    err = console()
    progress = Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]:.1f} items/s"),
        TextColumn("added {task.fields[added]} · failed {task.fields[failed]}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal,
    )
    task = progress.add_task("ingest", total=None, rate=0.0, added=0, failed=0)

    def on_total(total: int) -> None:
        progress.update(task, total=total)

    def on_item(result: dict, report) -> None:
        elapsed = progress.tasks[0].elapsed or 1e-9
        progress.update(
            task,
            advance=1,
            rate=report.items / elapsed,
            added=report.added + report.updated,
            failed=len(report.failed),
        )

    def on_wait(message: str) -> None:
        info(
            "another ingest is running on this catalog; waiting for it to finish "
            "(up to [ingest] wait seconds, default 3600)"
        )

    return progress, {"on_total": on_total, "on_item": on_item, "on_wait": on_wait}


def report_json(report) -> dict:
    data = report.to_dict()
    return {
        k: data[k]
        for k in (
            "batch",
            "added",
            "updated",
            "unchanged",
            "failed",
            "known_failures",
            "incomplete",
            "ignored",
            "items",
            "dry_run",
            "stopped_early",
            "seconds",
        )
    }


def render_report(report, as_json: bool, dry_run: bool = False) -> None:
    """The ingest report, once for every command that ingests: JSON on stdout, or a summary on stderr."""
    if as_json:
        emit_json(report_json(report))
    else:
        verb = "Would ingest" if dry_run else "Ingested"
        summary(
            f"{verb} {report.items} items in {report.seconds:.1f} s"
            + (f" (batch {report.batch})" if report.batch else ""),
            ["added", "updated", "unchanged", "incomplete", "failed", "known failures"],
            [
                [
                    report.added,
                    report.updated,
                    report.unchanged,
                    len(report.incomplete),
                    len(report.failed),
                    len(report.known_failures),
                ]
            ],
        )
        if report.known_failures:
            info(
                f"{len(report.known_failures)} items failed exactly as before (same bytes, same "
                "outcome): not new, see `seoulrec failures`"
            )
        if report.added + report.updated == 0 and not report.failed and report.unchanged:
            info("Nothing new: every item is already in the catalog.")
        if report.incomplete:
            summary(
                "Incomplete (catalogued, attachment missing)",
                ["path", "message"],
                [[i["path"], i["message"]] for i in report.incomplete[:50]],
            )
        if report.failed:
            summary(
                "Failed items",
                ["path", "reason", "message"],
                [[f["path"], f["reason"], f["message"]] for f in report.failed[:200]],
            )
            if len(report.failed) > 200:
                info(f"... and {len(report.failed) - 200} more (use --json for all)")
        if report.ignored:
            info(
                f"Ignored {len(report.ignored)} files on the ignore list or not named by their package ([ingest] ignore; --json lists them)."
            )
