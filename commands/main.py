"""The ``seoulrec`` application: every command group is registered here, in one explicit list."""

from __future__ import annotations

import typer

from seoulrec import __version__

from . import classify, demo, disclose, export, ingest, init, privacy, ranks, records, scheme

HELP = f"""seoulrec {__version__}: ingest, classify, decide disclosure and publish Seoul's records.

Exit codes: 0 success, 1 failure, 2 usage error, 3 finished but some items failed, 130 interrupted.

Example:  seoulrec init && seoulrec ingest exports/ && seoulrec records list
"""

app = typer.Typer(help=HELP, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None, add_completion=False)

for module in (init, ingest, records, ranks, scheme, classify, disclose, privacy, export, demo):
    module.register(app)


def version_callback(value: bool):
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True, help="Print the version.")):
    pass


def main() -> None:
    app()
