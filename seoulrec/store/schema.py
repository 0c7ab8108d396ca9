"""The catalog's schema: forward-only migrations, each in its own transaction, with the
column types, triggers and expressions each backend states in ``seoulrec.store.dialect``."""

from __future__ import annotations


from seoulrec.store import fulltext
from seoulrec.store.dialect import Dialect, insert_new


def public_id(record_key: str, given: str = "") -> str:
    """A stable 15-digit public id (the portal's ``package_id``): the manifest's own id when it
    has one, else one derived from the record key, so every version keeps the same id."""
    if given and given.isdigit():
        return given
    import hashlib  # here: OpenSSL's loading is 5 ms of `seoulrec status` (issue 24)

    return f"{int.from_bytes(hashlib.blake2b(record_key.encode(), digest_size=8).digest(), 'big') % 10**15:015d}"


def _migration_1(db, d: Dialect) -> None:
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS batches (
            id {id}, started {text} NOT NULL, finished {text}, status {text} NOT NULL,
            options {text}, added {int} DEFAULT 0, updated {int} DEFAULT 0,
            unchanged {int} DEFAULT 0, failed {int} DEFAULT 0)""")
    )
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS records (
            id {id},
            record_key {text} NOT NULL, version {int} NOT NULL, is_current {int} NOT NULL,
            kind {text} NOT NULL, material_kind {text},
            document_number {text}, regnumbercode {text}, title {text}, organ {text}, department {text},
            enforcement_date {text}, sender_name {text}, recipients {text}, text {text},
            approval_level {text} NOT NULL, disclosure_class {text}, grounds {text}, publication_code {text},
            unit_task {text}, source_path {text}, source_format {text}, sha256 {text} NOT NULL,
            status {text} NOT NULL, pages {int}, metadata {text}, warnings {text},
            batch_id {int} REFERENCES batches(id), created {text} NOT NULL,
            UNIQUE (record_key, version))""")
    )
    db.execute("CREATE INDEX IF NOT EXISTS records_current ON records(is_current, record_key)")
    db.execute("CREATE INDEX IF NOT EXISTS records_sha ON records(sha256)")
    db.execute("CREATE INDEX IF NOT EXISTS records_batch ON records(batch_id)")
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS approvals (
            record_id {int} NOT NULL REFERENCES records(id), kind {text} NOT NULL,
            "order" {int} NOT NULL, position {text}, type {text}, name {text}, date {text},
            is_final {int} NOT NULL, level {text})""")
    )
    db.execute("CREATE INDEX IF NOT EXISTS approvals_record ON approvals(record_id)")
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS attachments (
            id {id}, record_id {int} NOT NULL REFERENCES records(id),
            name {text} NOT NULL, format {text}, size {int}, sha256 {text}, text {text},
            status {text} NOT NULL, message {text})""")
    )
    db.execute("CREATE INDEX IF NOT EXISTS attachments_record ON attachments(record_id)")
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS sources (
            sha256 {text} PRIMARY KEY, path {text} NOT NULL, batch_id {int}, records {int})""")
    )
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS failures (
            id {id}, batch_id {int} REFERENCES batches(id), path {text} NOT NULL,
            reason {text} NOT NULL, message {text}, at {text} NOT NULL)""")
    )
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS audit (
            id {id}, at {text} NOT NULL, actor {text} NOT NULL, action {text} NOT NULL,
            record_id {int}, detail {text})""")
    )
    # The audit log is append-only: the database itself refuses edits and deletions.
    for statement in d.append_only("audit"):
        db.execute(statement)


def _migration_2(db, d: Dialect) -> None:
    """Classification: scheme versions, per-classifier results, decisions, trained models."""
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS schemes (
            version {id}, name {text} NOT NULL, source {text}, sha256 {text},
            imported {text} NOT NULL, is_current {int} NOT NULL)""")
    )
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS categories (
            scheme_version {int} NOT NULL REFERENCES schemes(version), code {text} NOT NULL,
            name {text} NOT NULL, parent {text}, description {text}, PRIMARY KEY (scheme_version, code))""")
    )
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS classification_results (
            id {id}, record_id {int} NOT NULL REFERENCES records(id),
            classifier {text} NOT NULL, category {text} NOT NULL, confidence {real} NOT NULL,
            authoritative {int} NOT NULL, evidence {text}, scheme_version {int}, at {text} NOT NULL)""")
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS classification_results_record ON classification_results(record_id)"
    )
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS record_categories (
            record_key {text} PRIMARY KEY, record_id {int} NOT NULL, category {text},
            scheme_version {int}, status {text} NOT NULL, classifier {text}, confidence {real},
            reason {text}, decided_by {text}, at {text} NOT NULL)""")
    )
    db.execute("CREATE INDEX IF NOT EXISTS record_categories_status ON record_categories(status)")
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS models (
            id {id}, name {text} NOT NULL, version {int} NOT NULL, trained {text} NOT NULL,
            scheme_version {int}, params {text}, metrics {text}, blob {blob} NOT NULL, UNIQUE (name, version))""")
    )


