"""``jsonl``: one public record per line (schema ``seoulrec.public-record/1``, shipped)."""

from __future__ import annotations

import json

from seoulrec.plugins import LineExporter, LineFile

SCHEMA_ID = "seoulrec.public-record/1"
_JSON = json.JSONEncoder(ensure_ascii=False).encode  # key order is fixed by public_row


class JsonlExporter(LineExporter):
    name = "jsonl"
    description = "records.jsonl, one public record per line, per production month; tombstones.jsonl for withdrawals"
    needs_text = True
    line_files = (LineFile("records.jsonl", head="", sep="\n", tail="\n", empty=""),)

    def render(self, context, row) -> tuple[str, ...]:
        doc = dict(row, schema=SCHEMA_ID, url=context.url(row))
        del doc["record_key"]
        doc.pop("source_url", None)  # published as url
        if not row["original_public"]:
            doc.pop("text", None)  # never the text of a withheld original
        return (_JSON(doc),)  # JSON escapes newlines: one line per record

    def write_tombstones(self, context, tombstones, folder) -> dict:
        with open(folder / "tombstones.jsonl", "w", encoding="utf-8") as fh:
            for t in tombstones:
                fh.write(
                    json.dumps(
                        {"id": t["id"], "action": "withdraw", "reason": t["reason"]},
                        ensure_ascii=False,
                        sort_keys=True,
                    )
                    + "\n"
                )
        return {}


PLUGINS = [JsonlExporter]
