"""``sitemap``: sitemap.xml of published originals, split per the protocol's limits."""

from __future__ import annotations

from seoulrec.publish.cells import xml_escape as escape

from seoulrec.plugins import Exporter

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000
MAX_BYTES = 50 * 1000 * 1000  # the protocol's 50 MB, uncompressed
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NS}">\n'
TAIL = "</urlset>\n"


class SitemapExporter(Exporter):
    name = "sitemap"
    description = (
        "sitemap.xml (a sitemap index over sitemap-NNNN.xml files past 50,000 URLs or 50 MB)"
    )
    incremental = False  # a sitemap describes the whole site

    max_urls = MAX_URLS
    max_bytes = MAX_BYTES

    def write(self, context, rows, folder) -> dict:
        files: list[str] = []
        handle = None
        in_file = size = count = 0
        for row in rows:
            if not row["original_public"]:
                continue
            entry = f"<url><loc>{escape(context.url(row))}</loc>"
            if row["published_since"]:
                entry += f"<lastmod>{row['published_since'][:10]}</lastmod>"
            entry += "</url>\n"
            encoded = entry.encode()
            if (
                handle is None
                or in_file >= self.max_urls
                or size + len(encoded) + len(TAIL) > self.max_bytes
            ):
                if handle:
                    handle.write(TAIL.encode())
                    handle.close()
                files.append(f"sitemap-{len(files) + 1:04d}.xml")
                handle = open(folder / files[-1], "wb")
                handle.write(HEAD.encode())
                in_file, size = 0, len(HEAD.encode())
            handle.write(encoded)
            in_file += 1
            size += len(encoded)
            count += 1
        if handle:
            handle.write(TAIL.encode())
            handle.close()
        if len(files) <= 1:
            if files:
                (folder / files[0]).rename(folder / "sitemap.xml")
            else:
                (folder / "sitemap.xml").write_text(HEAD + TAIL, "utf-8")
            return {"rows": count, "files": 1}
        base = context.base_url.rstrip("/").rsplit("/", 1)[0] + "/"
        index = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NS}">\n']
        index += [f"<sitemap><loc>{escape(base + name)}</loc></sitemap>\n" for name in files]
        index.append("</sitemapindex>\n")
        (folder / "sitemap.xml").write_text("".join(index), "utf-8")
        return {"rows": count, "files": len(files)}


PLUGINS = [SitemapExporter]