def _migration_3(db, d: Dialect) -> None:
    """Disclosure: decisions per record and attachment, manual overrides, review board."""
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS disclosures (
            record_id {id} REFERENCES records(id), record_key {text} NOT NULL,
            list_public {int} NOT NULL, original_public {int} NOT NULL, masked {int} NOT NULL,
            disclosure_class {text} NOT NULL, grounds {text} NOT NULL, reason {text}, release_date {text},
            withheld_because {text} NOT NULL, policy_version {text} NOT NULL, source {text} NOT NULL,
            next_review {text}, opens_by_law {text}, public_title {text}, title_findings {int},
            decided_at {text} NOT NULL, since {text} NOT NULL, previous_public {int})""")
    )
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS attachment_disclosures (
            attachment_id {id} REFERENCES attachments(id), record_id {int} NOT NULL,
            published {int} NOT NULL, reason {text})""")
    )
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS disclosure_overrides (
            record_key {text} PRIMARY KEY, disclosure_class {text} NOT NULL, grounds {text} NOT NULL,
            reason {text} NOT NULL, until {text}, decided_by {text} NOT NULL, at {text} NOT NULL)""")
    )
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS review_decisions (
            id {id}, record_key {text} NOT NULL, record_id {int} NOT NULL,
            decision {text} NOT NULL, note {text}, decided_by {text} NOT NULL, at {text} NOT NULL, day {text} NOT NULL)""")
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS review_decisions_key ON review_decisions(record_key, id)"
    )


def _migration_4(db, d: Dialect) -> None:
    """Incremental export: change sequence on decisions, withdrawals, export runs and state."""
    columns = d.columns(db, "disclosures")
    if "seq" not in columns:
        db.execute(d.ddl("ALTER TABLE disclosures ADD COLUMN seq {int} NOT NULL DEFAULT 0"))
    if "row_hash" not in columns:
        db.execute(d.ddl("ALTER TABLE disclosures ADD COLUMN row_hash {text}"))
    # The state a decision replaced (whether its original was public, and when that state was
    # decided), so an incremental export can tell downstream copies what to withdraw.
    if "prev_original_public" not in columns:
        db.execute(d.ddl("ALTER TABLE disclosures ADD COLUMN prev_original_public {int}"))
    if "prev_seq" not in columns:
        db.execute(d.ddl("ALTER TABLE disclosures ADD COLUMN prev_seq {int}"))
    db.execute("CREATE INDEX IF NOT EXISTS disclosures_key ON disclosures(record_key)")
    db.execute("CREATE INDEX IF NOT EXISTS disclosures_seq ON disclosures(seq)")
    # Public columns kept on the record at ingest, so exports read plain columns.
    record_columns = d.columns(db, "records")
    for column in ("public_id", "writer", "retention_period", "licence"):
        if column not in record_columns:
            db.execute(d.ddl(f"ALTER TABLE records ADD COLUMN {column} {{text}}"))
    rows = db.execute(
        f"SELECT r.id, r.record_key, {d.json_field('r.metadata', 'package_id')}, {d.json_field('r.metadata', 'writer')}, "
        "(SELECT a.name FROM approvals a WHERE a.record_id = r.id AND a.kind = 'approval' ORDER BY a.\"order\" LIMIT 1), "
        f"{d.json_field('r.metadata', 'retention_period')}, {d.json_field('r.metadata', 'licence')} FROM records r WHERE r.public_id IS NULL"
    ).fetchall()
    db.conn.executemany(
        "UPDATE records SET public_id = ?, writer = ?, retention_period = ?, licence = ? WHERE id = ?",
        [
            (public_id(key, pid or ""), w1 or w2 or "", ret or "", lic or "", rid)
            for rid, key, pid, w1, w2, ret, lic in rows
        ],
    )
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS withdrawals (
            id {id}, record_key {text} NOT NULL, seq {int} NOT NULL, reason {text} NOT NULL, at {text} NOT NULL)""")
    )
    db.execute("CREATE INDEX IF NOT EXISTS withdrawals_seq ON withdrawals(seq)")
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS export_runs (
            id {id}, exporter {text} NOT NULL, destination {text} NOT NULL, kind {text} NOT NULL,
            since_run {int}, seq {int} NOT NULL, started {text} NOT NULL, finished {text}, status {text} NOT NULL,
            counts {text}, manifest_sha256 {text})""")
    )


