"""``seoulrec check``: verify a catalog and every output it has written."""

from typing import Optional

import typer

from seoulrec.errors import SeoulrecError

from .console import CatalogOption, JsonOption, emit_json, info, open_catalog, table


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(
    repair: bool = typer.Option(
        False,
        "--repair",
        help="Fix what is safe to fix (stale runs, leftover temporary folders, attachment decisions); never deletes a record.",
    ),
    quick: bool = typer.Option(
        False, "--quick", help="Check output files by size only (no SHA-256 of every file)."
    ),
    catalog: Optional[str] = CatalogOption,
    as_json: bool = JsonOption,
):
    """Verify the catalog and its outputs: SQLite integrity and foreign keys; no batch or export
    left running by a dead process; batch counts equal the records they claim; stored digests
    are SHA-256; every decision is under the last applied policy; no attachment published under
    a withheld record; the search index holds every record version (--repair rebuilds it);
    every output's manifest matches the files on disk; no temporary folders
    left beside an output.

    Exit codes: 0 sound (after --repair, if it repaired everything); 1 problems found (listed;
    --json for all); 2 usage error.

    Example: seoulrec check --repair --json
    """
    from seoulrec.run import check as core

    cat = open_catalog(catalog, readonly=not repair)
    try:
        done = core.repair(cat) if repair else []
        result = core.run_checks(cat, digests=not quick)
    finally:
        cat.close()
    result["repaired"] = done
    if as_json:
        emit_json(result)
    else:
        for line in done:
            info(f"repaired: {line}")
        if result["problems"]:
            table(
                "problems",
                ["check", "detail", "repair"],
                [
                    [p["check"], p["detail"], "--repair" if p["repairable"] else "by hand"]
                    for p in result["problems"]
                ],
            )
        else:
            info("sound: " + ", ".join(core.CHECKS))
    if result["problems"]:
        raise SeoulrecError(
            f"{len(result['problems'])} problems found"
            + (
                "; some can be fixed with --repair"
                if any(p["repairable"] for p in result["problems"])
                else ""
            )
        )
