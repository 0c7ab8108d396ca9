"""``seoul-csv``: the layout of Seoul's published approval list (DOMAIN 6), as CSV, JSON and XML."""

from __future__ import annotations

import csv
import json
from xml.sax.saxutils import escape

from seoulrec.plugins import Exporter

_JSON = json.JSONEncoder(ensure_ascii=False).encode

HEADER = ["package_id", "doc_prdctn_dt", "tkcrd_nm", "title", "src_dept_doc_no", "writer", "othbc_pd", "rspnber_dept_nm", "othbc_se", "cpyrht", "url"]
XML_RECORD = "<record>" + "".join(f"<{key}>{{{i}}}</{key}>" for i, key in enumerate(HEADER)) + "</record>\n"


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


class SeoulCsvExporter(Exporter):
    name = "seoul-csv"
    description = "index.csv (UTF-8 with BOM, Seoul's header), index.json and index.xml with the same rows, per production month"
    partitioned = True

    def write(self, context, rows, folder) -> dict:
        count = 0
        with open(folder / "index.csv", "w", encoding="utf-8-sig", newline="") as csv_file, open(folder / "index.json", "w", encoding="utf-8") as json_file, open(folder / "index.xml", "w", encoding="utf-8") as xml_file:
            writer = csv.writer(csv_file, lineterminator="\r\n")
            writer.writerow(HEADER)
            json_file.write("[")
            xml_file.write("<?xml version='1.0' encoding='utf-8'?>\n<records>")
            for row in rows:
                out = seoul_row(context, row)
                values = [out[key] for key in HEADER]
                writer.writerow(values)
                json_file.write(("\n" if count == 0 else ",\n") + _JSON(out))
                # Escape all values in one pass (a separator no value can hold), then lay them out.
                escaped = escape("\x00".join(values)).split("\x00")
                xml_file.write(XML_RECORD.format(*escaped))
                count += 1
            json_file.write("\n]\n" if count else "]\n")
            xml_file.write("</records>")
        return {"rows": count}

    def write_tombstones(self, context, tombstones, folder) -> dict:
        with open(folder / "withdrawn.csv", "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(["package_id", "reason"])
            for t in tombstones:
                writer.writerow([t["id"], t["reason"]])
        return {}


PLUGINS = [SeoulCsvExporter]
