"""The static portal bundle (정보소통광장-style): what citizens see, with Korean search.

One page per record (the portal's metadata table, the masked text of published originals,
public attachments as masked text, "비공개 문서" without a link for the others, grounds in words,
reason and release date for withheld ones), browse pages by field, department, organ, month
and type, a statistics page with inline SVG charts and the same numbers in tables, and
seoulrec's own static search index (``seoulrec.publish.search``): the words of each page and
the Kiwi morphemes inside them, so a search for ``정비`` finds ``소규모주택정비사업``.

Only what the last ``disclose apply`` made public is read; output folder safety, permissions
and the atomic swap are those of the index export (``outdir``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from seoulrec.store import publications as store
from seoulrec.store.catalog import Catalog
from seoulrec.publish.originals import offer
from seoulrec.publish.search import SEARCH_CACHE, Entry, excerpt, read_cache, terms, write_index
from seoulrec.errors import UsageError
from seoulrec.publish.export import (
    DEFAULT_BASE_URL,
    catalog_id_of,
    changed_since,
    file_sha256,
    public_row,
)
from seoulrec.model import CLASS_LABELS
from seoulrec.publish.outdir import (
    link_or_copy,
    read_manifest,
)
from seoulrec.decide.policy import GROUNDS

PAGE_SIZE = 50
#: Bumped when pages change shape: an older site is then rebuilt in full.
SITE_LAYOUT = 1
_SEQ = store.SEQ_COLUMN
SITE_NAME = "서울 열린시정 정보공개"
DIMENSIONS = {
    "field": "분야별",
    "department": "부서별",
    "organ": "기관별",
    "month": "월별",
    "type": "자료 유형별",
}


class Summary(NamedTuple):
    """What listing pages and statistics need of one record (the pages hold the rest)."""

    id: str
    title: str
    department: str
    organ: str
    document_number: str
    enforcement_date: str
    class_label: str
    disclosure_class: str
    original_public: bool
    published_since: str
    field: str
    type: str


@dataclass
class SiteResult:
    destination: str
    records: int
    pages: int
    published: int
    withheld: int
    search: dict = field(default_factory=dict)
    seconds: float = 0.0
    reused: int = 0  # record pages kept from the previous build (--since last)
    kept: list = field(default_factory=list)  # files in the folder that seoulrec did not write

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def slug(value: str) -> str:
    """A file-name-safe, stable name for a browse value (Korean text, slashes, dots ...)."""
    return hashlib.blake2b(value.encode("utf-8"), digest_size=6).hexdigest()


def _environment():
    from jinja2 import Environment, FunctionLoader, StrictUndefined

    folder = resources.files("seoulrec.data").joinpath("site")

    def load(name: str) -> str:
        return folder.joinpath(name).read_text("utf-8")

    # Autoescape everything: titles and text are data, never markup or template syntax.
    return Environment(
        loader=FunctionLoader(load),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _grounds_words(grounds: list[int]) -> list[str]:
    return [f"제{g}호: {GROUNDS[g].split(' (')[0]}" for g in grounds if g in GROUNDS]


def _kind_label(row: dict) -> str:
    if row["kind"] == "material":
        return row["material_kind"] or "비정형 자료"
    return "결재문서"


def _bar_chart(rows: list[tuple[str, float]], unit: str = "", width: int = 560) -> str:
    """An inline SVG bar chart (labels and values as text: never only in the image)."""
    from xml.sax.saxutils import escape

    if not rows:
        return ""
    top = max(v for _, v in rows) or 1
    bar_h, gap, label_w = 18, 6, 170
    height = len(rows) * (bar_h + gap) + gap
    parts = [
        f'<svg role="img" aria-label="막대 그래프" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = int((width - label_w - 70) * value / top)
        parts.append(f'<text x="0" y="{y + 13}">{escape(label[:14])}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="#2b5797"></rect>'
        )
        parts.append(f'<text x="{label_w + w + 4}" y="{y + 13}">{value:g}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _stats(summaries: list[Summary]) -> list[dict]:
    """The statistics page's tables and charts: the figures of ``seoulrec stats`` (one
    implementation, ``seoulrec.publish.stats``), laid out in Korean."""
    from seoulrec.publish.stats import GROUPS, compute

    figures = compute(summaries)
    tables = []
    columns = [
        "구분",
        "문서 수",
        "공개율(%)",
        "부분공개율(%)",
        "비공개율(%)",
        "원문 공개",
        "원문 공개율(%)",
    ]
    for group, label in GROUPS.items():
        rows = [
            [
                r["name"],
                r["records"],
                r["disclosure_rate"],
                r["partial_rate"],
                r["non_disclosure_rate"],
                r["originals"],
                r["originals_rate"],
            ]
            for r in figures[f"by_{group}"]
        ]
        tables.append(
            {
                "id": f"by-{group}",
                "title": f"{label} 공개율",
                "columns": columns,
                "rows": rows,
                "svg": _bar_chart([(r[0], r[2]) for r in rows[:30]], "%"),
            }
        )
    by_class = [(c["label"], c["records"]) for c in figures["by_class"]]
    tables.append(
        {
            "id": "by-class",
            "title": "공개구분별 건수",
            "columns": ["공개구분", "건수"],
            "rows": [list(c) for c in by_class],
            "svg": _bar_chart([(k, float(v)) for k, v in by_class]),
        }
    )
    months = [(m["month"], m["originals"]) for m in figures["originals_by_month"]]
    tables.append(
        {
            "id": "by-month",
            "title": "월별 원문 공개 건수",
            "columns": ["공개 월", "건수"],
            "rows": [list(m) for m in months],
            "svg": _bar_chart([(m, float(v)) for m, v in months[-24:]]),
        }
    )
    return tables


def site_fingerprint(catalog: Catalog, settings: dict, search: bool, korean_terms: bool) -> dict:
    """What must match for a site folder to be continued incrementally (or left alone)."""
    return {
        "layout": SITE_LAYOUT,
        "base_url": str(settings.get("base_url", DEFAULT_BASE_URL)),
        "licence": str(settings.get("licence", "")),
        "search": search,
        "korean_terms": korean_terms,
        "catalog_id": catalog_id_of(catalog),
        "templates": _templates_digest(),
    }


def site_is_current(
    catalog: Catalog, out: Path, settings: dict, search: bool = True, korean_terms: bool = True
) -> bool:
    """``out`` holds the site of the catalog's present decisions (nothing to rebuild)."""
    out = Path(out)
    manifest = read_manifest(out, catalog) if out.is_dir() else None
    if not manifest or manifest.get("fingerprint") != site_fingerprint(
        catalog, settings, search, korean_terms
    ):
        return False
    seq = manifest.get("disclosure_seq")
    return (
        isinstance(seq, int)
        and not changed_since(catalog, seq)
        and manifest.get("meetings") == _meetings_digest(catalog)
    )


