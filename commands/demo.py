"""``seoulrec demo``: generate a demo corpus offline and run the whole pipeline on it."""

from __future__ import annotations

from pathlib import Path

import typer

from datetime import date

from seoulrec import classify, disclosure
from seoulrec.export import run_export
from seoulrec.privacy import Masker
from seoulrec.config import load_config
from seoulrec.policy import policy_from_config
from seoulrec.catalog import Catalog
from seoulrec.project import init_project
from seoulrec.demo import generate_demo, prepare_demo_folder
from seoulrec.ingest import IngestOptions, run_batch

from .console import JsonOption, emit_json, info
from .ingest import render_report


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    out: Path = typer.Option(
        Path("seoulrec-demo"), "--out", help="Folder for the demo corpus, catalog and outputs."
    ),
    jobs: int = typer.Option(
        0, "--jobs", "-j", min=0, max=256, help="Worker processes (0 = one per core)."
    ),
    as_json: bool = JsonOption,
):
    """Generate a demo corpus (offline) and run the whole pipeline on it: ingest, classify,
    disclose, export; prints where the results are.

    The corpus holds approval packages (folder, pack envelope, ZIP), HWPX bodies with a printed
    foot, a manifest in Seoul's published layout, unstructured materials and a few broken files
    whose failures are expected and reported. Re-running reuses the same catalog (idempotent).
    The folder must be new, empty, or one that `seoulrec demo` made: demo records never enter
    a real catalog.

    Example: seoulrec demo --out /tmp/demo && seoulrec records list -c /tmp/demo/seoulrec.db
    """
    prepare_demo_folder(out)
    corpus = out / "corpus"
    counts = generate_demo(corpus)
    project = init_project(out, Path("seoulrec.db"))
    catalog_path, config_path = Path(project["catalog"]), Path(project["config"])
    catalog = Catalog.open(catalog_path)
    report = run_batch(
        catalog, [corpus], IngestOptions(jobs=jobs, kinds={"용역": "용역자료", "회의": "회의자료"})
    )
    classified = classify.run(catalog, {}, out)
    policy = policy_from_config(load_config(config_path))
    disclosed = disclosure.apply(catalog, policy, date.today())
    exports = {}
    (out / "public").mkdir(exist_ok=True)
    for fmt in ("seoul-csv", "jsonl", "atom", "sitemap"):
        exported = run_export(
            catalog, fmt, out / "public" / fmt, False, {}, Masker.from_policy(policy.masking)
        )
        exports[fmt] = {
            "folder": exported["destination"],
            "kind": exported["manifest"]["kind"],
            **exported["manifest"]["counts"],
        }
    from seoulrec.site import build_site

    site = build_site(catalog, out / "public" / "site", {}, Masker.from_policy(policy.masking))
    exports["site"] = {"folder": site.destination, "records": site.records, "pages": site.pages}
    result = {
        "corpus": str(corpus),
        "catalog": str(catalog_path),
        "config": str(config_path),
        "generated": counts,
        "ingest": {
            k: v
            for k, v in report.to_dict().items()
            if k in ("batch", "added", "updated", "unchanged", "items", "seconds")
        }
        | {"failed": len(report.failed), "incomplete": len(report.incomplete)},
        "records": catalog.db.execute(
            "SELECT count(*) FROM records WHERE is_current = 1"
        ).fetchone()[0],
        "classify": classified.to_dict(),
        "disclose": disclosed,
        "export": exports,
    }
    catalog.close()
    if as_json:
        emit_json(result)
        return
    render_report(report, False)  # the same ingest report as `seoulrec ingest`
    if report.failed:
        info("The failures above are expected: the demo corpus holds broken/ files on purpose.")
    info(
        f"Classified {classified.classified} records; {classified.needs_review} wait in the review queue (seoulrec classify review)."
    )
    info(
        f"Disclosure: {disclosed['original_public']} originals published, {disclosed['withheld']} withheld, {disclosed['titles_masked']} titles masked (seoulrec disclose check)."
    )
    info(f"\nCorpus:  {corpus}\nCatalog: {catalog_path}  ({result['records']} current records)")
    info(f"Public:  {out / 'public'}  (seoul-csv, jsonl, atom, sitemap; each with manifest.json)")
    info(
        f"Site:    python -m http.server -d {out / 'public' / 'site'} 8000   (then open http://localhost:8000/)"
    )
    info(f"Next:    seoulrec records list --catalog {catalog_path}")
