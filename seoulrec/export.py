"""Exports of the publishable index: full or incremental, atomic, reproducible.

A run streams rows (never the whole catalog) to an exporter plugin writing into a temporary
folder beside the destination, writes ``manifest.json`` (counts, SHA-256 of every file, policy
version, catalog state), then swaps the folder into place; a failed or interrupted run leaves
the previous output intact. Runs are recorded in the catalog; ``since_last`` exports only what
changed since the previous run of the same exporter and destination (decisions carry the
sequence number of the apply that last changed them, and the state they replaced), with
tombstones for records whose original was withdrawn, that became non-public, or that were
deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .catalog import Catalog, now
from .errors import UsageError
from .model import CLASS_LABELS, parse_grounds
from .plugins import exporters

DEFAULT_BASE_URL = "https://opengov.seoul.go.kr/sanction/"

ROW_SQL = """
SELECT r.id, r.record_key, r.document_number, r.organ, r.department, r.enforcement_date, r.unit_task,
       r.approval_level, r.kind, r.material_kind,
       r.public_id, r.writer, r.retention_period, r.licence,
       d.original_public, d.disclosure_class, d.grounds, d.reason, d.release_date, d.public_title, d.since, d.seq,
       {text} AS text
FROM disclosures d {index} CROSS JOIN records r ON r.id = d.record_id
WHERE r.is_current = 1 {where}
ORDER BY d.record_id
"""
# CROSS JOIN keeps disclosures as the outer table: a full export walks it in record order
# without sorting, and a delta (d.seq > ?) reads only the changed rows through its seq index
# instead of scanning every current record.


def package_id(record_key: str, given: str = "") -> str:
    from .catalog import public_id

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
        return self.base_url + (row["id"] if row["original_public"] else "")


def public_row(raw: tuple, masker) -> dict:
    """Only public fields: withheld records carry metadata, class, grounds, reason and release
    date; text only when the original is public, and masked. (The writer, an official, is
    published on the portal's own list.)"""
    (_, key, number, organ, department, enforced, unit_task, level, kind, material_kind, pid, writer, retention, licence,
     original_public, cls, grounds, reason, release, title, since, _seq, text) = raw
    row = {
        "id": pid or package_id(key),
        "record_key": key,
        "document_number": number or "",
        "title": title or "",
        "organ": organ or "",
        "department": department or "",
        "enforcement_date": enforced,
        "unit_task": unit_task or "",
        "writer": writer or "",
        "retention_period": retention or "",
        "licence": licence or "",
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
    }
    if text is not None:
        row["text"] = masker.mask(text)[0] if original_public else None
    return row


def _last_run(catalog: Catalog, exporter: str, destination: str):
    return catalog.db.execute(
        "SELECT id, seq FROM export_runs WHERE exporter = ? AND destination = ? AND status = 'finished' ORDER BY id DESC LIMIT 1",
        [exporter, destination],
    ).fetchone()


def _check_destination(out: Path) -> Path:
    out = out.expanduser()
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a folder (it is replaced as a whole on success)")
    parent = out.resolve().parent
    if not parent.exists():
        raise UsageError(f"--out {out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UsageError(f"--out {out}: not writable (the export writes beside it and swaps it into place)")
    return out.resolve()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_export(catalog: Catalog, exporter_name: str, out: Path, since_last: bool, settings: dict, masker) -> dict:
    """Export the index with one exporter into ``out``; returns the manifest plus notes."""
    import time

    started = time.perf_counter()
    exporter_cls = exporters.get(exporter_name)
    out = _check_destination(out)
    seq_row = catalog.db.execute("SELECT value FROM meta WHERE key = 'disclosure_seq'").fetchone()
    if seq_row is None:
        raise UsageError("no disclosure decisions yet: run `seoulrec disclose apply` before exporting (nothing is published undecided)")
    seq = int(seq_row[0])
    notes = []
    last = _last_run(catalog, exporter_name, str(out))
    kind = "full"
    since_seq = None
    if since_last:
        if last is None:
            notes.append("no previous run of this exporter to this destination: wrote a full export")
        elif not exporter_cls.incremental:
            notes.append(f"{exporter_name} output is always complete (the format has no deltas): wrote a full export")
        else:
            kind, since_seq = "delta", last[1]
    meta = dict(catalog.db.execute("SELECT key, value FROM meta WHERE key IN ('disclosure_records', 'disclosure_policy')").fetchall())
    # Every decision is rewritten when the policy changes (its version is part of the row), so
    # the last apply's policy is the policy of every row.
    state = {
        "schema_version": catalog.schema_version(),
        "disclosure_seq": seq,
        "records": int(meta.get("disclosure_records", 0)),
        "policy_versions": [meta["disclosure_policy"]] if "disclosure_policy" in meta else [],
    }
    context = ExportContext(
        destination=out,
        base_url=str(settings.get("base_url", DEFAULT_BASE_URL)),
        default_licence=str(settings.get("licence", "")),
        kind=kind,
        catalog_state=state,
        options={"since_seq": since_seq},
    )
    exporter = exporter_cls()
    with catalog.transaction():
        run_id = catalog.db.execute(
            "INSERT INTO export_runs(exporter, destination, kind, since_run, seq, started, status) VALUES (?,?,?,?,?,?, 'running')",
            [exporter_name, str(out), kind, last[0] if (last and kind == "delta") else None, seq, now()],
        ).lastrowid
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        where = "AND d.seq > ?" if kind == "delta" else ""
        params = [since_seq] if kind == "delta" else []
        sql = ROW_SQL.format(text="r.text" if exporter_cls.needs_text else "NULL", where=where, index="INDEXED BY disclosures_seq" if kind == "delta" else "")

        def rows() -> Iterator[dict]:
            cursor = catalog.db.conn.execute(sql, params)
            while True:
                chunk = cursor.fetchmany(2000)
                if not chunk:
                    return
                for raw in chunk:
                    row = public_row(raw, masker)
                    if not row["licence"]:
                        row["licence"] = context.default_licence
                    yield row

        counts = exporter.write(context, rows(), tmp)
        tombstones = _tombstones(catalog, since_seq) if kind == "delta" else []
        if kind == "delta":
            counts.update(exporter.write_tombstones(context, tombstones, tmp))
        counts["tombstones"] = len(tombstones)
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        manifest = {
            "schema": "seoulrec.export-manifest/1",
            "exporter": exporter_name,
            "kind": kind,
            "since_disclosure_seq": since_seq,
            "catalog_state": state,
            "counts": counts,
            "files": {p.relative_to(tmp).as_posix(): {"sha256": file_sha256(p), "bytes": p.stat().st_size} for p in files},
        }
        manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
        (tmp / "manifest.json").write_bytes(manifest_bytes)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        with catalog.transaction():
            catalog.db.execute("UPDATE export_runs SET status = 'failed', finished = ? WHERE id = ?", [now(), run_id])
        raise
    with catalog.transaction():
        catalog.db.execute(
            "UPDATE export_runs SET status = 'finished', finished = ?, counts = ?, manifest_sha256 = ? WHERE id = ?",
            [now(), json.dumps(counts), hashlib.sha256(manifest_bytes).hexdigest(), run_id],
        )
        catalog.audit("export.run", detail={"exporter": exporter_name, "destination": str(out), "kind": kind, "run": run_id, **counts})
    return {"run": run_id, "destination": str(out), "manifest": manifest, "notes": notes, "seconds": round(time.perf_counter() - started, 3)}


def _tombstones(catalog: Catalog, since_seq: int) -> list[dict]:
    """What downstream copies exported at ``since_seq`` must drop: records withdrawn from the
    catalog, and records whose original is withheld now but was public then. When a record
    changed more than once since then, its state at ``since_seq`` is unknown and it is withdrawn
    anyway (withdrawing what a copy does not hold is harmless; when in doubt, withhold)."""
    deleted = [
        {"id": package_id(key), "record_key": key, "reason": "deleted"}
        for (key,) in catalog.db.execute("SELECT record_key FROM withdrawals WHERE seq > ? ORDER BY id", [since_seq])
    ]
    withdrawn = [
        {"id": pid or package_id(key), "record_key": key, "reason": "original_withdrawn"}
        for key, pid in catalog.db.execute(
            "SELECT d.record_key, r.public_id FROM disclosures d INDEXED BY disclosures_seq CROSS JOIN records r ON r.id = d.record_id "
            "WHERE d.seq > ? AND d.original_public = 0 AND (d.prev_original_public = 1 OR d.prev_seq > ?) ORDER BY d.record_id",
            [since_seq, since_seq],
        )
    ]
    return deleted + withdrawn


def _swap(tmp: Path, out: Path) -> None:
    """Move the new output into place; the old one is removed only after the new one is there."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, old)
    try:
        os.replace(tmp, out)
    except BaseException:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
