"""Exports of the publishable index: complete, incremental in cost, atomic, reproducible.

A run streams rows (never the whole catalog) to an exporter plugin writing into a temporary
folder beside the destination (see ``outdir``: only folders seoulrec made are replaced), writes
``manifest.json`` (counts, SHA-256 of every file, policy version, catalog state), then swaps the
folder into place atomically. Partitioned exporters write one folder per production month;
``since_last`` rewrites only the months whose decisions changed since the state the folder
holds (decisions carry the sequence number of the apply that last changed them, and the state
they replaced) and publishes the changed rows with tombstones (records whose original was
withdrawn, that became non-public, or that were deleted) as a change set for mirrors.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from seoulrec.store import publications as store
from seoulrec.store.catalog import Catalog
from seoulrec.errors import UsageError
from seoulrec.model import CLASS_LABELS, parse_grounds
from seoulrec.plugins import LineExporter, exporters

DEFAULT_BASE_URL = "https://opengov.seoul.go.kr/sanction/"


def package_id(record_key: str, given: str = "") -> str:
    from seoulrec.store.schema import public_id

    return public_id(record_key, given)


@dataclass
class ExportContext:
    """What an exporter gets: its destination (a folder it owns) and the run's settings."""

    destination: Path
    base_url: str
    default_licence: str
    kind: str  # "full" or "delta"
    catalog_state: dict
    options: dict = field(default_factory=dict)

    def url(self, row: dict) -> str:
        """The record's URL: the one it came with (Seoul's list carries the portal's own page,
        where the portal shows what it publishes) unless it is now decided 비공개; else the base
        plus the id for a published original; the bare base otherwise."""
        if row.get("source_url") and row["disclosure_class"] != "non_public":
            return row["source_url"]
        return self.base_url + (row["id"] if row["original_public"] else "")


def public_row(raw: tuple, masker, default_licence: str = "") -> dict:
    """Only public fields: withheld records carry metadata, class, grounds, reason and release
    date; text only when the original is public, and masked. (The writer, an official, is
    published on the portal's own list.) A record without a licence gets ``default_licence``."""
    (
        _,
        key,
        number,
        organ,
        department,
        enforced,
        unit_task,
        level,
        kind,
        material_kind,
        pid,
        writer,
        retention,
        licence,
        source_url,
        original_public,
        cls,
        grounds,
        reason,
        release,
        title,
        since,
        _seq,
        category,
        category_path,
        text,
    ) = raw
    row = {
        "id": pid or package_id(key),
        "record_key": key,
        "document_number": number or "",
        "title": title or "",
        "organ": organ or "",
        "department": department or "",
        "enforcement_date": enforced,
        "unit_task": unit_task or "",
        "category": category_path or "",
        "category_code": category or "",
        "writer": writer or "",
        "retention_period": retention or "",
        "licence": licence or default_licence,
        "kind": kind,
        "material_kind": material_kind,
        "approval_level": level,
        "original_public": bool(original_public),
        "disclosure_class": cls,
        "class_label": CLASS_LABELS[cls],
        "grounds": list(parse_grounds(grounds)),
        "reason": reason or "",
        "release_date": release,
        "published_since": since if original_public else None,
        "source_url": source_url or None,
    }
    if text is not None:
        row["text"] = masker.mask(text)[0] if original_public else None
    return row


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


#: Bumped when the layout of the partitioned index changes: an older folder is rebuilt in full.
LAYOUT_VERSION = 2
#: Change sets kept under ``changes/`` for mirrors (the oldest beyond this are dropped).
KEEP_CHANGE_SETS = 30


def _rows(raw_rows, masker, default_licence: str) -> Iterator[dict]:
    for raw in raw_rows:
        yield public_row(raw, masker, default_licence)


#: Record ids of each month's rows, in file order, so a changed month can be spliced: kept in
#: a hidden folder of the output (not part of the published index or partitions.json).
IDS_FOLDER = ".seoulrec/ids"


@dataclass
class DeltaPlan:
    """What changed since the state a folder holds, rendered once: the changed rows' fragments
    by month (in record order), and the records that left the index."""

    fresh: dict[str, list[tuple[int, tuple[str, ...]]]]
    ordered: list[
        tuple[str, ...]
    ]  # every changed row's fragments, in record order (the change set)
    gone: set[int]


