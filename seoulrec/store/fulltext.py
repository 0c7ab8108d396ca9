"""The catalog's full-text index: every record version's title, text and attachment text as
syllable pairs (``seoulrec.grams``), kept in step by the writer (one transaction with the
record), built for an older catalog by migration 10 and verified by ``seoulrec check``.

SQLite: an FTS5 table without content (the catalog holds the text once), ranked by BM25 with
the title weighing ten times the text. PostgreSQL: ``tsvector`` columns of the same terms under
the ``simple`` configuration with GIN indexes, ranked by ``ts_rank``. A search reads current
records unless asked otherwise; withheld records are found too (it is the archivist's catalog;
nothing here is published).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from seoulrec import grams

if TYPE_CHECKING:  # the schema (migration 10) imports this module; the catalog imports the schema
    from seoulrec.store.catalog import Catalog

#: Terms of a record's text and attachments kept in the index (the title always whole). A
#: PostgreSQL ``tsvector`` keeps word positions up to 16,383, and phrases need positions.
MAX_BODY_TERMS = 15_000


def create(db, d) -> None:
    """The index table (called by migration 10)."""
    if d.name == "sqlite":
        db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS fulltext USING fts5("
            "title, body, finals, content='', tokenize='unicode61 remove_diacritics 0')"
        )
    else:
        db.execute(
            "CREATE TABLE IF NOT EXISTS fulltext (record_id BIGINT PRIMARY KEY, "
            "terms tsvector NOT NULL, finals tsvector NOT NULL)"
        )
        db.execute("CREATE INDEX IF NOT EXISTS fulltext_terms ON fulltext USING GIN (terms)")
        db.execute("CREATE INDEX IF NOT EXISTS fulltext_finals ON fulltext USING GIN (finals)")


def _row(record_id: int, title: str, body_parts) -> tuple:
    return (record_id, *index_row(title, body_parts))


def index_row(title: str, body_parts) -> tuple[str, str, str]:
    """(title terms, body terms, finals) of a record: what its row in the index holds. Ingest
    computes it in the reader processes (``record["fulltext"]``), so that the one process
    writing the catalog does not: it was 60% of the writer's time (issue 24)."""
    title_terms, title_finals = grams.index_terms(title or "")
    body_terms: list[str] = []
    finals = [title_finals] if title_finals else []
    for part in body_parts:
        if len(body_terms) >= MAX_BODY_TERMS:
            break
        terms, part_finals = grams.index_terms(part or "")
        body_terms.extend(terms.split()[: MAX_BODY_TERMS - len(body_terms)])
        if part_finals:
            finals.append(part_finals)
    return (title_terms, " ".join(body_terms), " ".join(finals))


def _insert(db, d, rows: list[tuple]) -> None:
    if not rows:
        return
    if d.name == "sqlite":
        db.conn.executemany(
            "INSERT INTO fulltext(rowid, title, body, finals) VALUES (?, ?, ?, ?)", rows
        )
    else:
        db.executemany(
            "INSERT INTO fulltext(record_id, terms, finals) VALUES (?, "
            "setweight(to_tsvector('simple', ?), 'A') || setweight(to_tsvector('simple', ?), 'D'), "
            "to_tsvector('simple', ?)) ON CONFLICT (record_id) DO NOTHING",
            rows,
        )


def record_parts(record: dict) -> tuple[str, list[str]]:
    """(title, body parts) of a record as the readers give it: text, then each attachment's."""
    return record.get("title") or "", [record.get("text") or ""] + [
        a.get("text") or "" for a in record.get("attachments") or []
    ]


def add(catalog: Catalog, written: list[tuple[int, dict]]) -> None:
    """Index records just written: (record id, the record as the readers gave it), with the
    terms its reader computed (``record["fulltext"]``) or computed here."""
    rows = [
        (record_id, *(record.get("fulltext") or index_row(*record_parts(record))))
        for record_id, record in written
    ]
    _insert(catalog.db, catalog.dialect, rows)


