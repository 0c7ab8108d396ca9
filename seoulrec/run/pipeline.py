"""The whole nightly job as one operation: ingest every inbox → the meetings manifest →
classify → disclose apply → the pre-publication registry (linking published records) → every
configured index export → the portal, each
step incremental, returning one structured report. ``seoulrec nightly`` and ``seoulrec demo``
are thin commands over :func:`run_pipeline`; nothing here imports the CLI.

A run holds a lock file beside the catalog (``<catalog>.nightly.lock``, ``fcntl.flock``) so two
runs never overlap; the kernel releases it when its process dies, and the next run reports
the run that did not finish. A run with no new
input leaves every published folder as it is (no byte changes) and reports ``changed: false``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from seoulrec.store.catalog import Catalog, now
from seoulrec.errors import NightlyLocked, SeoulrecError, UsageError

#: Index exports a nightly run writes, and the folder (under the output folder) of each.
DEFAULT_EXPORTS = {"seoul-csv": "index", "jsonl": "jsonl", "atom": "feed", "sitemap": "sitemap"}
SITE_FOLDER = "site"

#: Exit codes of ``seoulrec nightly`` (README, "Exit codes").
EXIT_ITEM_FAILURES = 3
EXIT_STAGE_FAILED = 4
EXIT_LOCKED = 75


@dataclass
class Inbox:
    path: Path
    organ: str | None = None
    organ_code: str | None = None

    def to_dict(self) -> dict:
        return {"path": str(self.path), "organ": self.organ, "organ_code": self.organ_code}


@dataclass
class Plan:
    """What a run does: from ``[nightly]`` of ``seoulrec.toml``, with the command line on top."""

    inboxes: list[Inbox]
    out: Path
    exports: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_EXPORTS))
    site: bool = True
    search: bool = True
    meetings: Path | None = None
    prepublication: Path | None = None
    prepublication_links: Path | None = None
    today: date = field(default_factory=date.today)
    jobs: int | None = None
    kinds: dict | None = None

    @classmethod
    def from_config(
        cls,
        config,
        inboxes: list[Path] | None = None,
        out: Path | None = None,
        today: date | None = None,
        **given,
    ) -> "Plan":
        section = config.section("nightly")

        def here(value) -> Path:
            return config_path(config, value)

        if inboxes:
            chosen = [Inbox(Path(p)) for p in inboxes]
        else:
            chosen = [
                Inbox(here(entry["path"]), entry.get("organ"), entry.get("organ_code"))
                for entry in section.get("inboxes", [])
            ]
        target = (
            Path(out) if out is not None else (here(section["out"]) if "out" in section else None)
        )
        if target is None:
            raise UsageError(
                "no output folder: give --out DIR or set out in [nightly] of seoulrec.toml"
            )
        exports = section.get("exports")
        plan = cls(
            inboxes=chosen,
            out=target,
            exports={f: DEFAULT_EXPORTS.get(f, f) for f in exports}
            if exports is not None
            else dict(DEFAULT_EXPORTS),
            site=section.get("site", True),
            meetings=here(section["meetings"]) if section.get("meetings") else None,
            prepublication=here(section["prepublication"])
            if section.get("prepublication")
            else None,
            prepublication_links=here(section["prepublication_links"])
            if section.get("prepublication_links")
            else None,
            today=today or date.today(),
        )
        for key, value in given.items():
            if value is not None:
                setattr(plan, key, value)
        return plan

    def check(self, catalog_path: "Path | str | None") -> None:
        """Everything a run needs exists and the output folder is a safe place, before anything runs."""
        if not self.inboxes:
            raise UsageError(
                "no inbox: give --inbox PATH or declare [[nightly.inboxes]] in seoulrec.toml"
            )
        for inbox in self.inboxes:
            if not inbox.path.is_dir():
                raise UsageError(f"inbox {inbox.path} does not exist or is not a folder")
            if not os.access(inbox.path, os.R_OK | os.X_OK):
                raise UsageError(f"inbox {inbox.path} cannot be read")
        for name, path in (("meetings", self.meetings), ("prepublication", self.prepublication)):
            if path is not None and not path.is_file():
                raise UsageError(f"[nightly] {name} file {path} does not exist")
        out = Path(os.path.abspath(os.path.expanduser(str(self.out)))).resolve()
        from seoulrec.publish.outdir import check_not_system

        # The folders export refuses are refused here too, before any stage runs.
        if out == Path(out.anchor) or out == Path(os.path.expanduser("~")).resolve():
            raise UsageError(
                f"output folder {self.out} is the root or your home folder; give a folder of its own"
            )
        check_not_system(out, self.out, "--out")
        for inbox in self.inboxes:
            where = inbox.path.resolve()
            if out == where or out.is_relative_to(where) or where.is_relative_to(out):
                raise UsageError(
                    f"output folder {self.out} and inbox {inbox.path} overlap; published files never go into an inbox"
                )
        from seoulrec.plugins import exporters

        for fmt in self.exports:
            exporters.get(fmt)  # unknown format: a clear error now, not after ingest


# -- the lock ---------------------------------------------------------------------------------


def config_path(config, value) -> Path:
    """A path written in ``seoulrec.toml``: ``~`` expanded, relative to the file's folder."""
    path = Path(os.path.expanduser(str(value)))
    return path if path.is_absolute() else config.folder / path


