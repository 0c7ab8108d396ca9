"""``seoulrec check``: is this catalog, and every output it has written, sound?

Each check returns problems ``{"check", "detail", "repairable"}``. ``repair`` fixes only what
is safe to fix (runs and batches left running by dead processes, leftover temporary folders
beside outputs, attachment decisions that disagree with their record's); it never deletes a
record, a decision or a published file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from seoulrec.store import checks as store
from seoulrec.store.catalog import Catalog
from seoulrec.store.disclosures import get_state, redecide_attachments
from seoulrec.publish.outdir import LEFTOVER, MANIFEST, foreign_files, made_by_seoulrec

CHECKS = (
    "integrity",
    "foreign_keys",
    "stale_runs",
    "batch_counts",
    "digests",
    "policy_versions",
    "attachment_decisions",
    "fulltext",
    "outputs",
    "leftovers",
)

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _problem(check: str, detail: str, repairable: bool = False, **extra) -> dict:
    return {"check": check, "detail": detail, "repairable": repairable, **extra}


def _integrity(catalog: Catalog) -> list[dict]:
    return [_problem("integrity", r) for r in store.integrity_problems(catalog)]


def _foreign_keys(catalog: Catalog) -> list[dict]:
    return [
        _problem("foreign_keys", f"{table} row {rowid} references a missing {parent}")
        for table, rowid, parent in store.foreign_key_problems(catalog)
    ]


def _dead_runs(catalog: Catalog):
    """(table, what, id, pid) of runs marked running whose run lock is free: killed."""
    from seoulrec.publish.runs import export_lock_name

    ingest_alive = catalog.ingest_running()
    if not ingest_alive:
        for run_id, pid in store.running_batches(catalog):
            yield "batches", "ingest batch", run_id, pid
    for run_id, pid, destination in store.running_exports(catalog):
        if catalog.run_lock_free(export_lock_name(Path(destination))):
            yield "export_runs", "export run", run_id, pid


def _stale_runs(catalog: Catalog) -> list[dict]:
    found = []
    for table, what, run_id, pid in _dead_runs(catalog):
        found.append(
            _problem(
                "stale_runs",
                f"{what} {run_id} is marked running but its process {pid} is gone",
                True,
                table=table,
                id=run_id,
            )
        )
    state = get_state(catalog, "disclosure_apply")
    if state and state.get("status") == "running":
        found.append(
            _problem(
                "stale_runs",
                "the last `disclose apply` did not finish (exports refuse to run); run it again",
            )
        )
    return found


def _batch_counts(catalog: Catalog) -> list[dict]:
    found = []
    for batch_id, status, added, updated, real_added, real_updated in store.batch_claims(catalog):
        if (added, updated) != (real_added, real_updated):
            found.append(
                _problem(
                    "batch_counts",
                    f"batch {batch_id} ({status}) claims {added} added and {updated} updated; the catalog holds {real_added} and {real_updated}",
                    # A batch cut short counts what it committed; a finished one that disagrees
                    # is looked at by hand.
                    status == "interrupted",
                    id=batch_id,
                )
            )
    return found


def _digests(catalog: Catalog) -> list[dict]:
    """seoulrec keeps extracted text, not the original bytes: a stored digest identifies its
    source and must be a well-formed SHA-256."""
    found = []
    for table in ("records", "attachments", "sources"):
        for row_id, sha in store.digests(catalog, table):
            if not _HEX64.match(sha):
                found.append(_problem("digests", f"{table} row {row_id}: {sha!r} is not a SHA-256"))
    return found


def _policy_versions(catalog: Catalog) -> list[dict]:
    current = catalog.get_meta("disclosure_policy")
    if not current:
        count = store.decision_count(catalog)
        return (
            [
                _problem(
                    "policy_versions",
                    f"{count} decisions but no record of the policy that made them",
                )
            ]
            if count
            else []
        )
    return [
        _problem(
            "policy_versions",
            f"{n} decisions were made under policy {version}, not the policy of the last apply ({current}); run `seoulrec disclose apply`",
        )
        for version, n in store.decisions_under_other_policies(catalog, current)
    ]


def _attachment_decisions(catalog: Catalog) -> list[dict]:
    found = []
    for record_id, n in store.attachments_published_under_withheld(catalog):
        found.append(
            _problem(
                "attachment_decisions",
                f"record {record_id}: {n} attachments marked published while the record's original is withheld",
                True,
                record=record_id,
            )
        )
    for record_id in store.records_with_undecided_attachments(catalog):
        found.append(
            _problem(
                "attachment_decisions",
                f"record {record_id}: attachments without a decision (they are never published so)",
                True,
                record=record_id,
            )
        )
    return found


def _fulltext(catalog: Catalog) -> list[dict]:
    """The search index holds every record version and finds a sample by their own titles."""
    from seoulrec.store.fulltext import problems

    return [_problem("fulltext", detail, True) for detail in problems(catalog)]


def output_folders(catalog: Catalog) -> list[Path]:
    """Every output folder the catalog has written to (export runs), plus the site folders
    named in them, that still exist."""
    folders = {Path(d) for d in store.export_destinations(catalog)}
    return sorted(f for f in folders if f.exists())


def verify_output(folder: Path, digests: bool = True) -> list[dict]:
    """Every file a seoulrec manifest lists is there with its size (and digest); nothing is
    missing. Files not in the manifest are reported too (the manifest is the whole output)."""
    from seoulrec.publish.export import file_sha256

    if not made_by_seoulrec(folder):
        return [_problem("outputs", f"{folder}: no seoulrec manifest (not an output, or replaced)")]
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    found = []
    listed = manifest.get("files", {})
    # A site written as a BagIt bag (--bag) keeps its files under data/.
    payload = folder / "data" if (folder / "bagit.txt").is_file() else folder
    for name, info in sorted(listed.items()):
        path = payload / name
        if not path.is_file():
            found.append(_problem("outputs", f"{folder}: {name} is missing"))
        elif path.stat().st_size != info.get("bytes"):
            found.append(
                _problem(
                    "outputs",
                    f"{folder}: {name} has {path.stat().st_size} bytes, the manifest says {info.get('bytes')}",
                )
            )
        elif digests and file_sha256(path) != info.get("sha256"):
            found.append(
                _problem("outputs", f"{folder}: {name} does not match its SHA-256 in the manifest")
            )
    extra = foreign_files(folder, manifest)
    if extra:
        found.append(
            _problem(
                "outputs", f"{folder}: {len(extra)} files not in the manifest, e.g. {extra[0]}"
            )
        )
    return found


def _outputs(catalog: Catalog, digests: bool) -> list[dict]:
    found = []
    for folder in output_folders(catalog):
        found += verify_output(folder, digests)
    return found


def _leftovers(catalog: Catalog) -> list[dict]:
    from seoulrec.publish.runs import export_lock_name

    found = []
    for folder in output_folders(catalog) + [Path(p) for p in _missing_outputs(catalog)]:
        try:
            entries = list(os.scandir(folder.parent))
        except OSError:
            continue
        for entry in entries:
            m = LEFTOVER.match(entry.name)
            if (
                m
                and m.group("name") == folder.name
                and catalog.run_lock_free(export_lock_name(folder))
            ):
                found.append(
                    _problem(
                        "leftovers", f"{entry.path}: left by a killed run", True, output=str(folder)
                    )
                )
    return found


def _missing_outputs(catalog: Catalog) -> list[str]:
    return [d for d in store.export_destinations(catalog) if not Path(d).exists()]


def run_checks(catalog: Catalog, digests: bool = True) -> dict:
    problems: list[dict] = []
    for name in CHECKS:
        if name == "outputs":
            problems += _outputs(catalog, digests)
        else:
            problems += globals()[f"_{name}"](catalog)
    counts = {name: sum(p["check"] == name for p in problems) for name in CHECKS}
    return {"sound": not problems, "counts": counts, "problems": problems}


def repair(catalog: Catalog) -> list[str]:
    """Fix what is safe to fix; returns what was done."""
    from seoulrec.publish.outdir import clean_leftovers

    done = []
    with catalog.transaction():
        for table, what, run_id, _pid in list(_dead_runs(catalog)):
            if table == "batches":
                catalog.mark_interrupted(run_id)
            else:
                store.mark_export_interrupted(catalog, run_id)
            done.append(f"{what} {run_id} marked interrupted")
        for problem in _batch_counts(catalog):
            if problem["repairable"]:
                catalog.mark_interrupted(problem["id"])
                done.append(f"ingest batch {problem['id']}: counts set to what it committed")
        broken = [p["record"] for p in _attachment_decisions(catalog)]
        if broken:
            redecide_attachments(catalog, broken)
            done.append(
                f"attachment decisions of {len(broken)} records recomputed from the records'"
            )
        if _fulltext(catalog):
            from seoulrec.store.fulltext import rebuild

            done.append(f"the full-text index rebuilt ({rebuild(catalog)} record versions)")
        if done:
            catalog.audit("check.repair", detail={"done": done})
    from seoulrec.publish.runs import export_lock_name

    for folder in {p["output"] for p in _leftovers(catalog)}:
        held = catalog.take_run_lock(export_lock_name(Path(folder)))
        if held is None:
            continue  # an export into it started meanwhile: its leftovers are its own
        try:
            removed = clean_leftovers(Path(folder))
        finally:
            catalog.release_run_lock(held)
        done += [f"removed {name}" for name in removed]
    return done
