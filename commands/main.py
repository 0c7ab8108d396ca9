"""The ``seoulrec`` application: every command group is registered here, in one explicit list."""

import typer

from seoulrec import __version__

from .console import SeoulrecGroup
from . import (
    check,
    classify,
    compliance,
    demo,
    disclose,
    export,
    ingest,
    init,
    meetings,
    nightly,
    prepub,
    privacy,
    ranks,
    records,
    scheme,
    search,
    stats,
    views,
)

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

app = typer.Typer(
    cls=SeoulrecGroup,
    help=HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)

for module in (
    init,
    ingest,
    records,
    search,
    ranks,
    scheme,
    classify,
    disclose,
    privacy,
    export,
    views,
    stats,
    compliance,
    check,
    meetings,
    prepub,
    nightly,
    demo,
):
    module.register(app)


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
