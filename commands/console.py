"""One console helper: results on stdout (table, ``--json``, ``--csv``, ``--tsv``), progress,
warnings and summaries of side effects on stderr; errors become a message and an exit code in
one place (``SeoulrecGroup.invoke``), for every command.

Exit codes (documented in the README and ``seoulrec --help``):
  0 success; 1 failure; 2 usage error (bad option, missing catalog, bad config);
  3 finished, but some items failed; 130 interrupted.

No user or document text is ever read as rich markup: both consoles have markup off, and
styles are passed as ``style=``.
"""

import csv
import json
import os
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from typer.core import TyperGroup

from seoulrec.errors import PartialFailure, SeoulrecError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from seoulrec.store.catalog import Catalog

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_INTERRUPTED = 130

_CONSOLES: dict[str, "Console"] = {}


def console(name: str = "err") -> "Console":
    """The rich console for stderr (``"err"``) or stdout (``"out"``), made on first use: a
    command that prints nothing through rich never imports it (start-up time, issue 24)."""
    if name not in _CONSOLES:
        from rich.console import Console

        _CONSOLES[name] = Console(stderr=name == "err", highlight=False, markup=False)
    return _CONSOLES[name]


def _styled(*parts: tuple[str, str | None]):
    """Rich text from (text, style) parts: document text is never read as markup."""
    from rich.text import Text

    result = Text()
    for text, style in parts:
        result.append(text, style=style)
    return result


#: What a command may still print when it is interrupted (``--json`` reports of work done).
_ON_INTERRUPT: list = []