def _meetings_digest(catalog: Catalog) -> str:
    from seoulrec.decide.standing import apply_state
    from seoulrec.inputs.meetings import digest

    return digest(catalog, str((apply_state(catalog) or {}).get("today") or ""))


def build_site(
    catalog: Catalog,
    out: Path,
    settings: dict,
    masker,
    force: bool = False,
    protected=(),
    search: bool = True,
    korean_terms: bool = True,
    since_last: bool = False,
    bag: bool = False,
    inboxes: list[Path] | tuple = (),
) -> SiteResult:
    """Write the whole site into ``out`` (replaced atomically; only a folder seoulrec made).
    ``korean_terms=False`` leaves out the Kiwi morphemes (whole words only, for measurements).
    ``since_last``: pages of records whose decision has not changed since the site in ``out``
    was built are reused as they are (hard links); changed records are rendered, withdrawn ones
    disappear, listings, statistics and the search index are rebuilt. The result is the same,
    byte for byte, as a full build. ``bag``: the bundle is a BagIt bag for transfer (the site
    under ``data/``, SHA-256 manifests, a fixed Bagging-Date from the catalog state)."""
    import time

    from seoulrec.publish.runs import PublicationRun

    started = time.perf_counter()
    out = PublicationRun.destination(catalog, out, protected, force, inboxes)
    with PublicationRun(catalog, out) as run:
        build = _SiteBuild(catalog, out, settings, masker, search, korean_terms, since_last)
        tmp = run.start("site", "delta" if build.reuse_until is not None else "full", build.seq)
        build.record_pages(tmp)
        build.other_pages(tmp)
        search_info = build.search_index(tmp) if search else {}
        manifest = build.manifest(tmp)
        if bag:
            _make_bag(tmp, build.state)
        kept = run.publish(
            (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
        )
        summaries = build.summaries
        run.finish({"records": len(summaries), "pages": build.pages, "reused": build.reused})
    published = sum(s.original_public for s in summaries)
    return SiteResult(
        str(out),
        len(summaries),
        build.pages,
        published,
        len(summaries) - published,
        search_info,
        round(time.perf_counter() - started, 3),
        build.reused,
        kept,
    )


class _SiteBuild:
    """One build of the portal into a temporary folder: record pages (reused when unchanged),
    meetings, browse listings, home, statistics, assets, and the manifest's file list."""

    def __init__(self, catalog, out, settings, masker, search, korean_terms, since_last):
        from seoulrec.decide.standing import apply_state

        state = apply_state(catalog)
        if state is None:
            raise UsageError(
                "no disclosure decisions yet: run `seoulrec disclose apply` before building the site"
            )
        if state.get("status") != "finished":
            raise UsageError(
                "the last `seoulrec disclose apply` did not finish; run it again before building the site"
            )
        self.catalog, self.out, self.masker, self.state = catalog, out, masker, state
        self.search, self.korean_terms = search, korean_terms
        self.entries: list[Entry] = []
        self.seq = int(catalog.get_meta("disclosure_seq") or 0)
        self.fingerprint = site_fingerprint(catalog, settings, search, korean_terms)
        self.previous = read_manifest(out, catalog) if (since_last and out.is_dir()) else None
        self.reuse_until = (
            self.previous["disclosure_seq"]
            if self.previous and self.previous.get("fingerprint") == self.fingerprint
            else None
        )
        self.reused = self.pages = 0
        self.linked: set[str] = set()
        self.listings: dict[str, str] = {}
        self.summaries: list[Summary] = []
        self.licence = str(settings.get("licence", ""))
        self.common = {
            "search": search,
            "site_name": SITE_NAME,
            # Relative: the nightly run writes the feed and the sitemap beside the site
            # (public/feed, public/sitemap, public/site), on whatever host serves them.
            "feed_url": "../feed/feed.xml",
            "sitemap_url": "../sitemap/sitemap.xml",
        }
        self.env = _environment()

    def record_pages(self, tmp: Path) -> None:
        """A page per current record: linked from the previous build when its decision did
        not change since, rendered otherwise."""
        (tmp / "records").mkdir()
        (tmp / "files").mkdir()
        old_pages: set[str] = set()
        old_files: set[str] = set()
        cached: dict[str, dict] = {}
        if self.reuse_until is not None:  # listed once: a stat per record is slow at 100,000
            old_pages = {f"records/{n}" for n in _listdir(self.out / "records")}
            old_files = set(_listdir(self.out / "files"))
            cached = read_cache(self.out) if self.search else {}
        self.template = self.env.get_template("record.html")
        rows = store.decided_rows(self.catalog, with_text=True)
        while chunk := list(itertools.islice(rows, 500)):
            attachments = self._attachments([raw[0] for raw in chunk])
            self.sources = store.original_sources(self.catalog, [raw[0] for raw in chunk])
            for raw in chunk:
                # The text is masked only for a page that is rendered (the slow part of a row).
                row = public_row(raw[:-1] + (None,), self.masker, self.licence)
                self.summaries.append(_summary(row))
                page_name = f"records/{row['id']}.html"
                if (
                    self.reuse_until is not None
                    and raw[_SEQ] <= self.reuse_until
                    and page_name in old_pages
                    and (row["id"] in cached or not self.search)
                ):
                    self._link_unchanged(tmp, row["id"], page_name, old_files)
                    if self.search:  # what the page is found by, as the last build found it
                        self.entries.append(Entry(**cached[row["id"]]))
                    continue
                self._render_record(tmp, raw, attachments[raw[0]])
        self.pages = len(self.summaries)

    def _attachments(self, ids: list) -> dict[int, list]:
        found: dict[int, list] = defaultdict(list)
        for record_id, number, name, published, text in store.attachments_with_decisions(
            self.catalog, ids
        ):
            found[record_id].append((number, name, bool(published), text))
        return found

    def _link_unchanged(self, tmp: Path, record_id: str, page_name: str, old_files) -> None:
        """Unchanged since the site in ``out`` was built: the same bytes, linked."""
        names = [page_name]
        if record_id in old_files:
            names += [
                f"files/{record_id}/{name}" for name in os.listdir(f"{self.out}/files/{record_id}")
            ]
        for name in names:
            link_or_copy(self.out / name, tmp / name)
            self.linked.add(name)
        self.reused += 1

    def _render_record(self, tmp: Path, raw: tuple, attachments: list) -> None:
        masker = self.masker
        row = public_row(raw, masker, self.licence)
        records, sources = self.sources
        kind, source_path, source_format, sha = records.get(raw[0], (None, None, None, None))
        # Originals only of a record published in full whose own words hold no identifier.
        whole = row["original_public"] and row["disclosure_class"] == "public"
        clean = whole and not masker.mask(f"{raw[-1] or ''}\n{row['title']}")[1]
        why_not = (
            ""
            if clean or not row["original_public"]
            else "개인정보를 가린 문서라 원본 파일은 제공하지 않습니다."
            if whole
            else "부분공개 문서라 가린 본문만 제공하고 원본 파일은 제공하지 않습니다."
        )
        originals = []
        if clean and kind == "approval" and row.get("text"):
            # The pubdoc body as a page of its own: with no identifier in it, its words as
            # written (the masker changed nothing), tables kept.
            target = tmp / "files" / row["id"] / "original.html"
            target.parent.mkdir(exist_ok=True)
            target.write_text(
                self.env.get_template("original.html").render(r=row, blocks=_blocks(row["text"])),
                "utf-8",
            )
            originals.append(
                {"href": f"../files/{row['id']}/original.html", "format": "HTML", "removed": []}
            )
        if clean and kind == "material" and source_format:
            copy = offer(row["title"], Path(source_path or ""), sha, source_format, masker)
            originals.append(
                self._publish_original(tmp, row["id"], "original", source_format, copy)
            )
        links = []
        for index, (number, name, published, text) in enumerate(attachments, start=1):
            href = original = None
            if published and row["original_public"]:
                # Published as masked text under a name seoulrec chooses: an attachment's own
                # name (slashes, "..") never becomes a path.
                target = tmp / "files" / row["id"] / f"{index}.txt"
                target.parent.mkdir(exist_ok=True)
                # With a BOM: web servers send .txt without a charset, browsers then guess wrong.
                masked, findings = masker.mask(text or "")
                target.write_text(masked, "utf-8-sig")
                href = f"../files/{row['id']}/{index}.txt"
                a_name, a_format, a_sha = sources.get(number, (name, None, None))
                if clean and findings:
                    original = {
                        "href": None,
                        "why_not": "개인정보를 가린 파일이라 원본은 제공하지 않습니다.",
                    }
                elif clean and a_format and source_format == "package":
                    folder = Path(source_path or "")
                    path = folder / a_name if (folder / a_name).is_file() else None
                    copy = offer(a_name, path, a_sha, a_format, masker)
                    original = self._publish_original(tmp, row["id"], str(index), a_format, copy)
            # An attachment's name can hold a person (신청서_홍길동_880808-1122334): masked on
            # public and withheld records alike, and so in the search index.
            links.append({"name": masker.mask(name or "")[0], "href": href, "original": original})
        text = row.get("text") if row["original_public"] else None
        # Everything the page shows is what it can be found by.
        shown = [
            row["title"],
            row["organ"],
            row["department"],
            row["document_number"],
            row.get("category"),
            _kind_label(row),
            row["class_label"],
            *(link["name"] for link in links),
            text,
        ]
        if self.search:
            found_by = "\n".join(x for x in shown if x)
            title = row["title"] or ""
            self.entries.append(
                Entry(
                    url=f"records/{row['id']}.html",
                    title=title or "(제목 없음)",
                    department=row["department"] or "",
                    date=row["enforcement_date"] or "",
                    class_label=row["class_label"],
                    organ=row["organ"] or "",
                    field=(row.get("category") or "미분류").split(" > ")[0],
                    type=_kind_label(row),
                    excerpt=excerpt(text) if text else _withheld_excerpt(row),
                    title_terms=self._terms(title),
                    other_terms=self._terms(found_by),
                )
            )
        page = self.template.render(
            **self.common,
            root="../",
            page_title=row["title"] or "(제목 없음)",
            r=row,
            kind_label=_kind_label(row),
            blocks=_blocks(text or ""),
            grounds_words=_grounds_words(row["grounds"]),
            attachments=links,
            originals=originals,
            why_not=why_not,
        )
        (tmp / "records" / f"{row['id']}.html").write_text(page, "utf-8")

    def _publish_original(self, tmp: Path, record_id: str, stem: str, fmt: str, copy) -> dict:
        """Write an offered original under files/ID/ (a name seoulrec chooses); a link or the
        sentence saying why there is none."""
        if copy.data is None:
            return {"href": None, "why_not": copy.why_not, "format": fmt.upper()}
        target = tmp / "files" / record_id / f"{stem}.{fmt}"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(copy.data)
        return {
            "href": f"../files/{record_id}/{stem}.{fmt}",
            "format": fmt.upper(),
            "bytes": len(copy.data),
            "removed": copy.removed,
        }

    def other_pages(self, tmp: Path) -> None:
        """Meetings, browse listings, home, statistics and the assets."""
        from markupsafe import Markup

        env, common, summaries = self.env, self.common, self.summaries
        old_listings = (
            (self.previous or {}).get("listings", {}) if self.reuse_until is not None else {}
        )
        meetings = _meeting_pages(self.catalog, env, tmp, common, self.state, self.masker)
        meetings_by: dict[str, dict[str, list[dict]]] = {"field": {}, "department": {}}
        for m in meetings:
            brief = {k: m[k] for k in ("slug", "title", "scheduled_at", "status_label")}
            meetings_by["field"].setdefault(m["field"] or "미분류", []).append(brief)
            meetings_by["department"].setdefault(m["department"] or "부서 미상", []).append(brief)
        written, listing_reused = _write_browse(
            env, tmp, summaries, common, self.listings, old_listings, self.out, meetings_by
        )
        self.pages += len(meetings) + 1 + written
        self.linked.update(listing_reused)
        latest = sorted(
            (s for s in summaries if s.original_public),
            key=lambda s: (s.published_since, s.id),
            reverse=True,
        )[:30]
        (tmp / "index.html").write_text(
            env.get_template("home.html").render(
                **common, root="", page_title=SITE_NAME, items=latest
            ),
            "utf-8",
        )
        tables = [dict(t, svg=Markup(t["svg"])) for t in _stats(summaries)]  # our own SVG
        (tmp / "stats.html").write_text(
            env.get_template("stats.html").render(
                **common, root="", page_title="공개 통계", tables=tables
            ),
            "utf-8",
        )
        for asset in ("style.css", "search.js"):
            content = (
                resources.files("seoulrec.data").joinpath("site").joinpath(asset).read_text("utf-8")
            )
            (tmp / asset).write_text(content, "utf-8")
        self.pages += 2

    def _terms(self, text: str) -> list[str]:
        if self.korean_terms:
            return terms(text)
        return list(dict.fromkeys(w.lower() for w in text.split() if len(w) > 1))

    def search_index(self, tmp: Path) -> dict:
        """The static search index of every record page, and the cache a delta build reads."""
        import time

        started = time.perf_counter()
        info = write_index(tmp, self.entries)
        cache = tmp / SEARCH_CACHE
        cache.parent.mkdir(exist_ok=True)
        with cache.open("w", encoding="utf-8") as f:
            for entry in sorted(self.entries, key=lambda e: e.url):
                f.write(json.dumps(entry.to_cache(), ensure_ascii=False) + "\n")
        return info | {"seconds": round(time.perf_counter() - started, 3)}

    def manifest(self, tmp: Path) -> dict:
        # Linked files are the previous build's bytes: their digests are carried over.
        known = (self.previous or {}).get("files", {}) if self.reuse_until is not None else {}
        files = {}
        for name in _all_files(tmp):
            files[name] = (
                known[name]
                if name in self.linked and name in known
                else {"sha256": file_sha256(tmp / name), "bytes": (tmp / name).stat().st_size}
            )
        return {
            "schema": "seoulrec.site-manifest/1",
            "fingerprint": self.fingerprint,
            "disclosure_seq": self.seq,
            "records": len(self.summaries),
            "catalog_state": self.state,
            "files": files,
            "listings": self.listings,
            "meetings": _meetings_digest(self.catalog),
        }


def _blocks(text: str) -> list[dict]:
    """A text as the page shows it: paragraphs, and consecutive lines of tab-separated cells
    (the readers write a table row so) as a table, not run together on one line."""
    blocks: list[dict] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if "\t" in line:
            cells = [c.strip() for c in line.split("\t")]
            if blocks and blocks[-1]["kind"] == "table":
                blocks[-1]["rows"].append(cells)
            else:
                blocks.append({"kind": "table", "rows": [cells]})
        else:
            blocks.append({"kind": "p", "text": line})
    return blocks


def _withheld_excerpt(row: dict) -> str:
    """What a withheld record's page says in place of its text."""
    reason = row.get("reason") or "사유를 기록 중입니다."
    return excerpt(f"원문 비공개 ({row['class_label']}). 사유: {reason}")


def _summary(row: dict) -> Summary:
    return Summary(
        id=row["id"],
        title=row["title"],
        department=row["department"],
        organ=row["organ"],
        document_number=row["document_number"],
        enforcement_date=row["enforcement_date"] or "",
        class_label=row["class_label"],
        disclosure_class=row["disclosure_class"],
        original_public=row["original_public"],
        published_since=row["published_since"] or "",
        field=(row.get("category") or "미분류").split(" > ")[0],
        type=_kind_label(row),
    )


def _meeting_pages(
    catalog: Catalog, env, tmp: Path, common: dict, state: dict, masker
) -> list[dict]:
    """회의 공개: one page per meeting and meetings/index.html (예정된 회의, 완료된 회의). What
    is 'upcoming' is judged on the day of the last disclosure run, so the same catalog always
    builds the same bytes."""
    from seoulrec.inputs.meetings import public_meetings

    today = str(state.get("today") or "")
    meetings = public_meetings(catalog, masker)
    folder = tmp / "meetings"
    folder.mkdir()
    template = env.get_template("meeting.html")
    for m in meetings:
        m["slug"] = slug(m["meeting_id"])
        (folder / f"{m['slug']}.html").write_text(
            template.render(**common, root="../", page_title=m["title"], m=m), "utf-8"
        )
    upcoming = [
        m for m in meetings if m["status"] == "scheduled" and m["scheduled_at"][:10] >= today
    ]
    held = [m for m in meetings if m["status"] == "held"]
    (folder / "index.html").write_text(
        env.get_template("meetings.html").render(
            **common, root="../", page_title="회의 공개", upcoming=upcoming[::-1], held=held
        ),
        "utf-8",
    )
    return meetings


def _listdir(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except FileNotFoundError:
        return []


def _all_files(folder: Path) -> list[str]:
    """Every file under ``folder`` as sorted POSIX paths relative to it."""
    found: list[str] = []
    for top, _dirs, names in os.walk(folder):
        rel = os.path.relpath(top, folder)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        found.extend(prefix + name for name in names)
    return sorted(found)


def _templates_digest() -> str:
    """The templates and assets the pages are made from: a new seoulrec whose pages look
    different never reuses an older build's pages."""
    digest = hashlib.blake2b(digest_size=8)
    folder = resources.files("seoulrec.data").joinpath("site")
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.is_file():
            digest.update(item.name.encode() + b"\0" + item.read_bytes() + b"\0")
    return digest.hexdigest()


def _write_browse(
    env,
    tmp: Path,
    summaries: list[Summary],
    common: dict,
    listings: dict[str, str],
    old_listings: dict[str, str],
    out: Path,
    meetings_by: dict[str, dict[str, list[dict]]] | None = None,
) -> tuple[int, list[str]]:
    """The browse pages. Each listing page's inputs (its title, position and rows) are digested
    into ``listings``; a page whose digest equals the one in ``old_listings`` (the site in
    ``out``) is that page's bytes already, and is linked instead of rendered."""
    keys = {
        "field": lambda s: s.field,
        "department": lambda s: s.department or "부서 미상",
        "organ": lambda s: s.organ or "기관 미상",
        "month": lambda s: (s.enforcement_date or "")[:7] or "일자 미상",
        "type": lambda s: s.type,
    }
    listing, dimension = env.get_template("listing.html"), env.get_template("dimension.html")
    written = 0
    reused: list[str] = []
    for dim, key in keys.items():
        groups: dict[str, list[Summary]] = defaultdict(list)
        for s in summaries:
            groups[key(s)].append(s)
        folder = tmp / "browse" / dim
        folder.mkdir(parents=True)
        values = []
        dim_meetings = (meetings_by or {}).get(dim, {})
        for value in sorted(set(groups) | set(dim_meetings), reverse=(dim == "month")):
            members = sorted(groups[value], key=lambda s: (s.enforcement_date, s.id), reverse=True)
            values.append({"label": value, "slug": slug(value), "count": len(members)})
            pages = max(1, -(-len(members) // PAGE_SIZE))
            (folder / slug(value)).mkdir()
            for page in range(1, pages + 1):
                items = members[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
                title = f"{DIMENSIONS[dim]}: {value}"
                name = f"browse/{dim}/{slug(value)}/{page}.html"
                shown_meetings = dim_meetings.get(value, []) if page == 1 else []
                digest = hashlib.blake2b(
                    repr((title, page, pages, items, shown_meetings)).encode(),
                    digest_size=12,
                ).hexdigest()
                listings[name] = digest
                written += 1
                if old_listings.get(name) == digest and os.path.isfile(out / name):
                    link_or_copy(out / name, tmp / name)
                    reused.append(name)
                    continue
                html = listing.render(
                    **common,
                    root="../../../",
                    page_title=title,
                    items=items,
                    page=page,
                    pages=pages,
                    meetings=shown_meetings,
                )
                (tmp / name).write_text(html, "utf-8")
        (folder / "index.html").write_text(
            dimension.render(
                **common, root="../../", page_title=f"{DIMENSIONS[dim]} 목록", values=values
            ),
            "utf-8",
        )
        written += 1
    return written, reused


def _make_bag(folder: Path, state: dict) -> None:
    """Make ``folder`` a BagIt bag (the `bagit` package): payload under ``data/``, SHA-256
    manifests; the date comes from the catalog state, so the same catalog gives the same bytes."""
    import bagit

    day = str(state.get("today") or "1970-01-01")
    bagit.make_bag(
        str(folder),
        bag_info={
            "Bagging-Date": day,
            "Source-Organization": SITE_NAME,
            "Bag-Software-Agent": "seoulrec",
        },
        checksums=["sha256"],
    )


__all__ = ["build_site", "SiteResult", "CLASS_LABELS"]