def configured_inboxes(config) -> list[Path]:
    """The inboxes ``[[nightly.inboxes]]`` declares (outputs must never overlap them)."""
    return [config_path(config, e["path"]) for e in config.section("nightly").get("inboxes", [])]


def lock_path(catalog_path: Path) -> Path:
    return Path(str(catalog_path) + ".nightly.lock")


def acquire_lock(catalog_path: Path):
    """Take the nightly lock (``fcntl.flock``; released by the kernel if this process dies).
    Returns the held lock; its ``previous`` names a run that did not finish (taken over)."""
    from seoulrec.store.locks import describe, try_lock

    path = lock_path(catalog_path)
    held = try_lock(path, now())
    if held is None:
        holder = describe(path)
        raise NightlyLocked(
            f"another nightly run (process {holder.get('pid', '?')}, started "
            f"{holder.get('started', '?')}) holds {path}; this run did nothing. Wait for it to finish"
        )
    return held


# -- the run ----------------------------------------------------------------------------------


@dataclass
class Report:
    stages: dict = field(default_factory=dict)
    lock: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return any(stage.get("changed") for stage in self.stages.values())

    @property
    def failed_stage(self) -> str | None:
        return next((n for n, s in self.stages.items() if s.get("status") == "failed"), None)

    @property
    def item_failures(self) -> int:
        return sum(int(s.get("failures", 0) or 0) for s in self.stages.values())

    def exit_code(self) -> int:
        if self.failed_stage:
            return EXIT_STAGE_FAILED
        return EXIT_ITEM_FAILURES if self.item_failures else 0

    def to_dict(self) -> dict:
        return {
            "schema": "seoulrec.nightly-report/1",
            "changed": self.changed,
            "status": "failed"
            if self.failed_stage
            else ("partial" if self.item_failures else "ok"),
            "failed_stage": self.failed_stage,
            "exit_code": self.exit_code(),
            "stages": self.stages,
            **({"lock": self.lock} if self.lock else {}),
            "seconds": round(self.seconds, 3),
        }


def run_pipeline(
    catalog: Catalog,
    config,
    plan: Plan,
    on_stage: Callable[[str], None] | None = None,
    ingest_callbacks: dict | None = None,
) -> Report:
    """Run every stage in order under the nightly lock. A stage that fails stops the run (what
    finished stays: the catalog is consistent and outputs are swapped whole); the report says
    which. Item failures (a broken file) are counted, never stop the run."""
    plan.check(catalog.path)
    started = time.perf_counter()
    report = Report()
    held = None
    if catalog.path is None:  # PostgreSQL: a lock its session holds, released if it dies
        report.lock = catalog.hold_nightly_lock()  # type: ignore[attr-defined]
    else:
        held = acquire_lock(catalog.path)
        report.lock = {"stale_lock": held.previous} if held.previous else {}
    try:
        for name, stage in (
            ("ingest", _ingest),
            ("meetings", _meetings),
            ("classify", _classify),
            ("disclose", _disclose),
            ("prepublication", _prepublication),  # links published records: after decisions
            ("export", _export),
            ("site", _site),
        ):
            if name == "meetings" and plan.meetings is None:
                continue
            if name == "prepublication" and plan.prepublication is None:
                continue
            if name == "site" and not plan.site:
                continue
            if on_stage:
                on_stage(name)
            t0 = time.perf_counter()
            try:
                result = stage(catalog, config, plan, ingest_callbacks or {})
            except SeoulrecError as exc:
                result = {"status": "failed", "error": str(exc), "changed": False}
            except Exception as exc:  # a bug: reported as the stage's failure, the run stops
                result = {
                    "status": "failed",
                    "error": f"{type(exc).__name__}: {exc}",
                    "changed": False,
                }
            result.setdefault("status", "ok")
            result["seconds"] = round(time.perf_counter() - t0, 3)
            report.stages[name] = result
            if result["status"] == "failed":
                break
    finally:
        if catalog.path is None:
            catalog.release_nightly_lock()  # type: ignore[attr-defined]
        elif held is not None:
            held.release()
        report.seconds = time.perf_counter() - started
    return report


