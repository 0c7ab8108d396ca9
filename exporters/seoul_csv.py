"""``seoul-csv``: the layout of Seoul's published approval list (DOMAIN 6), as CSV, JSON and XML."""

from __future__ import annotations

import csv
import json

from lxml import etree

from seoulrec.plugins import Exporter

HEADER = ["package_id", "doc_prdctn_dt", "tkcrd_nm", "title", "src_dept_doc_no", "writer", "othbc_pd", "rspnber_dept_nm", "othbc_se", "cpyrht", "url"]


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
    description = "index.csv (UTF-8 with BOM, Seoul's header), index.json and index.xml with the same rows"

    def write(self, context, rows, folder) -> dict:
        count = 0
        with open(folder / "index.csv", "w", encoding="utf-8-sig", newline="") as csv_file, open(folder / "index.json", "w", encoding="utf-8") as json_file, etree.xmlfile(str(folder / "index.xml"), encoding="utf-8") as xml_file:
            writer = csv.DictWriter(csv_file, fieldnames=HEADER, lineterminator="\r\n")
            writer.writeheader()
            json_file.write("[")
            xml_file.write_declaration()
            with xml_file.element("records"):
                for row in rows:
                    out = seoul_row(context, row)
                    writer.writerow(out)
                    json_file.write(("\n" if count == 0 else ",\n") + json.dumps(out, ensure_ascii=False))
                    record = etree.Element("record")
                    for key in HEADER:
                        etree.SubElement(record, key).text = out[key]
                    xml_file.write(record)
                    count += 1
            json_file.write("\n]\n" if count else "]\n")
        return {"rows": count, "published_originals_listed": None}

    def write_tombstones(self, context, tombstones, folder) -> dict:
        with open(folder / "withdrawn.csv", "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(["package_id", "reason"])
            for t in tombstones:
                writer.writerow([t["id"], t["reason"]])
        return {}


PLUGINS = [SeoulCsvExporter]
