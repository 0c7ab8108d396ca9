"""``atom``: a feed of newly published originals (principle 6), RFC 4287."""

from __future__ import annotations

from lxml import etree

from seoulrec.publish.cells import xml_clean

from seoulrec.plugins import Exporter

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 500


def _rfc3339(stamp: str | None) -> str:
    if not stamp:
        return "1970-01-01T00:00:00Z"
    return stamp.replace("+00:00", "Z") if "T" in stamp else f"{stamp}T00:00:00Z"


class AtomExporter(Exporter):
    name = "atom"
    description = "feed.xml: the latest 500 newly published originals"
    incremental = False  # a feed is always the latest entries

    def write(self, context, rows, folder) -> dict:
        published = [r for r in rows if r["original_public"]]
        published.sort(key=lambda r: (r["published_since"] or "", r["id"]), reverse=True)
        if context.kind == "full":
            published = published[:MAX_ENTRIES]
        nsmap = {None: ATOM}
        feed = etree.Element(f"{{{ATOM}}}feed", nsmap=nsmap)
        etree.SubElement(feed, f"{{{ATOM}}}id").text = "urn:seoulrec:feed:" + context.base_url
        etree.SubElement(feed, f"{{{ATOM}}}title").text = "서울시 새로 공개된 결재문서"
        updated = max((r["published_since"] or "" for r in published), default="")
        etree.SubElement(feed, f"{{{ATOM}}}updated").text = _rfc3339(updated or None)
        author = etree.SubElement(feed, f"{{{ATOM}}}author")
        etree.SubElement(author, f"{{{ATOM}}}name").text = "서울특별시"
        etree.SubElement(feed, f"{{{ATOM}}}link", href=context.base_url)
        for row in published:
            entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
            etree.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:seoulrec:record:{row['id']}"
            etree.SubElement(entry, f"{{{ATOM}}}title").text = xml_clean(
                row["title"] or row["document_number"] or row["id"]
            )
            etree.SubElement(entry, f"{{{ATOM}}}updated").text = _rfc3339(row["published_since"])
            etree.SubElement(entry, f"{{{ATOM}}}link", href=xml_clean(context.url(row)))
            summary = etree.SubElement(entry, f"{{{ATOM}}}summary")
            summary.text = " · ".join(
                xml_clean(x)
                for x in (
                    row["organ"],
                    row["department"],
                    row["document_number"],
                    row["class_label"],
                    row["enforcement_date"] or "",
                )
                if x
            )
        etree.ElementTree(feed).write(
            str(folder / "feed.xml"), encoding="utf-8", xml_declaration=True, pretty_print=True
        )
        return {"rows": len(published)}


PLUGINS = [AtomExporter]
