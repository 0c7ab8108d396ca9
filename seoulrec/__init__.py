"""seoulrec: records-archive and publication toolkit for Seoul's open administration."""

from pathlib import Path as _Path

__version__ = "0.1.0"

# In a source checkout, `commands/`, `classifiers/` and `exporters/` stand beside this folder;
# an installed wheel maps them under `seoulrec.`. When `python -m seoulrec` runs from the
# checkout's root, the checkout shadows the installed package, so let the checkout resolve
# `seoulrec.commands` & co. the same way.
_checkout = _Path(__file__).resolve().parent.parent
if (_checkout / "pyproject.toml").is_file() and (_checkout / "commands" / "__init__.py").is_file():
    __path__.append(str(_checkout))  # noqa: F821 - the package's own __path__