def _ingest(catalog: Catalog, config, plan: Plan, callbacks: dict) -> dict:
    from seoulrec.inputs.ingest import IngestOptions, run_batch

    totals = {"added": 0, "updated": 0, "unchanged": 0, "items": 0}
    failures: list[dict] = []
    known: list[dict] = []
    incomplete = 0
    inboxes = []
    for inbox in plan.inboxes:
        options = IngestOptions.from_config(
            config,
            jobs=plan.jobs,
            organ=inbox.organ,
            organ_code=inbox.organ_code,
            kinds=plan.kinds,
        )
        batch = run_batch(catalog, [inbox.path], options, **callbacks)
        for key in totals:
            totals[key] += getattr(batch, key)
        failures += [{**f, "inbox": str(inbox.path)} for f in batch.failed]
        known += [{**f, "inbox": str(inbox.path)} for f in batch.known_failures]
        incomplete += len(batch.incomplete)
        inboxes.append(
            inbox.to_dict()
            | {"batch": batch.batch, "added": batch.added, "failed": len(batch.failed)}
        )
    return totals | {
        "changed": bool(totals["added"] or totals["updated"]),
        # Only new failures make the night exit 3; a file failing exactly as before is known.
        "failures": len(failures),
        "failed": failures[:100],
        "known_failures": known[:100],
        "known_failure_count": len(known),
        "incomplete": incomplete,
        "inboxes": inboxes,
    }


def _meetings(catalog: Catalog, config, plan: Plan, callbacks: dict) -> dict:
    from seoulrec.inputs.meetings import import_meetings

    assert plan.meetings is not None
    result = import_meetings(catalog, plan.meetings, config, today=plan.today)
    return result | {"changed": bool(result["added"] or result["updated"])}


def _prepublication(catalog: Catalog, config, plan: Plan, callbacks: dict) -> dict:
    from seoulrec.inputs.prepub import import_registry, link_records

    assert plan.prepublication is not None
    result = import_registry(catalog, plan.prepublication)
    linked = link_records(catalog, plan.prepublication_links)
    return result | {"linked": linked, "changed": bool(result["changed"] or linked["added"])}


def _classify(catalog: Catalog, config, plan: Plan, callbacks: dict) -> dict:
    from seoulrec.decide import classify, filing

    result = classify.run(catalog, config.section("classify"), config.folder)
    # Unit tasks for records that came without one (only once a unit-task model is trained).
    unit_tasks = filing.run(catalog, config.section("classify"))
    return (
        result.to_dict()
        | {"unit_tasks": unit_tasks.to_dict()}
        | {"changed": bool(result.classified or unit_tasks.filed)}
    )


def _disclose(catalog: Catalog, config, plan: Plan, callbacks: dict) -> dict:
    from seoulrec.decide import disclosure
    from seoulrec.decide.policy import policy_from_config

    counts = disclosure.apply(catalog, policy_from_config(config), plan.today)
    return counts | {
        "decisions_changed": counts.get("changed", 0),
        "changed": bool(counts.get("changed") or counts.get("withdrawn")),
    }


def _export(catalog: Catalog, config, plan: Plan, callbacks: dict) -> dict:
    from seoulrec.publish.export import export_is_current, run_export
    from seoulrec.decide.privacy import masker_from_config

    settings = config.section("export")
    masker = masker_from_config(config)
    protected = [config.path] if config.path else []
    formats = {}
    for fmt, folder in plan.exports.items():
        out = Path(plan.out) / folder
        if export_is_current(catalog, fmt, out, settings):
            formats[fmt] = {"folder": str(out), "output": "unchanged"}
            continue
        result = run_export(
            catalog,
            fmt,
            out,
            True,
            settings,
            masker,
            protected=protected,
            inboxes=[i.path for i in plan.inboxes],
        )
        manifest = result["manifest"]
        formats[fmt] = {
            "folder": result["destination"],
            "output": "written",
            "kind": manifest["kind"],
            **manifest["counts"],
        }
    return {
        "formats": formats,
        "changed": any(f["output"] == "written" for f in formats.values()),
    }


def _site(catalog: Catalog, config, plan: Plan, callbacks: dict) -> dict:
    from seoulrec.decide.privacy import masker_from_config
    from seoulrec.publish.site import build_site, site_is_current

    settings = config.section("export")
    out = Path(plan.out) / SITE_FOLDER
    if site_is_current(catalog, out, settings, search=plan.search):
        return {"folder": str(out), "output": "unchanged", "changed": False}
    result = build_site(
        catalog,
        out,
        settings,
        masker_from_config(config),
        protected=[config.path] if config.path else [],
        search=plan.search,
        since_last=True,
        inboxes=[i.path for i in plan.inboxes],
    )
    return {
        "folder": result.destination,
        "output": "written",
        "records": result.records,
        "pages": result.pages,
        "reused": result.reused,
        "search_seconds": result.search.get("seconds"),
        "changed": True,
    }


__all__ = ["Plan", "Inbox", "Report", "run_pipeline", "NightlyLocked", "DEFAULT_EXPORTS"]
