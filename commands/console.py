"""One console helper: human output and progress on stderr, ``--json`` on stdout, errors → exit codes.

Exit codes (documented in the README and ``seoulrec --help``):
  0 success; 1 failure; 2 usage error (bad option, missing catalog, bad config);
  3 finished, but some items failed; 130 interrupted.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

import typer
from rich.console import Console
from rich.table import Table

from seoulrec.catalog import Catalog
from seoulrec.config import load_config, resolve_catalog
from seoulrec.errors import SeoulrecError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_INTERRUPTED = 130

err = Console(stderr=True, highlight=False)


def emit_json(document: Any) -> None:
    """Print one JSON document to stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def info(message: str) -> None:
    err.print(message, soft_wrap=True)


def table(title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    t = Table(title=title, show_lines=False)
    for column in columns:
        t.add_column(column, overflow="fold")
    for row in rows:
        t.add_row(*["" if v is None else str(v) for v in row])
    err.print(t)


def handle_errors(fn: Callable) -> Callable:
    """Translate SeoulrecError (and interrupts) to a message and an exit code, in one place."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except SeoulrecError as exc:
            err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("[yellow]interrupted[/]: the catalog is consistent; re-run the same command to finish")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:
            if os.environ.get("SEOULREC_DEBUG"):
                raise
            err.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
                "This is a bug in seoulrec, not in your input. Re-run with SEOULREC_DEBUG=1 for details."
            )
            raise typer.Exit(EXIT_FAILURE) from None

    return wrapper


def open_catalog(option: Path | None, readonly: bool = False) -> Catalog:
    config = load_config()
    return Catalog.open(resolve_catalog(option, config), readonly=readonly)


CatalogOption = typer.Option(
    None, "--catalog", "-c", help="Catalog file (default: $SEOULREC_CATALOG, else seoulrec.toml here).", show_default=False
)
JsonOption = typer.Option(False, "--json", help="Print one JSON document on stdout.")
