"""The portal's own static search index (``search/`` in the bundle) and what each page is
found by.

Why not Pagefind any more (issue 23): at 100,000 pages Pagefind 1.5.2 answered a common word in
1.9-22 s (it ranks in time quadratic in matching pages), matched a longer word by its first
syllable (a masked ``홍*동`` answered 홍철수) and could only show the keyed terms it indexed as
excerpts. This index is small static JSON that any web server serves:

- ``search/meta.json``: the number of pages, shards and chunk size, and the filter values
  (organ, department, year, field, type) with their counts;
- ``search/t/N.json``: the terms hashed (FNV-1a of the UTF-8 bytes) into shards of about 16 KB;
  each term maps to two delta-encoded lists of page numbers: pages where it is in the title,
  and pages where it is elsewhere on the page. Filter values are terms too (``@o:``, ``@d:``,
  ``@y:``, ``@f:``, ``@k:``), so filtering is an intersection like any other word;
- ``search/d/N.json``: per 100 pages, what a result shows: address, title, department, date,
  class, organ and an excerpt of the page's own (masked) text.

Pages are numbered newest first, so results in page order are newest first; pages whose title
holds every query word come first. A page's terms: its words of two or more letters, and the
Kiwi morphemes inside them (so 정비 finds 소규모주택정비사업). A query word matches a page
only if the page has it, or, for a word the index does not know, its stem without a particle
(자전거를), or known words of two syllables or more that cover it whole (자전거보관대 = 자전거 +
보관대): never by a first syllable. Masked names (홍*동) leave only single syllables, which are
never terms. The query side is ``seoulrec/data/site/search.js``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

#: Kiwi tags whose forms go into the search terms: nouns, verb and adjective stems, roots,
#: foreign words and numbers.
MORPHEME_TAGS = ("NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SH", "SN")
MORPHEME_TEXT_LIMIT = 4000
SCHEMA = "seoulrec.search/1"
CHUNK = 100  # result rows per file in search/d/
SHARD_BYTES = 16_384  # aimed size of a term shard
EXCERPT = 160  # characters of a page's text shown under a result
FACETS = {"organ": "@o:", "department": "@d:", "year": "@y:", "field": "@f:", "type": "@k:"}

_KIWI = None
_WORD = re.compile(r"\w+")


def morphemes(text: str) -> str:
    """The Kiwi morphemes of ``text`` that a citizen might search for, space-separated, each once."""
    global _KIWI
    if not text.strip():
        return ""
    if _KIWI is None:
        from kiwipiepy import Kiwi

        _KIWI = Kiwi()
    seen: dict[str, None] = {}
    for token in _KIWI.tokenize(text[:MORPHEME_TEXT_LIMIT]):
        if token.tag in MORPHEME_TAGS and len(token.form) > 1:
            seen.setdefault(token.form.lower(), None)
            if token.tag in ("VV", "VA"):
                seen.setdefault(token.form + "다", None)
    return " ".join(seen)


def terms(text: str) -> list[str]:
    """What a text is found by: its words of two letters or more and the morphemes inside them."""
    found = dict.fromkeys(w.lower() for w in _WORD.findall(text) if len(w) > 1)
    found.update(dict.fromkeys(morphemes(text).split()))
    return list(found)


def excerpt(text: str) -> str:
    """The first words of a page's (masked) text, as the result list shows them."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT].rsplit(" ", 1)[0] + " …"


def fnv1a(term: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes: the shard of a term (search.js computes the same)."""
    h = 0x811C9DC5
    for byte in term.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


@dataclass
class Entry:
    """One page as the index knows it (cached between builds with its record's page)."""

    url: str
    title: str
    department: str
    date: str
    class_label: str
    organ: str
    field: str
    type: str
    excerpt: str
    title_terms: list[str]
    other_terms: list[str]

    def to_cache(self) -> dict:
        return self.__dict__.copy()


def _deltas(numbers: list[int]) -> list[int]:
    return [n - (numbers[i - 1] if i else 0) for i, n in enumerate(numbers)]


def write_index(folder: Path, entries: list[Entry]) -> dict:
    """The static index of ``entries`` under ``folder/search``; returns its counts."""
    ordered = sorted(entries, key=lambda e: (e.date or "", e.url), reverse=True)
    postings: dict[str, tuple[list[int], list[int]]] = {}
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for number, e in enumerate(ordered):
        for term in e.title_terms:
            postings.setdefault(term, ([], []))[0].append(number)
        title = set(e.title_terms)
        for term in e.other_terms:
            if term not in title:
                postings.setdefault(term, ([], []))[1].append(number)
        values = {
            "organ": e.organ or "기관 미상",
            "department": e.department or "부서 미상",
            "year": (e.date or "")[:4] or "일자 미상",
            "field": e.field or "미분류",
            "type": e.type,
        }
        for name, value in values.items():
            facets[name][value] = facets[name].get(value, 0) + 1
            postings.setdefault(FACETS[name] + value, ([], []))[1].append(number)
    size = sum(len(t) + 4 + 3 * (len(a) + len(b)) for t, (a, b) in postings.items())
    shards = 1
    while shards < 4096 and size / shards > SHARD_BYTES:
        shards *= 2
    tables: list[dict] = [{} for _ in range(shards)]
    for term in sorted(postings):
        in_title, elsewhere = postings[term]
        tables[fnv1a(term) % shards][term] = [_deltas(in_title), _deltas(elsewhere)]
    base = folder / "search"
    (base / "t").mkdir(parents=True)
    (base / "d").mkdir()

    def dump(path: Path, value) -> None:
        path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), "utf-8")

    for n, table in enumerate(tables):
        dump(base / "t" / f"{n}.json", table)
    for start in range(0, len(ordered), CHUNK):
        dump(
            base / "d" / f"{start // CHUNK}.json",
            [
                [e.url, e.title, e.department, e.date, e.class_label, e.organ, e.excerpt]
                for e in ordered[start : start + CHUNK]
            ],
        )
    dump(
        base / "meta.json",
        {
            "schema": SCHEMA,
            "docs": len(ordered),
            "shards": shards,
            "chunk": CHUNK,
            "facets": {
                name: sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
                for name, values in facets.items()
            },
        },
    )
    files = sum(1 for p in base.rglob("*") if p.is_file())
    return {
        "engine": "seoulrec",
        "pages": len(ordered),
        "terms": len(postings),
        "shards": shards,
        "files": files,
        "bytes": sum(p.stat().st_size for p in base.rglob("*") if p.is_file()),
    }


#: What each record page is found by, kept beside the build (not published: under .seoulrec/)
#: so that a delta build indexes reused pages without masking and analysing them again.
SEARCH_CACHE = ".seoulrec/search-entries.jsonl"


def read_cache(out: Path) -> dict[str, dict]:
    """{record id: Entry fields} of the site in ``out``; empty when absent or unreadable."""
    found: dict[str, dict] = {}
    try:
        with (out / SEARCH_CACHE).open(encoding="utf-8") as f:
            for line in f:
                entry = json.loads(line)
                found[entry["url"].rsplit("/", 1)[-1].removesuffix(".html")] = entry
    except (OSError, ValueError, KeyError):
        return {}
    return found