def emit_json(document: Any) -> None:
    """Print one JSON document to stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def info(message: str, style: str | None = None) -> None:
    """A message for the person at the terminal (stderr)."""
    console().print(message, soft_wrap=True, style=style)


@contextmanager
def counting(label: str):
    """A progress bar on stderr for work counted in records, on a terminal only (piped or
    redirected stderr gets nothing); yields the callback the core calls with each batch's
    count. Gone when the work ends: the summary follows."""
    if "err" not in _CONSOLES and not sys.stderr.isatty():
        yield lambda n: None  # piped: no bar, and rich is not even imported for it (issue 24)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    err = console()
    progress = Progress(
        TextColumn(label, markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("records", markup=False),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    task = progress.add_task(label, total=None)  # batches of unknown number: n/? records
    with progress:
        yield lambda n: progress.update(task, advance=n)


def confidence_text(value: float) -> str:
    """A confidence for people: two decimals, and "<0.01" rather than a "0.00" that reads as
    impossible (five alternatives of a model that cannot place a record, all "0.00", said nothing)."""
    return "<0.01" if value < 0.005 else f"{value:.2f}"


def warn(message: str) -> None:
    console().print(_styled(("warning: ", "yellow"), (message, None)), soft_wrap=True)


def _cell(value: Any) -> str:
    """Human text for a value: never a raw Python value (None, [], {'email': 1})."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_cell(v)}" for k, v in value.items())
    return str(value)


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal: Hangul and other wide characters take two."""
    from unicodedata import east_asian_width

    if text.isascii():
        return len(text)
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)


def _plain(stream, title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    """A table as aligned plain text (piped or redirected output): a header, a rule, one line
    per row, columns two spaces apart; never wrapped, no box drawing for a script to strip."""
    cells = [[" ".join(_cell(v).split()) for v in row] for row in rows]
    widths = [_width(c) for c in columns]
    for row in cells:
        widths = [max(w, _width(c)) for w, c in zip(widths, row)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()

    out = [title] if title else []
    out += [line(columns), line(["-" * w for w in widths])] + [line(row) for row in cells]
    stream.write("\n".join(out) + "\n")
    stream.flush()


def _render(name: str, title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    stream = sys.stderr if name == "err" else sys.stdout
    if not stream.isatty():
        # Piped or redirected: plain aligned text, and rich is never imported for it (a
        # command like `status` in a script starts in the time of typer alone, issue 24).
        _plain(stream, title, columns, rows)
        return
    from rich.table import Table
    from rich.text import Text

    t = Table(title=title, show_lines=False, title_justify="left")
    for column in columns:
        t.add_column(column, overflow="fold")
    for row in rows:
        t.add_row(*[Text(_cell(v)) for v in row])
    console(name).print(t)


def table(title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    """A result table on stdout."""
    _render("out", title, columns, rows)


def summary(title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    """A summary of side effects (what a command did) on stderr."""
    _render("err", title, columns, rows)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"


def output_format(as_json: bool, as_csv: bool, as_tsv: bool) -> Format:
    chosen = [
        f for f, on in ((Format.json, as_json), (Format.csv, as_csv), (Format.tsv, as_tsv)) if on
    ]
    if len(chosen) > 1:
        raise UsageError("choose one of --json, --csv and --tsv")
    return chosen[0] if chosen else Format.table


def listing(
    fmt: Format, title: str, columns: list[str], rows: list[list[Any]], document: Any = None
) -> None:
    """A listing in the format asked for: a table, JSON (``document`` or the rows as objects),
    or CSV/TSV with a header row."""
    if fmt is Format.json:
        emit_json(document if document is not None else [dict(zip(columns, row)) for row in rows])
    elif fmt in (Format.csv, Format.tsv):
        writer = csv.writer(
            sys.stdout, delimiter="," if fmt is Format.csv else "\t", lineterminator="\n"
        )
        writer.writerow(columns)
        from seoulrec.publish.cells import spreadsheet_safe

        for row in rows:
            # Text a spreadsheet would run as a formula gets a leading ' (OWASP).
            writer.writerow([spreadsheet_safe(v) if isinstance(v, str) else _cell(v) for v in row])
        sys.stdout.flush()
    else:
        table(title, columns, rows)


def on_interrupt(callback) -> None:
    """Register what to print if the command is interrupted (e.g. a partial ``--json`` report)."""
    _ON_INTERRUPT.append(callback)


def _click_own() -> tuple:
    """Exceptions click handles itself (usage errors, exits, aborts): those of the click Typer
    ships, and of the click package when something loaded it (it is not imported for this)."""
    own = {typer.Exit, typer.Abort}
    for module in (sys.modules.get("typer._click.exceptions"), sys.modules.get("click.exceptions")):
        if module is not None:
            own |= {
                getattr(module, name)
                for name in ("Exit", "ClickException", "Abort")
                if hasattr(module, name)
            }
    own |= {c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"}
    return tuple(own)


class SeoulrecGroup(TyperGroup):
    """The root command group: every command's errors are translated here, in one place."""

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        _ON_INTERRUPT.clear()
        try:
            return super().invoke(ctx)
        except _click_own():  # type: ignore[misc]
            raise
        except PartialFailure as exc:
            console().print(_styled((str(exc), "yellow")), soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except SeoulrecError as exc:
            console().print(_styled(("error: ", "bold red"), (str(exc), None)), soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            for callback in _ON_INTERRUPT:
                callback()
            console().print(
                "interrupted: the catalog is consistent; re-run the same command to finish",
                style="yellow",
            )
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:
            if os.environ.get("SEOULREC_DEBUG"):
                raise
            if _lost_database(exc):
                console().print(
                    _styled(
                        ("error: ", "bold red"),
                        (
                            f"the PostgreSQL catalog stopped answering ({type(exc).__name__}: {exc}); "
                            "what was committed is kept: re-run the command when it is back",
                            None,
                        ),
                    ),
                    soft_wrap=True,
                )
                raise typer.Exit(EXIT_FAILURE) from None
            console().print(
                _styled(
                    ("internal error: ", "bold red"),
                    (
                        f"{type(exc).__name__}: {exc}\nThis is a bug in seoulrec, not in your input. Re-run with SEOULREC_DEBUG=1 for details.",
                        None,
                    ),
                ),
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_FAILURE) from None


def _lost_database(exc: Exception) -> bool:
    """A PostgreSQL server that went away (restarted, network down) mid-command: not a bug."""
    import sys

    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(exc, psycopg.OperationalError)


def open_catalog(option: "str | Path | None", readonly: bool = False) -> "Catalog":
    from seoulrec.config import load_config, resolve_catalog
    from seoulrec.store.catalog import Catalog

    config = load_config()
    return Catalog.open(resolve_catalog(option, config), readonly=readonly)


CatalogOption = typer.Option(
    None,
    "--catalog",
    "-c",
    help="Catalog file or postgresql://USER@HOST/DB URL (default: $SEOULREC_CATALOG, else seoulrec.toml here).",
    show_default=False,
)
JsonOption = typer.Option(False, "--json", help="Print one JSON document on stdout.")
# Filters shared by the listings (records list, search).
DepartmentOption = typer.Option(None, "--department", help="Only this department (처리과).")
FromOption = typer.Option(None, "--from", help="Enforcement date on or after YYYY-MM-DD.")
ToOption = typer.Option(None, "--to", help="Enforcement date on or before YYYY-MM-DD.")
ClassOption = typer.Option(
    None, "--class", help="Decision in force: public, partial or non_public."
)
KindOption = typer.Option(None, "--kind", help="approval (결재문서) or material (비정형 자료).")
CLASSES = ("public", "partial", "non_public")


def iso_date(value: str | None, option: str) -> str | None:
    """A date option as YYYY-MM-DD (None when not given); a clear usage error otherwise."""
    from seoulrec.dates import parse_date

    return None if value is None else parse_date(value, option).isoformat()


CsvOption = typer.Option(
    False, "--csv", help="Print CSV on stdout (a header row, then one row per item)."
)
TsvOption = typer.Option(False, "--tsv", help="Print tab-separated values on stdout.")
#: Record and batch ids: SQLite integers (a larger number is a usage error, not a crash).
MAX_ID = 2**63 - 1
IdsFromOption = typer.Option(
    None,
    "--ids-from",
    help="Read record ids from FILE (one per line; - for stdin).",
    metavar="FILE|-",
)


def collect_ids(given: list[int] | None, ids_from: str | None) -> list[int]:
    """Record ids from the command line and ``--ids-from FILE|-`` (one per line; blank lines
    and # comments skipped), in order, without duplicates."""
    ids = list(given or [])
    if ids_from:
        try:
            text = sys.stdin.read() if ids_from == "-" else Path(ids_from).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--ids-from {ids_from}: cannot read it ({exc})") from None
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if not line.isdigit() or not 1 <= int(line) <= MAX_ID:
                raise UsageError(
                    f"--ids-from {ids_from}: line {number}: {line!r} is not a record id"
                )
            ids.append(int(line))
    for record_id in ids:
        if not 1 <= record_id <= MAX_ID:
            raise UsageError(f"{record_id} is not a record id")
    if not ids:
        raise UsageError("give at least one record id, or --ids-from FILE")
    return list(dict.fromkeys(ids))
