"""``jsonl``: one public record per line (schema ``seoulrec.public-record/1``, shipped)."""

from __future__ import annotations

import json

from seoulrec.plugins import Exporter

SCHEMA_ID = "seoulrec.public-record/1"
_JSON = json.JSONEncoder(ensure_ascii=False).encode  # key order is fixed by public_row


class JsonlExporter(Exporter):
    name = "jsonl"
    description = "records.jsonl, one public record per line; tombstones.jsonl for withdrawals"
    needs_text = True
    partitioned = True

    def write(self, context, rows, folder) -> dict:
        count = 0
        with open(folder / "records.jsonl", "w", encoding="utf-8") as fh:
            for row in rows:
                doc = dict(row, schema=SCHEMA_ID, url=context.url(row))
                del doc["record_key"]
                doc.pop("source_url", None)  # published as url
                if not row["original_public"]:
                    doc.pop("text", None)  # never the text of a withheld original
                fh.write(_JSON(doc) + "\n")
                count += 1
        return {"rows": count}

    def write_tombstones(self, context, tombstones, folder) -> dict:
        with open(folder / "tombstones.jsonl", "w", encoding="utf-8") as fh:
            for t in tombstones:
                fh.write(json.dumps({"id": t["id"], "action": "withdraw", "reason": t["reason"]}, ensure_ascii=False, sort_keys=True) + "\n")
        return {}


PLUGINS = [JsonlExporter]
