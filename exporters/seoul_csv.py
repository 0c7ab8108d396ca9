"""``seoul-csv``: the layout of Seoul's published approval list (DOMAIN 6), as CSV, JSON and XML."""

from __future__ import annotations

import csv
import io
import json
import re
from seoulrec.publish.cells import (
    FORMULA_STARTS,
    XML_INVALID,
    spreadsheet_safe,
    xml_clean,
    xml_escape,
)
from seoulrec.plugins import LineExporter, LineFile


HEADER = [
    "package_id",
    "doc_prdctn_dt",
    "tkcrd_nm",
    "title",
    "src_dept_doc_no",
    "writer",
    "othbc_pd",
    "rspnber_dept_nm",
    "othbc_se",
    "cpyrht",
    "url",
]
XML_RECORD = (
    "<record>" + "".join(f"<{key}>{{{i}}}</{key}>" for i, key in enumerate(HEADER)) + "</record>"
)


def seoul_row(context, row: dict) -> dict:
    return {
        "package_id": row["id"],
        "doc_prdctn_dt": (row["enforcement_date"] or "").replace("-", ""),
        "tkcrd_nm": row["unit_task"],
        "title": row["title"],
        "src_dept_doc_no": row["document_number"],
        "writer": row["writer"],
        "othbc_pd": row["retention_period"],
        "rspnber_dept_nm": row["department"],
        "othbc_se": row["class_label"],
        "cpyrht": row["licence"],
        "url": context.url(row),
    }


def _one_line(value: str) -> str:
    """Line breaks inside a value become spaces: every row is one line in every file."""
    return " ".join(value.splitlines()) if ("\n" in value or "\r" in value) else value


#: What XML cannot hold, but NUL (the separator ``render`` joins a row's values with).
_XML_INVALID_BUT_NUL = re.compile(XML_INVALID.pattern.replace("[^", "[^\\x00", 1))
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
#: A row's JSON object, laid out as ``json.dumps(..., ensure_ascii=False)`` lays it out (the
#: same bytes), from the C string encoder: 4x faster than encoding the dict.
_STRING = json.encoder.encode_basestring  # type: ignore[attr-defined]
_JSON_KEYS = [f'"{key}": ' for key in HEADER]

_BUFFER = io.StringIO()
_CSV = csv.writer(_BUFFER, lineterminator="")


def _csv_line(values: list[str]) -> str:
    _BUFFER.seek(0)
    _BUFFER.truncate()
    _CSV.writerow(values)
    return _BUFFER.getvalue()


class SeoulCsvExporter(LineExporter):
    name = "seoul-csv"
    description = "index.csv (UTF-8 with BOM, Seoul's header), index.json and index.xml with the same rows, per production month"
    line_files = (
        LineFile(
            "index.csv",
            head="\ufeff" + ",".join(HEADER) + "\r\n",
            sep="\r\n",
            tail="\r\n",
            empty="\ufeff" + ",".join(HEADER) + "\r\n",
        ),
        LineFile("index.json", head="[\n", sep=",\n", tail="\n]\n", empty="[]\n"),
        LineFile(
            "index.xml",
            head="<?xml version='1.0' encoding='utf-8'?>\n<records>",
            sep="\n",
            tail="\n</records>",
            empty="<?xml version='1.0' encoding='utf-8'?>\n<records></records>",
        ),
    )

    def render(self, context, row) -> tuple[str, ...]:
        values = list(seoul_row(context, row).values())  # in HEADER's order
        # The common row, checked in one pass over all its values joined by NUL: no line break,
        # nothing XML cannot hold (but the NUL separators themselves), no NUL inside a value.
        joined = "\x00".join(values)
        if (
            "\n" in joined
            or "\r" in joined
            or _XML_INVALID_BUT_NUL.search(joined)
            or joined.count("\x00") != len(values) - 1
        ):
            values = [_one_line(v) for v in values]
            joined = "\x00".join(map(xml_clean, values))  # cleaned one by one: no NUL is kept
        escaped = xml_escape(joined, keep_nul=True).split("\x00")
        # OWASP: no formulas in cells.
        csv_values = ["'" + v if v[:1] in _FORMULA_FIRST else v for v in values]
        as_json = "{" + ", ".join([k + _STRING(v) for k, v in zip(_JSON_KEYS, values)]) + "}"
        return _csv_line(csv_values), as_json, XML_RECORD.format(*escaped)

    def write_tombstones(self, context, tombstones, folder) -> dict:
        with open(folder / "withdrawn.csv", "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(["package_id", "reason"])
            for t in tombstones:
                writer.writerow([spreadsheet_safe(t["id"]), spreadsheet_safe(t["reason"])])
        return {}


PLUGINS = [SeoulCsvExporter]