def build(db, d, chunk: int = 2000) -> int:
    """Index every record version the catalog holds (migration 10, ``check --repair``)."""
    if d.name == "sqlite":
        db.execute("INSERT INTO fulltext(fulltext) VALUES ('delete-all')")
    else:
        db.execute("DELETE FROM fulltext")
    last, total = 0, 0
    while True:
        records = db.execute(
            "SELECT id, title, text FROM records WHERE id > ? ORDER BY id LIMIT ?", [last, chunk]
        ).fetchall()
        if not records:
            return total
        texts: dict[int, list[str]] = {}
        for record_id, text in db.execute(
            f"SELECT record_id, text FROM attachments WHERE {d.in_list('record_id')} ORDER BY id",
            [d.list_param([r[0] for r in records])],
        ):
            texts.setdefault(record_id, []).append(text or "")
        _insert(
            db,
            d,
            [_row(rid, title, [text or ""] + texts.get(rid, [])) for rid, title, text in records],
        )
        total += len(records)
        last = records[-1][0]


def rebuild(catalog: Catalog) -> int:
    return build(catalog.db, catalog.dialect)


# -- search ---------------------------------------------------------------------------------
@dataclass
class Query:
    """What an archivist asks: words, filters, and a page of results."""

    text: str
    organ: str | None = None
    department: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    disclosure_class: str | None = None
    category: str | None = None
    unit_task: str | None = None
    kind: str | None = None
    status: str = "current"
    limit: int = 20
    offset: int = 0
    words: list[str] = field(default_factory=list)


def _match_sqlite(words: list[str]) -> str:
    parts = []
    for word in words:
        tokens, prefix = grams.word_grams(word)
        phrase = '"' + " ".join(tokens) + '"' + (" *" if prefix else "")
        if grams.single_syllable(word):
            parts.append(f'({{title body}} : {phrase} OR finals : "{tokens[0]}")')
        else:
            parts.append(f"{{title body}} : {phrase}")
    return " AND ".join(parts)


def _tsquery(word: str) -> str:
    tokens, prefix = grams.word_grams(word)
    return " <-> ".join(tokens) + (":*" if prefix else "")


def _filters(query: Query) -> tuple[list[str], list]:
    where: list[str] = []
    params: list = []
    if query.status == "current":
        where.append("r.is_current = 1")
    elif query.status == "superseded":
        where.append(
            "r.is_current = 0 AND EXISTS (SELECT 1 FROM records o WHERE o.record_key = r.record_key AND o.is_current = 1)"
        )
    elif query.status == "withdrawn":
        where.append(
            "r.is_current = 0 AND NOT EXISTS (SELECT 1 FROM records o WHERE o.record_key = r.record_key AND o.is_current = 1)"
        )
    for column, value in (
        ("r.organ", query.organ),
        ("r.department", query.department),
        ("r.unit_task", query.unit_task),
        ("r.kind", query.kind),
    ):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if query.date_from:
        where.append("r.enforcement_date >= ?")
        params.append(query.date_from)
    if query.date_to:
        where.append("r.enforcement_date <= ?")
        params.append(query.date_to)
    if query.disclosure_class:
        where.append("COALESCE(d.disclosure_class, r.disclosure_class) = ?")
        params.append(query.disclosure_class)
    if query.category:
        where.append(
            "EXISTS (SELECT 1 FROM record_categories c WHERE c.record_key = r.record_key AND c.record_id = r.id AND c.category = ?)"
        )
        params.append(query.category)
    return where, params


_COLUMNS = (
    "r.id, r.record_key, r.version, r.is_current, r.kind, r.title, r.organ, r.department, "
    "r.enforcement_date, r.unit_task, COALESCE(d.disclosure_class, r.disclosure_class), r.document_number"
)
FIELDS = (
    "id", "record_key", "version", "current", "kind", "title", "organ", "department",
    "enforcement_date", "unit_task", "disclosure_class", "document_number",
)  # fmt: skip