def _plan_delta(
    catalog: Catalog,
    exporter,
    ctx: ExportContext,
    since_seq: int,
    masker,
    default_licence: str,
    text: bool,
) -> DeltaPlan:
    """Read and render only what changed: O(changes), whatever the catalog's size."""
    ordered, by_id = [], {}
    for raw in store.decided_rows(catalog, text, since_seq):
        row = public_row(raw, masker, default_licence)
        fragments = exporter.render(ctx, row)
        ordered.append(fragments)
        by_id[raw[0]] = fragments
    fresh: dict[str, list] = {}
    for rid, part in store.partitions_of(catalog, list(by_id)):
        fresh.setdefault(part, []).append((rid, by_id[rid]))
    # Versions that lost their decision: superseded by a changed one, or withdrawn.
    gone = store.undecided_versions_since(catalog, since_seq)
    return DeltaPlan(fresh, ordered, gone)


def _render_month(
    catalog: Catalog,
    exporter,
    ctx: ExportContext,
    key: str,
    folder: Path,
    ids_path: Path,
    masker,
    default_licence: str,
    text: bool,
) -> dict:
    """Write one whole month with a line exporter (streamed), and the record ids of its rows."""
    ids_path.parent.mkdir(parents=True, exist_ok=True)
    writer = exporter.open_writer(folder)
    ids = []
    try:
        for raw in store.month_rows(catalog, text, key):
            row = public_row(raw, masker, default_licence)
            writer.add(exporter.render(ctx, row))
            ids.append(raw[0])
    finally:
        writer.close()
    ids_path.write_text("".join(f"{rid}\n" for rid in ids), "ascii")
    return {"rows": writer.count, "rendered": len(ids)}


def _splice_month(
    exporter,
    key: str,
    old_folder: Path,
    old_ids_path: Path,
    folder: Path,
    ids_path: Path,
    plan: DeltaPlan,
) -> dict | None:
    """Write one changed month from the published one: unchanged rows' fragments are copied,
    changed rows come from ``plan``; None when the published month cannot be read as expected
    (the caller renders it in full). The bytes equal a full render's."""
    if not old_ids_path.is_file():
        return None
    old_ids = list(map(int, old_ids_path.read_bytes().split()))
    old = exporter.read_fragments(old_folder)
    if old is None or any(len(f) != len(old_ids) for f in old) or len(set(old_ids)) != len(old_ids):
        return None
    fresh = plan.fresh.get(key, [])
    replaced = {rid for rid, _ in fresh} | plan.gone
    kept = [(rid, i) for i, rid in enumerate(old_ids) if rid not in replaced]
    # Merge two id-ordered lists: kept old rows and changed rows of this month.
    merged: list[tuple[int, int | None, tuple]] = []
    a = b = 0
    while a < len(kept) or b < len(fresh):
        if b >= len(fresh) or (a < len(kept) and kept[a][0] < fresh[b][0]):
            merged.append((kept[a][0], kept[a][1], ()))
            a += 1
        else:
            merged.append((fresh[b][0], None, fresh[b][1]))
            b += 1
    ids_path.parent.mkdir(parents=True, exist_ok=True)
    for n, spec in enumerate(exporter.line_files):
        enc = spec.encoding
        fragments = [old[n][i] if i is not None else frag[n].encode(enc) for _, i, frag in merged]
        data = (
            (spec.head.encode(enc) + spec.sep.encode(enc).join(fragments) + spec.tail.encode(enc))
            if fragments
            else spec.empty.encode(enc)
        )
        with open(folder / spec.name, "wb") as fh:
            fh.write(data)
    ids_path.write_bytes(b"".join(b"%d\n" % rid for rid, _, _ in merged))
    return {"rows": len(merged), "rendered": len(fresh)}


