"""``seoul-csv``: the layout of Seoul's published approval list (DOMAIN 6), as CSV, JSON and XML."""

from __future__ import annotations

import csv
import io
import json
from seoulrec.publish.cells import spreadsheet_safe, xml_clean, xml_escape
from seoulrec.plugins import LineExporter, LineFile

_JSON = json.JSONEncoder(ensure_ascii=False).encode

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
        out = {key: _one_line(value) for key, value in seoul_row(context, row).items()}
        values = [out[key] for key in HEADER]
        # Escape all values in one pass (a separator no value can hold), then lay them out.
        # Cleaned one by one (no value keeps a NUL), escaped in one pass.
        escaped = xml_escape("\x00".join(map(xml_clean, values)), keep_nul=True).split("\x00")
        csv_values = [spreadsheet_safe(v) for v in values]  # OWASP: no formulas in cells
        return _csv_line(csv_values), _JSON(out), XML_RECORD.format(*escaped)

    def write_tombstones(self, context, tombstones, folder) -> dict:
        with open(folder / "withdrawn.csv", "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(["package_id", "reason"])
            for t in tombstones:
                writer.writerow([spreadsheet_safe(t["id"]), spreadsheet_safe(t["reason"])])
        return {}


PLUGINS = [SeoulCsvExporter]
