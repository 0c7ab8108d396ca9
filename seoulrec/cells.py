"""Spreadsheet-safe CSV cells (CSV injection, as OWASP recommends).

A spreadsheet program evaluates a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (``=HYPERLINK(...)`` runs when the file is opened). Every CSV file
seoulrec writes (the seoul-csv index, its tombstones, ``--csv``/``--tsv`` listings) prefixes
such a cell with a single quote, which spreadsheets show as text and do not evaluate. JSON and
XML files keep the value as it is.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value`` with a leading ``'`` when a spreadsheet would evaluate it; other values as given."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