def _migration_5(db, d: Dialect) -> None:
    """Partitioned exports, run ownership (pids), where a title came from, a catalog identity."""
    # An index on the very partition expression lets an export read one partition at a time.
    db.execute(f"CREATE INDEX IF NOT EXISTS records_partition ON records({d.partition_expr}, id)")
    db.execute("CREATE INDEX IF NOT EXISTS records_key ON records(record_key)")
    for table, column in (
        ("export_runs", "pid"),
        ("batches", "pid"),
        ("records", "title_source"),
        ("records", "source_url"),
        ("disclosures", "category"),
        ("disclosures", "category_path"),
        ("failures", "resolved"),
    ):
        if column not in d.columns(db, table):
            db.execute(
                d.ddl(
                    f"ALTER TABLE {table} ADD COLUMN {column} {'{int}' if column == 'pid' else '{text}'}"
                )
            )
    # The portal URL a record came with (Seoul's list carries the original's own URL).
    db.execute(
        f"UPDATE records SET source_url = {d.json_field('metadata', 'source_url')} "
        "WHERE source_url IS NULL AND metadata LIKE '%source_url%'"
    )
    import uuid

    db.execute(insert_new("meta", ("key", "value")), ["catalog_id", uuid.uuid4().hex])


def _migration_6(db, d: Dialect) -> None:
    """Meetings (회의 공개) and the pre-publication registry (사전공표)."""
    db.executescript(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS meetings (
            meeting_id {text} PRIMARY KEY, committee {text}, title {text} NOT NULL,
            scheduled_at {text} NOT NULL, place {text}, status {text} NOT NULL, announced_on {text},
            broadcast_url {text}, department {text}, field {text}, organ {text},
            minutes_path {text}, minutes_key {text}, materials {text} NOT NULL DEFAULT '[]',
            source {text}, row_hash {text} NOT NULL, updated {text} NOT NULL
        );
        CREATE TABLE IF NOT EXISTS prepub_items (
            item_id {text} PRIMARY KEY, title {text} NOT NULL, department {text}, cycle {text} NOT NULL,
            category {text}, taxonomy {text}, rule {text}, source {text}, updated {text} NOT NULL
        );
        CREATE TABLE IF NOT EXISTS prepub_publications (
            item_id {text} NOT NULL REFERENCES prepub_items(item_id), ref {text} NOT NULL,
            published_on {text} NOT NULL, title {text}, department {text}, url {text},
            PRIMARY KEY (item_id, ref)
        );
        CREATE INDEX IF NOT EXISTS prepub_publications_date ON prepub_publications(item_id, published_on);
        """)
    )


def _migration_7(db, d: Dialect) -> None:
    """What a decision was made from, and the first day time alone could change it: a nightly
    apply skips records whose facts are the same and whose decision is still stable."""
    for column in ("facts_hash", "stable_until"):
        if column not in d.columns(db, "disclosures"):
            db.execute(d.ddl(f"ALTER TABLE disclosures ADD COLUMN {column} {{text}}"))


def _migration_8(db, d: Dialect) -> None:
    """A failure's identity (path, bytes, outcome): a file that fails the same way every night
    is stored once and reported as known. Open duplicates from before are superseded."""
    columns = d.columns(db, "failures")
    if "fingerprint" not in columns:
        db.execute(d.ddl("ALTER TABLE failures ADD COLUMN fingerprint {text}"))
    if "seen" not in columns:
        db.execute(d.ddl("ALTER TABLE failures ADD COLUMN seen {int}"))
    db.execute("CREATE INDEX IF NOT EXISTS failures_path ON failures(path)")
    db.execute(
        "UPDATE failures SET resolved = at WHERE resolved IS NULL AND id NOT IN "
        "(SELECT max(id) FROM failures WHERE resolved IS NULL GROUP BY path)"
    )


def _migration_9(db, d: Dialect) -> None:
    """A scheme's categories keep the order they were imported in, in a column of their own
    (PostgreSQL has no stable insertion order to read it from)."""
    if "position" not in d.columns(db, "categories"):
        db.execute(d.ddl("ALTER TABLE categories ADD COLUMN position {int}"))
    order = "rowid" if d.name == "sqlite" else "ctid"
    db.execute(
        "UPDATE categories SET position = (SELECT n FROM (SELECT scheme_version AS v, code AS c, "
        f"row_number() OVER (PARTITION BY scheme_version ORDER BY {order}) AS n FROM categories) o "
        "WHERE o.v = categories.scheme_version AND o.c = categories.code) WHERE position IS NULL"
    )


def _migration_10(db, d: Dialect) -> None:
    """The full-text index of every record version (``seoulrec search``)."""
    fulltext.create(db, d)
    fulltext.build(db, d)


def _migration_11(db, d: Dialect) -> None:
    """Unit tasks (단위과제) suggested for records that came without one: the suggestion, its
    alternatives and confidence, and whether it was filed (auto, manual) or waits for review."""
    db.execute(
        d.ddl("""
        CREATE TABLE IF NOT EXISTS unit_task_filings (
            record_key {text} PRIMARY KEY, record_id {int} NOT NULL, unit_task {text},
            retention {text}, confidence {real}, alternatives {text}, status {text} NOT NULL,
            model_version {int}, reason {text}, actor {text} NOT NULL, at {text} NOT NULL)""")
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS unit_task_filings_status ON unit_task_filings(status, at)"
    )


#: Every table a disclosure decision is made from (``disclosures.fact_rows`` reads them).
FACT_TABLES = (
    "records", "approvals", "attachments", "disclosure_overrides", "review_decisions",
    "record_categories", "categories",
)  # fmt: skip


def _migration_12(db, d: Dialect) -> None:
    """A count of changes to the tables decisions are made from, kept by the database itself
    (triggers): ``disclose apply`` with the same count, policy and seoulrec, and no decision's
    stable-until day come, has nothing to decide and reads nothing (a quiet night)."""
    db.execute(d.ddl("CREATE TABLE IF NOT EXISTS fact_changes (n {int} NOT NULL)"))
    if db.execute("SELECT count(*) FROM fact_changes").fetchone()[0] == 0:
        db.execute("INSERT INTO fact_changes (n) VALUES (0)")
    for table in FACT_TABLES:
        for statement in d.counted_changes(table):
            db.execute(statement)


MIGRATIONS = {
    1: _migration_1,
    2: _migration_2,
    3: _migration_3,
    4: _migration_4,
    5: _migration_5,
    6: _migration_6,
    7: _migration_7,
    8: _migration_8,
    9: _migration_9,
    10: _migration_10,
    11: _migration_11,
    12: _migration_12,
}
