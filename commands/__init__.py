"""The command-line interface (Typer). Installed as ``seoulrec.commands``."""
