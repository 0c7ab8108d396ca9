"""Cells and text for published files: spreadsheet-safe CSV cells and XML-safe text.

CSV injection, as OWASP recommends:

A spreadsheet program evaluates a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (``=HYPERLINK(...)`` runs when the file is opened). Every CSV file
seoulrec writes (the seoul-csv index, its tombstones, ``--csv``/``--tsv`` listings) prefixes
such a cell with a single quote, which spreadsheets show as text and do not evaluate. JSON and
XML files keep the value as it is.
"""

from __future__ import annotations

import re as _re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value`` with a leading ``'`` when a spreadsheet would evaluate it; other values as given."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# -- XML text ----------------------------------------------------------------------------------

#: Characters XML 1.0 cannot hold (C0 controls but tab and line breaks, lone surrogates,
#: U+FFFE/U+FFFF): dropped from every published XML file, which would otherwise be invalid
#: (a title with "\x01" in it) or make lxml refuse to write it.
XML_INVALID = _re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_clean(value: str) -> str:
    """``value`` without the characters XML cannot hold."""
    return XML_INVALID.sub("", value) if value else value


def xml_escape(value: str, keep_nul: bool = False) -> str:
    """``value`` as XML character data: cleaned, then ``&``, ``<``, ``>`` escaped.
    ``keep_nul``: the caller cleaned the parts already and joined them with NUL."""
    # What xml.sax.saxutils.escape does, without importing it (it pulls in urllib: 50 ms at
    # start-up of every command, since --csv listings use this module).
    text = value if keep_nul else xml_clean(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
