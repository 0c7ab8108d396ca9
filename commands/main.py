"""The ``seoulrec`` application: every command is listed here, in one explicit table.

A command is built when it runs: the root knows each command's name, the module under
``commands/`` that registers it, and its one-line help for ``seoulrec --help`` (``COMMANDS``),
so ``seoulrec --help`` builds no command and ``seoulrec status`` builds one module's, not all
ninety (issue 24). tests/commands/test_startup.py holds the table to the commands themselves.
"""

import functools
import importlib

import typer

from seoulrec import __version__

from .console import SeoulrecGroup

#: name -> (module under commands/ that registers it, the one-line help), in --help order.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "Create a catalog (an SQLite file, or the schema in an existing PostgreSQL database) and a commented seoulrec.toml (safe to re-run)."),
    "ingest": ("ingest", "Ingest electronic-approval packages and documents into the catalog."),
    "search": ("search", "Find records by the words of their titles, texts and attachments, best first."),
    "status": ("views", "Where the catalog stands: records by kind, decisions by class and published or withheld, the classification queue, principle-5 violations, unresolved ranks, the last batch and its failures, the last export per destination, the catalog's size."),
    "batches": ("views", "Past ingest batches, newest first, with their counts and options."),
    "audit": ("views", "The audit log (append-only; read-only here): who changed what, when and why."),
    "stats": ("stats", "Disclosure rate (공개율), partial and non-disclosure rates and the share of originals published, overall and by organ, department, year and field; counts by class; originals published per month."),
    "compliance": ("compliance", "Everything a records manager must act on: meetings announced late and minutes overdue, principle-5 violations, non-disclosure reviews due, unresolved ranks, records needing a class, a title or a category, unresolved ingest failures, overdue pre-publication items."),
    "check": ("check", "Verify the catalog and its outputs: SQLite integrity and foreign keys; no batch or export left running by a dead process; batch counts equal the records they claim; stored digests are SHA-256; every decision is under the last applied policy; no attachment published under a withheld record; the search index holds every record version (--repair rebuilds it); every output's manifest matches the files on disk; no temporary folders left beside an output."),
    "nightly": ("nightly", "Run the whole pipeline: ingest every inbox, import the meetings and pre-publication registries, classify, decide disclosure, write every index export and the portal, each incrementally."),
    "demo": ("demo", "Generate a demo corpus (offline) and run the whole nightly pipeline on it: two organs' inboxes (서울특별시 and 강남구), a meetings manifest, a pre-publication registry; ingest, classify, disclose, the index exports and the portal; prints where everything is."),
    "records": ("records", "List and show catalogued records."),
    "ranks": ("ranks", "The rank ladder and the positions it does not resolve."),
    "scheme": ("scheme", "Show, validate and import the classification scheme."),
    "classify": ("classify", "Classify records under the standard scheme; review and override."),
    "disclose": ("disclose", "Decide what the public may see, per record, by rule."),
    "review": ("disclose", "With no subcommand, the archivist's workbench: the review queues one record at a time (title, department, approval chain, text and attachments, suggestions with confidence)."),
    "privacy": ("privacy", "Find personal data (registration numbers, phones, e-mail, accounts, names after cue words) without printing it."),
    "export": ("export", "Export what is public."),
    "failures": ("views", "Stored per-item failures of ingest: list them, mark them resolved; retry with `seoulrec ingest --retry-failed`."),
    "meetings": ("meetings", "Meetings in the open (회의 공개): outlines 5 days before, minutes within 7 days."),
    "prepub": ("prepub", "Pre-publication (사전공표): the registry of information published proactively."),
}  # fmt: skip

HELP = f"""seoulrec {__version__}: ingest, classify, decide disclosure and publish Seoul's records.

Exit codes: 0 success; 1 failure (also --fail-fast stopping at a bad item); 2 usage error (bad
option or value, no catalog, bad seoulrec.toml, an output folder seoulrec may not replace);
3 finished, but some items failed (see the report); 4 a nightly stage failed; 5 compliance --fail-on found something; 75 another
nightly run holds the lock; 130 interrupted (the catalog stays
consistent; re-run to finish).

Results go to stdout (tables, --json, --csv, --tsv); progress, warnings and summaries go to
stderr.

Example:  seoulrec init && seoulrec ingest exports/ && seoulrec records list
"""


@functools.cache
def commands_of(module: str) -> dict:
    """The click commands a module under ``commands/`` registers, built (imported) once."""
    holder = typer.Typer(rich_markup_mode=None)  # as the root: plain click help
    importlib.import_module(f".{module}", __package__).register(holder)
    return dict(typer.main.get_group(holder).commands)


class LazyGroup(SeoulrecGroup):
    """The root group: lists every command from ``COMMANDS`` and builds one when it is run."""

    def list_commands(self, ctx) -> list[str]:  # type: ignore[no-untyped-def]
        return list(COMMANDS)

    def get_command(self, ctx, cmd_name: str):  # type: ignore[no-untyped-def]
        if cmd_name not in COMMANDS:
            return None
        return commands_of(COMMANDS[cmd_name][0]).get(cmd_name)

    def format_commands(self, ctx, formatter) -> None:  # type: ignore[no-untyped-def]
        from typer._click.utils import make_default_short_help

        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, make_default_short_help(text, limit)) for name, (_, text) in COMMANDS.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    cls=LazyGroup,
    help=HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)


def version_callback(value: bool):
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=version_callback, is_eager=True, help="Print the version."
    ),
):
    pass


def main() -> None:
    app()
