"""The batch: discover, read (in reader processes), write, report.

Discovery runs in the parent (``seoulrec.inputs.discovery``); each item (a file or a package) is read,
hashed and extracted in a reader process with a time and memory limit (``seoulrec.inputs.reading``,
run by ``seoulrec.inputs.executors``: a local pebble pool or a Dask cluster), and the parent writes
results in discovery order, whole items in groups (``seoulrec.store.writer``). Re-running a batch
skips items whose SHA-256 the catalog already holds.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from seoulrec.store.catalog import Catalog
from seoulrec.store.writer import clean as clean_message
from seoulrec.store.writer import shown_path
from seoulrec.errors import (
    CatalogLocked,
    UsageError,
)
from seoulrec.model import ACCEPTED_OUTCOMES

from seoulrec.inputs.discovery import DEFAULT_IGNORE, Item, discover, ignored_name


@dataclass
class IngestOptions:
    jobs: int = 0
    timeout: float = 60.0
    memory_mb: int = 2048
    max_file_mb: int = 1024
    #: The most text one item may bring (its records' and attachments' extracted text, in MiB
    #: of UTF-8). The parent holds an item's text while it writes it; this bounds its memory
    #: (measured: about 4.4x the text at peak). Larger items are refused as too_large.
    max_text_mb: int = 32
    flag_base: int = 1
    ranks: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)  # folder name -> material kind
    material_kind: str | None = None
    material_class: str | None = None  # 공개구분 of unstructured materials (--class)
    dry_run: bool = False
    fail_fast: bool = False
    ignore: tuple[str, ...] = DEFAULT_IGNORE  # file-name patterns never read as records
    # The organ (본청, a district, an affiliated body) an inbox belongs to: its records carry
    # this organ whatever their document says (the document's own organ stays in metadata).
    organ: str | None = None
    organ_code: str | None = None
    wait: float = 3600.0  # seconds to wait for another ingest on the catalog to finish
    executor: str = "local"  # where items are read: "local" (a process pool) or "dask"
    scheduler: str | None = None  # the Dask scheduler, tcp://HOST:PORT

    @classmethod
    def from_config(cls, config, **given) -> "IngestOptions":
        """Options from ``[ingest]`` and ``[ranks]`` of ``seoulrec.toml`` (validated at load),
        with the values given on the command line (None: not given) on top."""
        from seoulrec.decide.policy import CLASSES

        section = config.section("ingest")
        if given.get("material_class") is not None and given["material_class"] not in CLASSES:
            raise UsageError(
                f"--class must be one of {', '.join(CLASSES)}, not {given['material_class']!r}"
            )
        options = cls(
            jobs=section.get("jobs", 0),
            timeout=float(section.get("timeout", 60)),
            memory_mb=section.get("memory_mb", 2048),
            max_file_mb=section.get("max_file_mb", 1024),
            max_text_mb=section.get("max_text_mb", 32),
            flag_base=section.get("publication_flag_base", 1),
            ranks=config.section("ranks"),
            kinds=section.get("kinds", {}),
            ignore=tuple(section.get("ignore", DEFAULT_IGNORE)),
            wait=float(section.get("wait", 3600)),
            executor=section.get("executor", "local"),
            scheduler=section.get("scheduler"),
        )
        for key, value in given.items():
            if value is not None:
                setattr(options, key, value)
        return options

    def worker_jobs(self) -> int:
        return self.jobs if self.jobs and self.jobs > 0 else (os.cpu_count() or 1)


@dataclass
class BatchReport:
    batch: int | None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[dict] = field(default_factory=list)
    #: Items that failed exactly as before (same path, bytes, outcome): reported, not alarming.
    known_failures: list[dict] = field(default_factory=list)
    incomplete: list[dict] = field(default_factory=list)
    ignored: list[dict] = field(default_factory=list)
    items: int = 0
    dry_run: bool = False
    stopped_early: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


# -- parent side ----------------------------------------------------------------------------


def _count(report: BatchReport, result: dict, changes: list[str]) -> None:
    report.items += 1
    if result.get("known"):
        report.unchanged += 1
        return
    path, message = shown_path(result["path"]), clean_message(result.get("message") or "")
    if result["outcome"] not in ACCEPTED_OUTCOMES:
        entry = {"path": path, "reason": result["outcome"], "message": message}
        if result.get("known_failure"):
            report.known_failures.append({**entry, "failure": result["known_failure"]})
        else:
            report.failed.append(entry)
        return
    if result["outcome"] == "incomplete":
        report.incomplete.append({"path": path, "reason": "incomplete", "message": message})
    for change in changes:
        setattr(report, change, getattr(report, change) + 1)


def _dry_changes(catalog: Catalog | None, result: dict) -> list[str]:
    changes = []
    for record in result["records"]:
        current = catalog.current_version(record["record_key"]) if catalog else None
        if current and current[2] == record["sha256"]:
            changes.append("unchanged")
        else:
            changes.append("updated" if current else "added")
    return changes


def _start_batch(catalog: Catalog, paths: list[Path], options: IngestOptions, on_wait) -> int:
    """Open the batch. One ingest at a time per catalog: another one running (the nightly job,
    a colleague) is waited for, up to options.wait seconds, then this one refuses."""
    import time

    batch_options = {
        "paths": [str(p) for p in paths],
        "jobs": options.worker_jobs(),
        "timeout": options.timeout,
        "material_kind": options.material_kind,
    }
    if options.executor != "local":
        batch_options.update(executor=options.executor, scheduler=options.scheduler)
    deadline = time.monotonic() + options.wait
    while True:
        try:
            return catalog.start_batch(batch_options)
        except CatalogLocked as exc:
            if time.monotonic() >= deadline:
                raise
            if on_wait is not None:
                on_wait(str(exc))
                on_wait = None  # said once
            time.sleep(0.5)


def run_batch(
    catalog: Catalog | None,
    paths: list[Path],
    options: IngestOptions,
    on_total: Callable[[int], None] | None = None,
    on_item: Callable[[dict, BatchReport], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> BatchReport:
    """Ingest every item under ``paths``. With ``dry_run`` nothing is written.

    Items are read by the executor (``seoulrec.inputs.executors``: the local pool, or Dask) in chunks;
    results are handled in discovery order and written by a ``GroupWriter`` in whole groups."""

    from seoulrec.inputs.executors import make_executor

    missing = [str(p) for p in paths if not Path(p).exists() and not Path(p).is_symlink()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    # The executor is reached (a Dask scheduler answers, its workers see the inputs) before
    # anything is read or the batch opened.
    with make_executor(options, paths) as executor:
        return _run(catalog, paths, options, executor, on_total, on_item, on_wait)


def _run(catalog, paths, options, executor, on_total, on_item, on_wait) -> BatchReport:
    return _Batch(catalog, paths, options, executor, on_total, on_item, on_wait).run()


class _Batch:
    """One batch, in the parent: discover, submit chunks to the executor, take results in
    discovery order, hand them to the writer, count, and close the batch whatever happens."""

    def __init__(self, catalog, paths, options, executor, on_total, on_item, on_wait):
        self.catalog, self.paths, self.options, self.executor = catalog, paths, options, executor
        self.on_total, self.on_item, self.on_wait = on_total, on_item, on_wait
        self.stop = False
        self.worker_options = {
            "flag_base": options.flag_base,
            "ranks": options.ranks,
            "kinds": options.kinds,
            "material_kind": options.material_kind,
            "material_class": options.material_class,
            "max_file_mb": options.max_file_mb,
            "max_text_mb": options.max_text_mb,
            "organ": options.organ,
            "organ_code": options.organ_code,
        }

    def run(self) -> BatchReport:
        import time

        from seoulrec.store.writer import GroupWriter

        started = time.perf_counter()
        self.skipped: list[dict] = []
        self.items = deque(
            discover(
                self.paths,
                on_skip=lambda p, r, m: self.skipped.append({"path": p, "reason": r, "message": m}),
                ignore=self.options.ignore,
            )
        )
        if self.on_total:
            self.on_total(len(self.items) + len(self.skipped))
        catalog, options = self.catalog, self.options
        self.batch_id = None
        if catalog is not None and not options.dry_run:
            self.batch_id = _start_batch(catalog, self.paths, options, self.on_wait)
        self.report = BatchReport(batch=self.batch_id, dry_run=options.dry_run)
        self.catalog_path = None
        if catalog is not None:  # what readers open to skip sources already catalogued
            self.catalog_path = catalog.reader_location(self.executor.name == "local")
        self.writer = (
            GroupWriter(catalog, self.batch_id, self.written)
            if catalog is not None and self.batch_id is not None
            else None
        )
        status = "finished"
        try:
            if not self._handle_skipped():
                self._read_all()
        except KeyboardInterrupt as exc:
            status = "interrupted"
            exc.report = self.report  # type: ignore[attr-defined]  # the command prints it
            raise
        finally:
            self._close(status, round(time.perf_counter() - started, 3))
        return self.report

    def written(self, result: dict, changes: list[str]) -> None:
        _count(self.report, result, changes)
        if self.on_item:
            self.on_item(result, self.report)
        if self.options.fail_fast and result["outcome"] not in ACCEPTED_OUTCOMES:
            self.stop = True

    def handle(self, result: dict) -> bool:
        """Take one result in discovery order; True when the batch must stop (--fail-fast)."""
        report, options = self.report, self.options
        # Files beside a package that its document does not name are items of their own.
        for extra in result.pop("unclaimed", None) or []:
            if ignored_name(Path(extra).name, options.ignore):
                report.ignored.append(
                    {
                        "path": shown_path(extra),
                        "reason": "ignored",
                        "message": "beside a package, not named by it; on the ignore list",
                    }
                )
            else:
                self.items.append(Item(extra, "file"))
                if self.on_total:
                    self.on_total(len(self.items) + report.items + 1)
        report.ignored.extend(result.pop("ignored", None) or [])
        for missing in result.pop("known_incomplete", None) or []:
            # Still incomplete until its attachment arrives, on every run.
            report.incomplete.append(
                {
                    "path": shown_path(result["path"]),
                    "reason": "incomplete",
                    "message": f"missing attachments: {missing}",
                }
            )
        if self.writer is None:
            changes = [] if result.get("known") else _dry_changes(self.catalog, result)
            self.written(result, changes)
        else:
            self.writer.add(result)
            if options.fail_fast and result["outcome"] not in ACCEPTED_OUTCOMES:
                self.writer.flush()
        return self.stop

    def _handle_skipped(self) -> bool:
        """What discovery skipped, as results of their own; True when the batch stopped."""
        for skip in self.skipped:
            if skip["reason"] == "ignored":
                self.report.ignored.append(skip)
                continue
            result = {
                "path": skip["path"],
                "sha256": None,
                "outcome": skip["reason"],
                "message": skip["message"],
                "records": [],
            }
            if self.handle(result):
                self.report.stopped_early = True
                return True
        return False

    def _submit(self, chunk: list):
        return self.executor.submit(chunk, self.worker_options, self.catalog_path)

    def _read_all(self) -> None:
        """Keep the executor busy with chunks; take their results in order."""
        from seoulrec.inputs.executors import take_chunk

        executor, items = self.executor, self.items
        window = executor.slots * 4
        pending: deque = deque()
        try:
            while True:
                while items and len(pending) < window:
                    chunk = take_chunk(items, executor.slots)
                    pending.append((chunk, self._submit(chunk)))
                if not pending:
                    return
                chunk, future = pending.popleft()
                results = self._collect(chunk, future, pending)
                if results is not None and self._take(chunk, results):
                    self.report.stopped_early = True
                    for _, other in pending:
                        other.cancel()
                    executor.stop()
                    return
        except KeyboardInterrupt:
            executor.stop()  # do not wait for items still being read: report what was done
            raise

    def _collect(self, chunk: list, future, pending: deque) -> list | None:
        """A chunk's results; None when it failed as a whole and its items were submitted
        again one by one (at the front, in order), so the item at fault gets its own outcome."""
        from seoulrec.inputs.executors import error_result

        executor, writer = self.executor, self.writer
        if writer is not None and not future.done():
            # Waiting for a reader: write what is kept once the group is due, so a slow item
            # does not hold finished ones back (nor a group stay small).
            if not executor.wait(future, writer.time_left()):
                writer.flush()
        try:
            return executor.collect(future, chunk)
        except Exception as exc:  # noqa: BLE001 - timeouts, deaths: per item
            if len(chunk) > 1:
                pending.extendleft(reversed([([item], self._submit([item])) for item in chunk]))
                return None
            return [error_result(chunk[0], exc, self.options.timeout)]

    def _take(self, chunk: list, results: list) -> bool:
        """Handle a chunk's results in order; True when the batch must stop."""
        for item, result in zip(chunk, results):
            if result.pop("unexpected", False):
                # A worker can be left broken by an earlier item (a C library after a
                # MemoryError): read this one again in a fresh process.
                result = self.executor.fresh(item, self.worker_options, self.catalog_path)
            if self.handle(result):
                return True
        return False

    def _close(self, status: str, seconds: float) -> None:
        report = self.report
        if self.writer is not None:
            self.writer.close()
        report.seconds = seconds
        if self.batch_id is not None and self.catalog is not None:
            self.catalog.finish_batch(
                self.batch_id,
                {
                    "added": report.added,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "failed": len(report.failed),
                },
                status="stopped" if report.stopped_early else status,
            )