def _files_of(folder: Path, base: Path) -> dict:
    return {
        p.relative_to(base).as_posix(): {"sha256": file_sha256(p), "bytes": p.stat().st_size}
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def export_fingerprint(exporter_name: str, settings: dict, catalog_id: str | None) -> dict:
    """What must match for an export folder to be continued incrementally (or left alone)."""
    return {
        "exporter": exporter_name,
        "layout": LAYOUT_VERSION,
        "base_url": str(settings.get("base_url", DEFAULT_BASE_URL)),
        "licence": str(settings.get("licence", "")),
        "catalog_id": catalog_id,
    }


def changed_since(catalog: Catalog, seq: int) -> bool:
    """Whether any decision or withdrawal is newer than disclosure run ``seq``."""
    return store.changed_since(catalog, seq)


def catalog_id_of(catalog: Catalog) -> str | None:
    return catalog.get_meta("catalog_id")


def export_is_current(catalog: Catalog, exporter_name: str, out: Path, settings: dict) -> bool:
    """``out`` holds this exporter's output of the catalog's present decisions: re-running it
    would change no byte that matters, so a nightly run leaves it alone."""
    from seoulrec.publish.outdir import read_manifest

    out = Path(out)
    manifest = read_manifest(out, catalog) if out.is_dir() else None
    if not manifest or manifest.get("fingerprint") != export_fingerprint(
        exporter_name, settings, catalog_id_of(catalog)
    ):
        return False
    seq = (manifest.get("catalog_state") or {}).get("disclosure_seq")
    return isinstance(seq, int) and not changed_since(catalog, seq)


def run_export(
    catalog: Catalog,
    exporter_name: str,
    out: Path,
    since_last: bool,
    settings: dict,
    masker,
    force: bool = False,
    protected: list[Path] | tuple = (),
    inboxes: list[Path] | tuple = (),
) -> dict:
    """Export the index with one exporter into ``out``; returns the manifest plus notes.

    A partitioned exporter (``seoul-csv``, ``jsonl``) writes one folder per production month
    under ``parts/`` and ``partitions.json`` listing them: the folder is always the complete,
    current index. With ``since_last`` only the partitions that changed since the state the
    folder holds are rewritten (the others are hard-linked from it), and the changed rows and
    tombstones are published as a change set under ``changes/`` for mirrors.
    """
    import time

    from seoulrec.publish.runs import PublicationRun

    started = time.perf_counter()
    exporter_cls = exporters.get(exporter_name)
    out = PublicationRun.destination(catalog, out, protected, force, inboxes)
    with PublicationRun(catalog, out) as run:
        seq = _decided_seq(catalog)
        job = _ExportJob(catalog, exporter_cls, exporter_name, out, settings, masker, seq)
        job.notes += [f"removed {name}, left by an interrupted export" for name in run.removed]
        job.choose_kind(since_last)
        tmp = run.start(exporter_name, job.kind, seq)
        counts, files, extra = job.write(tmp)
        manifest: dict[str, Any] = {
            "schema": "seoulrec.export-manifest/2",
            "exporter": exporter_name,
            "kind": job.kind,
            "since_disclosure_seq": job.since_seq,
            "catalog_state": job.state,
            "fingerprint": job.fingerprint,
            "counts": counts,
            "files": files,
            **extra,
        }
        manifest_bytes = (
            json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        ).encode()
        kept = run.publish(manifest_bytes)
        run.finish(
            counts,
            manifest_bytes,
            audit={"exporter": exporter_name, "destination": str(out), "kind": job.kind},
        )
    return {
        "run": run.run_id,
        "destination": str(out),
        "manifest": manifest,
        "kept": kept,
        "notes": job.notes
        + (
            [f"kept {len(kept)} files seoulrec did not write: {', '.join(kept[:5])}"]
            if kept
            else []
        ),
        "seconds": round(time.perf_counter() - started, 3),
    }


def _decided_seq(catalog: Catalog) -> int:
    """The disclosure sequence the export shows; refused when nothing, or not everything, was decided."""
    from seoulrec.decide.standing import apply_state

    seq = catalog.get_meta("disclosure_seq")
    if seq is None:
        raise UsageError(
            "no disclosure decisions yet: run `seoulrec disclose apply` before exporting (nothing is published undecided)"
        )
    state_of_apply = apply_state(catalog)
    if state_of_apply and state_of_apply.get("status") != "finished":
        raise UsageError(
            f"the last `seoulrec disclose apply` (--today {state_of_apply.get('today')}) did not finish; "
            "run it again before exporting (nothing half-decided is published)"
        )
    return int(seq)


class _ExportJob:
    """What one export writes: the catalog state it shows, full or delta, and the files."""

    def __init__(self, catalog, exporter_cls, exporter_name, out, settings, masker, seq):
        from seoulrec.publish.outdir import read_manifest

        self.catalog, self.exporter_cls, self.exporter_name = catalog, exporter_cls, exporter_name
        self.out, self.masker, self.seq = out, masker, seq
        self.exporter = exporter_cls()
        self.notes: list[str] = []
        meta = catalog.get_metas(("disclosure_records", "disclosure_policy", "catalog_id"))
        # Every decision is rewritten when the policy changes (its version is part of the
        # row), so the last apply's policy is the policy of every row.
        self.state = {
            "schema_version": catalog.schema_version(),
            "disclosure_seq": seq,
            "records": int(meta.get("disclosure_records", 0)),
            "policy_versions": [meta["disclosure_policy"]] if "disclosure_policy" in meta else [],
        }
        self.base_url = str(settings.get("base_url", DEFAULT_BASE_URL))
        self.licence = str(settings.get("licence", ""))
        self.fingerprint = export_fingerprint(exporter_name, settings, meta.get("catalog_id"))
        self.previous = read_manifest(out, catalog) if out.is_dir() else None
        self.text = bool(exporter_cls.needs_text)
        self.kind, self.since_seq = "full", None

    def choose_kind(self, since_last: bool) -> None:
        if not since_last:
            return
        if not self.exporter_cls.incremental:
            self.notes.append(
                f"{self.exporter_name} output is always complete (the format has no deltas): wrote a full export"
            )
        elif self.previous is None:
            self.notes.append("the folder holds no previous export: wrote a full export")
        elif self.previous.get("fingerprint") != self.fingerprint:
            self.notes.append(
                "the folder holds an export of another exporter, catalog, layout or settings: wrote a full export"
            )
        else:
            self.kind = "delta"
            self.since_seq = int(self.previous["catalog_state"]["disclosure_seq"])

    def context(self, destination: Path, run_kind: str) -> ExportContext:
        return ExportContext(
            destination=destination,
            base_url=self.base_url,
            default_licence=self.licence,
            kind=run_kind,
            catalog_state=self.state,
            options={"since_seq": self.since_seq},
        )

    def rows(self, raw_rows):
        return _rows(raw_rows, self.masker, self.licence)

    def write(self, tmp: Path) -> tuple[dict, dict, dict]:
        """Write the new content into ``tmp``: (counts, files for the manifest, extra manifest keys)."""
        if not self.exporter_cls.partitioned:
            raw = store.decided_rows(self.catalog, self.text)
            counts = self.exporter.write(self.context(tmp, "full"), self.rows(raw), tmp)
            counts["tombstones"] = 0
            return counts, _files_of(tmp, tmp), {}
        partitions, counts = self._write_parts(tmp)
        change_sets = self._write_change_sets(tmp, counts)
        index_doc = {
            "schema": "seoulrec.partitions/1",
            "exporter": self.exporter_name,
            "partitions": [dict(partitions[k], path=f"parts/{k}/") for k in sorted(partitions)],
        }
        (tmp / "partitions.json").write_text(
            json.dumps(index_doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8"
        )
        files: dict = {}
        for key, part in sorted(partitions.items()):
            files.update({f"parts/{key}/{name}": info for name, info in part["files"].items()})
        for change in change_sets:
            files.update(
                {f"changes/{change['name']}/{name}": info for name, info in change["files"].items()}
            )
        files["partitions.json"] = {
            "sha256": file_sha256(tmp / "partitions.json"),
            "bytes": (tmp / "partitions.json").stat().st_size,
        }
        extra = {
            "partitions": [dict(partitions[k]) for k in sorted(partitions)],
            "change_sets": change_sets,
        }
        return counts, files, extra

    def _write_parts(self, tmp: Path) -> tuple[dict, dict]:
        """Every month folder: reused (hard links) when unchanged, spliced or rendered otherwise."""
        from seoulrec.publish.outdir import link_or_copy

        out, exporter = self.out, self.exporter
        old_parts = (
            {p["key"]: p for p in (self.previous or {}).get("partitions", [])}
            if self.kind == "delta"
            else {}
        )
        keys = set(store.partition_keys(self.catalog))
        since = self.since_seq
        dirty = store.dirty_partitions(self.catalog, since) if since is not None else keys
        self.plan = (
            _plan_delta(
                self.catalog,
                exporter,
                self.context(tmp, "delta"),
                since,
                self.masker,
                self.licence,
                self.text,
            )
            if since is not None and isinstance(exporter, LineExporter)
            else None
        )
        partitions: dict = {}
        rows_total = written = reused = rendered_rows = 0
        for key in sorted(keys | set(old_parts)):
            folder = tmp / "parts" / key
            if key not in dirty and key in old_parts:
                for name in old_parts[key]["files"]:
                    link_or_copy(out / "parts" / key / name, folder / name)
                if (out / IDS_FOLDER / key).is_file():
                    link_or_copy(out / IDS_FOLDER / key, tmp / IDS_FOLDER / key)
                partitions[key] = old_parts[key]
                reused += 1
            elif key in keys:
                part_counts = self._write_month(tmp, key, key in old_parts)
                rendered_rows += part_counts.pop("rendered", 0)
                written += 1
                if not part_counts.get("rows"):
                    shutil.rmtree(folder)  # only superseded versions live in this month now
                    (tmp / IDS_FOLDER / key).unlink(missing_ok=True)
                    continue
                partitions[key] = {
                    "key": key,
                    "rows": part_counts["rows"],
                    "files": _files_of(folder, folder),
                }
            rows_total += partitions[key]["rows"] if key in partitions else 0
        counts = {
            "rows": rows_total,
            "partitions": len(partitions),
            "partitions_written": written,
            "partitions_reused": reused,
            "rows_rendered": rendered_rows,
            "tombstones": 0,
        }
        return partitions, counts

    def _write_month(self, tmp: Path, key: str, had_it: bool) -> dict:
        out, exporter = self.out, self.exporter
        folder = tmp / "parts" / key
        folder.mkdir(parents=True)
        if not isinstance(exporter, LineExporter):
            raw = store.month_rows(self.catalog, self.text, key)
            return exporter.write(self.context(folder, "full"), self.rows(raw), folder)
        part_counts = None
        if self.plan is not None and had_it:
            part_counts = _splice_month(
                exporter,
                key,
                out / "parts" / key,
                out / IDS_FOLDER / key,
                folder,
                tmp / IDS_FOLDER / key,
                self.plan,
            )
        if part_counts is None:
            part_counts = _render_month(
                self.catalog,
                exporter,
                self.context(folder, "full"),
                key,
                folder,
                tmp / IDS_FOLDER / key,
                self.masker,
                self.licence,
                self.text,
            )
        return part_counts

    def _write_change_sets(self, tmp: Path, counts: dict) -> list[dict]:
        """The change sets kept for mirrors, and this run's one (rows and tombstones)."""
        from seoulrec.publish.outdir import link_or_copy

        since, seq, exporter = self.since_seq, self.seq, self.exporter
        if since is None:
            return []
        kept = list((self.previous or {}).get("change_sets", []))[-(KEEP_CHANGE_SETS - 1) :]
        for change in kept:
            for name in change["files"]:
                link_or_copy(
                    self.out / "changes" / change["name"] / name,
                    tmp / "changes" / change["name"] / name,
                )
        if seq == since:
            counts.update(changed_rows=0)
            return kept
        name = f"{since:06d}-{seq:06d}"
        folder = tmp / "changes" / name
        folder.mkdir(parents=True)
        if self.plan is not None and isinstance(exporter, LineExporter):
            writer = exporter.open_writer(folder)  # rendered once, for the months and the set
            for fragments in self.plan.ordered:
                writer.add(fragments)
            writer.close()
            changed = {"rows": writer.count}
        else:
            raw = store.decided_rows(self.catalog, self.text, since)
            changed = exporter.write(self.context(folder, "delta"), self.rows(raw), folder)
        tombstones = _tombstones(self.catalog, since)
        exporter.write_tombstones(self.context(folder, "delta"), tombstones, folder)
        counts.update(changed_rows=changed.get("rows", 0), tombstones=len(tombstones))
        return kept + [
            {
                "name": name,
                "since_disclosure_seq": since,
                "disclosure_seq": seq,
                "rows": changed.get("rows", 0),
                "tombstones": len(tombstones),
                "files": _files_of(folder, folder),
            }
        ]


def _tombstones(catalog: Catalog, since_seq: int) -> list[dict]:
    """What downstream copies exported at ``since_seq`` must drop: records withdrawn from the
    catalog, and records whose original is withheld now but was public then. When a record
    changed more than once since then, its state at ``since_seq`` is unknown and it is withdrawn
    anyway (withdrawing what a copy does not hold is harmless; when in doubt, withhold)."""
    deleted = [
        {"id": package_id(key), "record_key": key, "reason": "deleted"}
        for key in store.withdrawn_keys_since(catalog, since_seq)
    ]
    withdrawn = [
        {"id": pid or package_id(key), "record_key": key, "reason": "original_withdrawn"}
        for key, pid in store.originals_withheld_since(catalog, since_seq)
    ]
    return deleted + withdrawn