def search(catalog: Catalog, query: Query) -> tuple[int, list[dict]]:
    """(how many records match, one page of them ranked best first)."""
    words = query.words or grams.query_words(query.text)
    if not words:
        return 0, []
    where, params = _filters(query)
    d = catalog.dialect
    if d.name == "sqlite":
        # The index is the outer loop (SQLite's planner would walk every current record and
        # match each: seconds at 17,000 records); CROSS JOIN fixes the order.
        source = f"fulltext {d.ordered_join} records r ON r.id = fulltext.rowid"
        match, match_params = "fulltext MATCH ?", [_match_sqlite(words)]
        rank = "bm25(fulltext, 10.0, 1.0, 0.0)"
    else:
        source = "fulltext f JOIN records r ON r.id = f.record_id"
        clauses, match_params = [], []
        for word in words:
            if grams.single_syllable(word):
                clauses.append(
                    "(f.terms @@ to_tsquery('simple', ?) OR f.finals @@ to_tsquery('simple', ?))"
                )
                match_params += [_tsquery(word), grams.word_grams(word)[0][0]]
            else:
                clauses.append("f.terms @@ to_tsquery('simple', ?)")
                match_params.append(_tsquery(word))
        match = " AND ".join(clauses)
        rank = "-ts_rank(f.terms, to_tsquery('simple', ?))"
    conditions = " AND ".join([match, *where])
    base = f"FROM {source} LEFT JOIN disclosures d ON d.record_id = r.id WHERE {conditions}"
    total = catalog.db.execute(f"SELECT count(*) {base}", match_params + params).fetchone()[0]
    rank_params = [" & ".join(_tsquery(w) for w in words)] if d.name != "sqlite" else []
    rows = catalog.db.execute(
        f"SELECT {_COLUMNS}, {rank} AS score {base} ORDER BY score, r.id LIMIT ? OFFSET ?",
        rank_params + match_params + params + [query.limit, query.offset],
    ).fetchall()
    hits = [dict(zip(FIELDS, row[:-1]), current=bool(row[3])) for row in rows]
    _snippets(catalog, hits, words)
    return total, hits


def _snippets(catalog: Catalog, hits: list[dict], words: list[str]) -> None:
    """Each hit's snippet: the title when a word is in it, else the text, else an attachment."""
    if not hits:
        return
    d = catalog.dialect
    ids = [h["id"] for h in hits]
    texts = dict(
        catalog.db.execute(
            f"SELECT id, text FROM records WHERE {d.in_list('id')}", [d.list_param(ids)]
        ).fetchall()
    )
    attachments: dict[int, list[str]] = {}
    for record_id, text in catalog.db.execute(
        f"SELECT record_id, text FROM attachments WHERE {d.in_list('record_id')} ORDER BY id",
        [d.list_param(ids)],
    ):
        attachments.setdefault(record_id, []).append(text or "")
    for hit in hits:
        where, source = "title", hit["title"] or ""
        if not any(w in source for w in words):
            candidates = [("text", texts.get(hit["id"]) or "")] + [
                ("attachment", t) for t in attachments.get(hit["id"], [])
            ]
            where, source = next(
                ((k, t) for k, t in candidates if any(w in t for w in words)),
                ("title", hit["title"] or ""),
            )
        hit["matched_in"] = where
        hit["snippet"] = grams.snippet(source, words)


# -- verification -----------------------------------------------------------------------------
def problems(catalog: Catalog, sample: int = 200) -> list[str]:
    """What is wrong with the index: records it lacks (or rows of no record), and records of a
    sample its own title does not find."""
    d = catalog.dialect
    table_column = "rowid" if d.name == "sqlite" else "record_id"
    records = catalog.db.execute("SELECT count(*) FROM records").fetchone()[0]
    if d.name == "sqlite":
        indexed = catalog.db.execute("SELECT count(*) FROM fulltext").fetchone()[0]
    else:
        indexed = catalog.db.execute("SELECT count(*) FROM fulltext").fetchone()[0]
    found = []
    if indexed != records:
        found.append(f"the full-text index holds {indexed} rows for {records} record versions")
    step = max(1, records // sample) if records else 1
    for record_id, title in catalog.db.execute(
        "SELECT id, title FROM records WHERE id % ? = 0 ORDER BY id LIMIT ?", [step, sample]
    ).fetchall():
        words = [w for w in grams.query_words(title or "")][:3]
        if not words:
            continue
        if d.name == "sqlite":
            hit = catalog.db.execute(
                f"SELECT 1 FROM fulltext WHERE fulltext MATCH ? AND {table_column} = ?",
                [_match_sqlite(words), record_id],
            ).fetchone()
        else:
            hit = catalog.db.execute(
                "SELECT 1 FROM fulltext WHERE terms @@ to_tsquery('simple', ?) AND record_id = ?",
                [" & ".join(_tsquery(w) for w in words), record_id],
            ).fetchone()
        if hit is None:
            found.append(f"record {record_id} is not found by the words of its own title")
            if len(found) > 10:
                break
    return found
