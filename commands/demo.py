"""``seoulrec demo``: generate a demo corpus offline and run the whole pipeline on it."""

from datetime import date
from pathlib import Path

from typing import Optional

import typer

from seoulrec.errors import UsageError
from seoulrec.errors import StageFailed

from .console import JsonOption, emit_json, info, table


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    out: Path = typer.Option(
        Path("seoulrec-demo"), "--out", help="Folder for the demo corpus, catalog and outputs."
    ),
    jobs: int = typer.Option(
        0, "--jobs", "-j", min=0, max=256, help="Worker processes (0 = one per core)."
    ),
    catalog: Optional[str] = typer.Option(
        None,
        "--catalog",
        help="A postgresql://USER@HOST/DB URL to use instead of the demo folder's SQLite file "
        "(an existing, empty database; seoulrec.toml names it without the password).",
    ),
    as_json: bool = JsonOption,
):
    """Generate a demo corpus (offline) and run the whole nightly pipeline on it: two organs'
    inboxes (서울특별시 and 강남구), a meetings manifest, a pre-publication registry; ingest,
    classify, disclose, the index exports and the portal; prints where everything is.

    The corpus holds approval packages (folder, pack envelope, ZIP), HWPX bodies with a printed
    foot, a manifest in Seoul's published layout, unstructured materials and a few broken files
    whose failures are expected and reported. The demo folder is a project: its seoulrec.toml
    declares the inboxes, so `seoulrec nightly` run inside it repeats the job (a second run
    changes nothing). The folder must be new, empty, or one that `seoulrec demo` made.

    Example: seoulrec demo --out /tmp/demo && cd /tmp/demo && seoulrec compliance

    Example: seoulrec demo --out /tmp/demo-pg --catalog postgresql://me@localhost/seoulrec_demo
    """
    from seoulrec.config import CONFIG_NAME
    from seoulrec.store.catalog import Catalog
    from seoulrec.run.pipeline import Plan
    from seoulrec.run.demo import demo_config
    from seoulrec.run.demo import generate_demo
    from seoulrec.run.demo import generate_district
    from seoulrec.run.demo import generate_meetings
    from seoulrec.run.demo import generate_registry
    from seoulrec.run.project import init_project
    from seoulrec.store.catalog import is_url
    from seoulrec.config import load_config
    from seoulrec.run.demo import prepare_demo_folder
    from seoulrec.store.pg import redact
    from seoulrec.run.pipeline import run_pipeline
    from seoulrec.store.pg import without_password

    prepare_demo_folder(out)
    today = date.today()
    counts = generate_demo(out / "corpus")
    counts["district_packages"] = generate_district(out / "corpus-gangnam")
    counts["meetings"] = generate_meetings(out / "meetings", today)
    generate_registry(out / "registry")
    config_path = out / CONFIG_NAME
    if catalog is not None and not is_url(catalog):
        raise UsageError(
            "demo --catalog takes a postgresql:// URL (the SQLite catalog is the demo folder's own)"
        )
    where = without_password(catalog) if catalog else "seoulrec.db"
    if not config_path.exists() or "[nightly]" not in config_path.read_text("utf-8"):
        config_path.write_text(demo_config(where), "utf-8")
    project = init_project(out, catalog or Path("seoulrec.db"))
    catalog_path: "Path | str" = catalog or Path(project["catalog"])
    config = load_config(config_path)
    plan = Plan.from_config(config, today=today, jobs=jobs)
    opened = Catalog.open(catalog_path)
    try:
        report = run_pipeline(opened, config, plan, on_stage=lambda name: info(f"· {name}"))
    finally:
        opened.close()
    document = {
        "catalog": redact(str(catalog_path)),
        "config": str(config_path),
        "generated": counts,
        "public": str(out / "public"),
        "site": str(out / "public" / "site"),
        **report.to_dict(),
    }
    if as_json:
        emit_json(document)
    else:
        stages = document["stages"]
        table(
            "demo pipeline",
            ["stage", "status", "seconds"],
            [[name, s["status"], f"{s['seconds']:.1f}"] for name, s in stages.items()],
        )
        ingest = stages.get("ingest", {})
        if ingest.get("failures"):
            info(
                f"{ingest['failures']} items failed, as expected: the demo corpus holds broken/ files on purpose."
            )
        info(
            f"\nCatalog: {document['catalog']}\nIndex:   {out / 'public'}  (index/, jsonl/, feed/, sitemap/)"
        )
        info(
            f"Site:    python -m http.server -d {out / 'public' / 'site'} 8000   (then open http://localhost:8000/)"
        )
        info(f"Reports: cd {out} && seoulrec compliance; seoulrec stats; seoulrec meetings list")
        info(f"Again:   cd {out} && seoulrec nightly   (nothing new: nothing changes)")
    if report.failed_stage:
        raise StageFailed(
            f"stage {report.failed_stage} failed: {document['stages'][report.failed_stage]['error']}"
        )
