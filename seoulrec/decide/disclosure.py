"""Disclosure decisions over the catalog: apply, explain, manual decisions, the review board
(직권심의) and due re-reviews. What stands (the last apply, principle 5, records needing an
archivist) is read in ``seoulrec.decide.standing``, without the policy engine."""

from __future__ import annotations

import hashlib
import json
import marshal
from datetime import date, timedelta
from typing import TYPE_CHECKING, Iterator

from seoulrec import __version__
from seoulrec.store import disclosures as store
from seoulrec.store.catalog import Catalog, default_actor, now
from seoulrec.dates import stored_date
from seoulrec.errors import RecordNotFound, UsageError
from seoulrec.model import CLASS_LABELS, parse_grounds
from seoulrec.decide.standing import apply_state
from seoulrec.decide.policy import GROUNDS, Decision, Policy, RecordFacts, decide

if TYPE_CHECKING:
    from seoulrec.decide.privacy import Masker


def _masker(policy: Policy) -> "Masker":
    """The masker under ``policy`` (imported here: its patterns take ~35 ms to compile, and
    `seoulrec status` reads decisions without masking anything)."""
    from seoulrec.decide.privacy import Masker

    return Masker.from_policy(policy.masking)


_day = stored_date


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _facts(row) -> tuple[dict, RecordFacts]:
    (
        record_id,
        key,
        title,
        level,
        enforced,
        cls,
        grounds,
        final_date,
        o_cls,
        o_grounds,
        o_reason,
        o_until,
        board,
        board_day,
        number,
        department,
        organ,
        row_hash,
        was_public,
        decided_id,
        decided_seq,
        decided_since,
        kind,
        material_kind,
        title_source,
        category,
        facts_hash,
        stable_until,
        decided_class,
        decided_findings,
    ) = row
    manual = (
        {
            "class": o_cls,
            "grounds": json.loads(o_grounds or "[]"),
            "reason": o_reason,
            "until": o_until,
        }
        if o_cls
        else None
    )
    approval_date = _day(final_date) or _day(enforced)
    facts = RecordFacts(
        approval_level=level or "unresolved",
        approval_date=approval_date,
        disclosure_class=cls,
        grounds=parse_grounds(grounds),
        production_date=_day(enforced) or approval_date,
        manual=manual,
        board=board,
        last_review=_day(board_day),
        kind=kind or "approval",
        material_kind=material_kind,
    )
    # The decision this record (or, for a new version, its previous version) had: at most one
    # row per key exists when apply starts, since each apply drops superseded versions' rows.
    info = {
        "id": record_id,
        "record_key": key,
        "title": title or "",
        "document_number": number,
        "department": department,
        "organ": organ,
        "row_hash": row_hash if decided_id == record_id else None,
        "was_public": was_public,
        "was_seq": decided_seq,
        "was_since": decided_since,
        "kind": kind or "approval",
        "material_kind": material_kind,
        "title_source": title_source or "document",
        "enforcement_date": enforced,
        "category": category,
        "facts_hash": facts_hash if decided_id == record_id else None,
        "stable_until": stable_until,
        "decided_class": decided_class,
        "decided_findings": decided_findings,
    }
    return info, facts


#: Columns of a fact row that describe the record (the rest is the decision it had).
_FACT_COLUMNS = tuple(range(17)) + tuple(range(22, 26))
_FACT_VALUES = __import__("operator").itemgetter(*_FACT_COLUMNS)
#: Where a fact row holds whether its original was public and the decided record's id, and
#: its decision's category, facts hash, stable-until day, class and title findings (the order
#: ``_facts`` unpacks; the record's own id is column 0).
_PUBLIC_AND_DECIDED = slice(18, 20)
_DECISION_STATE = slice(25, 30)


NEVER = "9999-12-31"


def stable_until(facts: RecordFacts, d: Decision, policy: Policy, today: date) -> str:
    """The first day on which time alone could change the decision (a release date, the
    30-year opening, the end of a hold, an approval date after ``today``); NEVER if none."""
    days = []
    if d.release_date:
        days.append(date.fromisoformat(d.release_date))
    if d.opens_by_law:
        days.append(date.fromisoformat(d.opens_by_law))
    if facts.approval_date is not None:
        if facts.approval_date > today:
            days.append(facts.approval_date)
        hold = policy.hold_for(facts.approval_level)
        if hold:  # no hold: the approval date itself, already considered
            held = facts.approval_date + timedelta(days=hold)
            if held > today:
                days.append(held)
    later = [day for day in days if day > today]
    return min(later).isoformat() if later else NEVER


def iter_fact_rows(
    catalog: Catalog, record_id: int | None = None, chunk: int = 10000
) -> Iterator[list[tuple]]:
    """Raw fact rows of current records, in id order, a chunk at a time (flat memory)."""
    last = 0
    while True:
        rows = store.fact_rows(catalog, last, chunk, record_id)
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def iter_facts(
    catalog: Catalog, record_id: int | None = None, chunk: int = 10000
) -> Iterator[tuple[dict, RecordFacts]]:
    for rows in iter_fact_rows(catalog, record_id, chunk):
        for row in rows:
            yield _facts(row)


#: Titles that are page furniture, not titles (a first line such as "- 1 -" or "[ 문서번호 ]").
_JUNK_TITLE = __import__("re").compile(r"^[\W\d_]*$|^[\[(<【〔]\s*[^\])>】〕]{0,12}\s*[\])>】〕]$")


def public_title(info: dict, original_public: bool, masker: "Masker") -> tuple[str, int, bool]:
    """The title the list publishes, how many personal-data findings were masked in it, and
    whether an archivist must title the record. A title taken from the body of a record whose
    original is withheld is not published (it is the body); nor is page furniture. The list then
    shows a neutral title built from kind, department and date."""
    title = (info["title"] or "").strip()
    source = info.get("title_source")
    from_body = source == "body" and not original_public
    # A title the document or list states as its title ("[민원]" in Seoul's real list) is the
    # officers' own and is published as given (masked); page furniture comes from first lines.
    junk = source != "document" and bool(_JUNK_TITLE.match(title))
    if not title or from_body or junk:
        kind = info.get("material_kind") or (
            "비정형 자료" if info.get("kind") == "material" else "결재문서"
        )
        where = info.get("department") or info.get("organ") or "부서 미상"
        day = (info.get("enforcement_date") or "")[:10] or "일자 미상"
        return f"{kind} ({where}, {day})", 0, True
    masked, findings = masker.mask(title)
    return masked, len(findings), False


_ENCODED: dict[tuple, str] = {}


def _json_of(values: list) -> str:
    """A list (grounds, reasons an original is withheld) as JSON: few distinct lists recur over
    a catalog (10 µs a record to encode each anew), so encoded ones are kept (at most 10,000)."""
    key = tuple(values)
    text = _ENCODED.get(key)
    if text is None:
        if len(_ENCODED) >= 10_000:
            _ENCODED.clear()
        text = _ENCODED[key] = _ENCODE(list(key))
    return text


COUNT_KEYS = (
    "records",
    "changed",
    "original_public",
    "withheld",
    "non_public",
    "partial",
    "public",
    "newly_public",
    "newly_withheld",
    "titles_masked",
    "titles_needed",
)
_WORKER: dict = {}


def _init_decider(
    policy: Policy, today: date, seq: int, stamp: str, category_paths: dict | None = None
) -> None:
    _WORKER.update(
        touched=[],
        policy=policy,
        today=today,
        seq=seq,
        stamp=stamp,
        masker=_masker(policy),
        paths=category_paths or {},
    )


def category_paths(catalog: Catalog) -> dict[str, str]:
    """``"CODE\x1fVERSION"`` -> the category's path of names (분류정보, e.g. ``행정 > 일반행정``)."""
    names: dict[tuple, tuple] = {}
    for version, code, name, parent in store.category_names(catalog):
        names[(version, code)] = (name, parent)
    paths = {}
    for version, code in names:
        parts, seen, current = [], set(), code
        while current and (version, current) in names and current not in seen:
            seen.add(current)
            parts.append(names[(version, current)][0])
            current = names[(version, current)][1]
        paths[f"{code}\x1f{version}"] = " > ".join(reversed(parts))
    return paths


def decide_rows(rows: list[tuple]) -> tuple[list[tuple], dict]:
    """Decide a chunk of fact rows: the rows to write (only changed decisions) and counts.
    Pure given ``_init_decider``'s settings. (Measured: deciding in worker processes did not
    shorten `apply` on 1,000,000 records; reading and writing SQLite in the parent dominates.)"""
    from collections import Counter

    policy, today, seq, stamp, masker, paths = (
        _WORKER[k] for k in ("policy", "today", "seq", "stamp", "masker", "paths")
    )
    counts = dict.fromkeys(COUNT_KEYS, 0)
    batch: list[tuple] = []
    touched: list[tuple] = _WORKER.setdefault("touched", [])
    day = today.isoformat()
    # What a decision is made from: the record's facts, the policy (masking included), the
    # category's path of names and seoulrec's version (a release with other rules decides
    # everything again), hashed. marshal format 2 has no back-references, so its bytes depend
    # on the values alone; it is 2x faster than repr, and a full apply runs this per record.
    blake2b, dumps, values_of, version = hashlib.blake2b, marshal.dumps, _FACT_VALUES, __version__
    policy_version = policy.version
    standing: Counter = Counter()  # decisions that stand: (class, original public, findings)
    for row in rows:
        was_public, decided_id = row[_PUBLIC_AND_DECIDED]
        category, facts_hash, until, decided_class, decided_findings = row[_DECISION_STATE]
        path = paths.get(category) if category else None
        key = blake2b(
            dumps((values_of(row), policy_version, path, version), 2), digest_size=16
        ).hexdigest()
        if facts_hash == key and decided_id == row[0] and until and until > day and decided_class:
            # Same facts, same policy, and no date has come that could change it: the stored
            # decision stands (a nightly run over a large catalog decides only what changed),
            # read from the row itself (no RecordFacts is built for it).
            standing[decided_class, bool(was_public), decided_findings or 0] += 1
            continue
        info, facts = _facts(row)
        d = decide(facts, policy, today)
        title, findings, needs_title = public_title(info, d.original_public, masker)
        counts["records"] += 1
        counts[d.disclosure_class] += 1
        counts["original_public" if d.original_public else "withheld"] += 1
        counts["titles_masked"] += bool(findings)
        counts["titles_needed"] += needs_title
        # Everything published passes the masker: an archivist's reason in words included.
        reason = masker.mask(d.reason)[0] if d.reason else d.reason
        values = (
            info["id"],
            info["record_key"],
            int(d.list_public),
            int(d.original_public),
            int(d.masked),
            d.disclosure_class,
            _json_of(d.grounds),
            reason,
            d.release_date,
            _json_of(d.withheld_because),
            d.policy_version,
            d.source,
            d.next_review,
            d.opens_by_law,
            title,
            -1 if needs_title else findings,
            # The classification goes public with the decision (분류정보); a change re-publishes the row.
            info["category"].split("\x1f")[0] if info["category"] else None,
            paths.get(info["category"]) if info["category"] else None,
        )
        row_hash = hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()
        until = stable_until(facts, d, policy, today)
        if row_hash == info["row_hash"]:
            if (info["facts_hash"], info["stable_until"]) != (key, until):
                touched.append((key, until, info["id"]))
            continue
        counts["changed"] += 1
        # Newly public: an original published tonight that was not public before (a record
        # decided for the first time included); newly withheld: a public original withdrawn.
        if d.original_public and not info["was_public"]:
            counts["newly_public"] += 1
        elif not d.original_public and info["was_public"]:
            counts["newly_withheld"] += 1
        unchanged_state = (
            info["was_public"] is not None and bool(info["was_public"]) == d.original_public
        )
        since = info["was_since"] if unchanged_state and info["was_since"] else stamp
        batch.append(
            values + (row_hash, seq, stamp, since, info["was_public"], info["was_seq"], key, until)
        )
    for (cls, public, findings), n in standing.items():
        counts["records"] += n
        counts[cls] += n
        counts["original_public" if public else "withheld"] += n
        counts["titles_masked"] += n if findings > 0 else 0
        counts["titles_needed"] += n if findings == -1 else 0
    return batch, counts


def _standing_counts(catalog: Catalog, policy: Policy, today: date, changes: int) -> dict | None:
    """A quiet night: when nothing decisions are made from has changed since the last finished
    apply (the same count of changes, policy and seoulrec), ``today`` is not before its day, and
    no stored decision's stable-until day has come, every decision stands: its counts, with
    nothing changed, after reading two numbers instead of every record (issue 24). None when
    the records must be read."""
    last = apply_state(catalog)
    if not (
        last
        and last.get("status") == "finished"
        and last.get("changes") == changes
        and last.get("policy") == policy.version
        and last.get("seoulrec") == __version__
        and last.get("today", "9999") <= today.isoformat()
        and "counts" in last
    ):
        return None
    stored, first = store.decisions_standing(catalog)
    if stored != last["counts"].get("records") or (
        first is not None and first <= today.isoformat()
    ):
        return None  # a decision gone or forgotten, or a day come that could change one
    counts = dict(last["counts"])
    for key in ("changed", "newly_public", "newly_withheld", "withdrawn"):
        counts[key] = 0
    with catalog.transaction():
        catalog.set_meta("disclosure_apply", json.dumps({**last, "today": today.isoformat()}))
        catalog.audit(
            "disclose.apply",
            detail={
                "policy_version": policy.version,
                "today": today.isoformat(),
                "seq": last["seq"],
                "unchanged": True,
                **counts,
            },
        )
    return counts


def apply(
    catalog: Catalog, policy: Policy, today: date, on_progress=None, chunk: int = 5000
) -> dict:
    """Decide every current record; returns counts. Streams in chunks; flat memory.

    Only decisions that changed are rewritten, stamped with this run's sequence number, so an
    incremental export reads just them. Records that are no longer current under any version
    leave a withdrawal (tombstone) for downstream copies.
    """
    changes = store.fact_changes(catalog)  # read first: a change made during this run counts
    standing = _standing_counts(catalog, policy, today, changes)
    if standing is not None:
        return standing
    counts = dict.fromkeys(COUNT_KEYS, 0)
    counts["withdrawn"] = 0
    stamp = now()
    seq = int(catalog.get_meta("disclosure_seq") or 0) + 1

    with catalog.transaction():
        # Marked running until the last chunk is in: an export refuses a half-applied catalog.
        catalog.set_meta(
            "disclosure_apply",
            json.dumps({"status": "running", "today": today.isoformat(), "seq": seq}),
        )

    def write(batch: list[tuple], chunk_counts: dict) -> None:
        for key, value in chunk_counts.items():
            counts[key] += value
        touched = _WORKER.get("touched") or []
        if touched:
            # Unchanged decisions learn what they were made from (no new seq: nothing to publish).
            with catalog.transaction():
                store.note_facts(catalog, touched)
            touched.clear()
        if batch:
            # A record's decision and its attachments' decisions change in one transaction.
            with catalog.transaction():
                store.write_decisions(catalog, batch)
        if on_progress:
            on_progress(chunk_counts["records"])

    _init_decider(policy, today, seq, stamp, category_paths(catalog))
    for rows in iter_fact_rows(catalog, chunk=chunk):
        write(*decide_rows(rows))
    with catalog.transaction():
        # Keys with no current version left are withdrawn from downstream copies (tombstones).
        # Superseded versions keep no decision: only current records are decided and exported.
        counts["withdrawn"] = store.withdraw_gone(catalog, seq, stamp)
        catalog.set_meta(
            "disclosure_apply",
            json.dumps(
                {
                    "status": "finished",
                    "today": today.isoformat(),
                    "seq": seq,
                    # What a quiet night compares (``_standing_counts``).
                    "changes": changes,
                    "policy": policy.version,
                    "seoulrec": __version__,
                    "counts": counts,
                }
            ),
        )
        catalog.set_meta("disclosure_seq", str(seq))
        # The state exports report, kept here so an incremental export needs no full scan.
        catalog.set_meta("disclosure_records", str(counts["records"]))
        catalog.set_meta("disclosure_policy", policy.version)
        catalog.audit(
            "disclose.apply",
            detail={
                "policy_version": policy.version,
                "today": today.isoformat(),
                "seq": seq,
                **counts,
            },
        )
    return counts


def explain(catalog: Catalog, record_id: int, policy: Policy, today: date) -> dict:
    """The decision for one record as data and in plain words."""
    found = list(iter_facts(catalog, record_id))
    if not found:
        raise RecordNotFound(f"no current record with id {record_id}; see `seoulrec records list`")
    info, facts = found[0]
    d = decide(facts, policy, today)
    from seoulrec.store.records import pending_changes

    pending = pending_changes(catalog, [record_id]).get(record_id)
    masker = _masker(policy)
    title, findings, needs_title = public_title(info, d.original_public, masker)
    d.reason = masker.mask(d.reason)[0] if d.reason else d.reason
    position = None
    if facts.kind == "approval" and facts.approval_level == "unresolved":
        from seoulrec.decide.ranks import deciding_position

        position = deciding_position(catalog, record_id)
        if position:
            d.withheld_because = [
                w.replace(
                    "the rank of its approver could not be resolved",
                    f"the rank of its approver's position \u201c{position}\u201d could not be resolved",
                )
                for w in d.withheld_because
            ]
            d.steps.append(
                f"add \u201c{position}\u201d under [ranks] in seoulrec.toml, then run `seoulrec records relevel` and `seoulrec disclose apply`"
            )
    return {
        "id": record_id,
        "document_number": info["document_number"],
        "title": title,
        "title_masked": bool(findings),
        "needs_title": needs_title,
        "approval_level": facts.approval_level,
        "unresolved_position": position,
        "approval_date": facts.approval_date.isoformat() if facts.approval_date else None,
        "decision": decision_dict(d),
        "pending": pending,
        "explanation": words(info, facts, d, title) + _pending_note(pending),
    }


def _pending_note(pending: dict | None) -> str:
    """What the explanation includes that the published decision does not carry yet."""
    if not pending:
        return ""
    parts = []
    for what, change in pending.items():
        who = change.get("by") or "someone"
        parts.append(f"{what} recorded by {who} at {change.get('at') or 'an unknown time'}")
    return (
        "\nPending: "
        + "; ".join(parts)
        + ". This explanation includes it; the published decision does not, until "
        "`seoulrec disclose apply` runs."
    )


def decision_dict(d: Decision) -> dict:
    return {
        "list_public": d.list_public,
        "original_public": d.original_public,
        "masked": d.masked,
        "disclosure_class": d.disclosure_class,
        "grounds": d.grounds,
        "reason": d.reason,
        "release_date": d.release_date,
        "withheld_because": d.withheld_because,
        "policy_version": d.policy_version,
        "source": d.source,
        "next_review": d.next_review,
        "opens_by_law": d.opens_by_law,
        "steps": d.steps,
    }


def words(info: dict, facts: RecordFacts, d: Decision, public_title: str) -> str:
    """An answer a records officer could give a citizen."""
    label = CLASS_LABELS[d.disclosure_class]
    number = info["document_number"] or f"record {info['id']}"
    lines = [f"{number} \u201c{public_title}\u201d is listed in the public index (목록 공개)."]
    if d.original_public:
        lines.append(
            f"Its original (원문) is published, with personal data masked; its class is {label}."
        )
    else:
        lines.append(
            "Its original (원문) is not published, because "
            + "; and ".join(d.withheld_because or ["of the rules above"])
            + "."
        )
    for step in d.steps:
        lines.append(f"Note: {step}.")
    if d.disclosure_class != "public":
        if d.grounds:
            lines.append(
                "Legal grounds (정보공개법 제9조제1항): "
                + "; ".join(f"ground {g}: {GROUNDS[g]}" for g in d.grounds)
                + "."
            )
        lines.append(
            f"Reason given: {d.reason}."
            if d.reason
            else "No reason in words has been recorded yet (principle 5 requires one)."
        )
        if d.release_date:
            lines.append(f"It will be disclosed on {d.release_date}.")
        if d.opens_by_law:
            lines.append(
                f"By law it opens on {d.opens_by_law} at the latest (30 years after its production year); it is re-reviewed by {d.next_review}."
            )
    lines.append(f"Decided under policy {d.policy_version}.")
    return "\n".join(lines)


def set_manual_many(
    catalog: Catalog,
    record_ids: list[int],
    cls: str,
    grounds: list[int],
    reason: str,
    until: date | None,
    today: date,
    actor: str | None = None,
) -> list[dict]:
    """The same manual decision for several records, in one transaction (all or none)."""
    with catalog.transaction():
        return [
            set_manual(catalog, record_id, cls, grounds, reason, until, today, actor)
            for record_id in record_ids
        ]


def set_manual(
    catalog: Catalog,
    record_id: int,
    cls: str,
    grounds: list[int],
    reason: str,
    until: date | None,
    today: date,
    actor: str | None = None,
) -> dict:
    if cls not in ("public", "partial", "non_public"):
        raise UsageError(f"--class must be public, partial or non_public, not {cls!r}")
    bad = [g for g in grounds if g not in range(1, 9)]
    if bad:
        raise UsageError(f"grounds must be numbers 1 to 8 (Article 9(1)); got {bad}")
    if cls != "public" and not grounds:
        raise UsageError("a partial or non_public decision needs --grounds (1-8)")
    if cls != "public" and not (reason or "").strip():
        raise UsageError("a partial or non_public decision needs --reason in words (principle 5)")
    if until is not None and until <= today:
        raise UsageError(f"--until {until} is not in the future (today is {today})")
    key = store.record_key_of(catalog, record_id)
    if key is None:
        raise RecordNotFound(f"no record with id {record_id}; see `seoulrec records list`")
    actor = actor or default_actor()
    with catalog.transaction():
        store.set_override(
            catalog,
            [
                key,
                cls,
                json.dumps(sorted(set(grounds))),
                reason.strip(),
                until.isoformat() if until else None,
                actor,
                now(),
            ],
        )
        catalog.audit(
            "disclose.set",
            record_id,
            {
                "class": cls,
                "grounds": sorted(set(grounds)),
                "reason": reason.strip(),
                "until": until.isoformat() if until else None,
            },
            actor=actor,
        )
    return {
        "id": record_id,
        "class": cls,
        "grounds": sorted(set(grounds)),
        "until": until.isoformat() if until else None,
    }


def override_of(catalog: Catalog, record_id: int) -> dict | None:
    """A record's manual disclosure decision as stored (to undo a later one), or None."""
    key = store.record_key_of(catalog, record_id)
    if key is None:
        raise RecordNotFound(f"no record with id {record_id}; see `seoulrec records list`")
    return store.override_row(catalog, key)


def restore_override(
    catalog: Catalog, record_id: int, previous: dict | None, actor: str | None = None
) -> dict:
    """Undo a manual decision: the record's override as it was before (``override_of``), audited."""
    key = store.record_key_of(catalog, record_id)
    if key is None:
        raise RecordNotFound(f"no record with id {record_id}; see `seoulrec records list`")
    with catalog.transaction():
        if previous is None:
            store.delete_override(catalog, key)
        else:
            store.set_override(catalog, [previous[c] for c in store.OVERRIDE_COLUMNS])
        catalog.audit(
            "disclose.undo",
            record_id,
            {"restored": None if previous is None else previous.get("disclosure_class")},
            actor=actor,
        )
    return {"id": record_id, "restored": previous}


def review_queue(catalog: Catalog, policy: Policy, today: date) -> list[dict]:
    """Non-disclosure decisions awaiting the ex-officio review (직권심의), oldest first."""
    queue = []
    for info, facts in iter_facts(catalog):
        if facts.board is not None:
            continue
        d = decide(facts, policy, today)
        if d.disclosure_class == "public":
            continue
        queue.append(
            {
                "id": info["id"],
                "document_number": info["document_number"],
                "date": facts.approval_date.isoformat() if facts.approval_date else None,
                "class": d.disclosure_class,
                "grounds": d.grounds,
                "reason": d.reason,
                "withheld_because": d.withheld_because,
            }
        )
    queue.sort(key=lambda q: (q["date"] or "9999", q["id"]))
    return queue


def review_decide(
    catalog: Catalog,
    record_id: int,
    decision: str,
    note: str,
    policy: Policy,
    today: date,
    actor: str | None = None,
) -> dict:
    if decision not in ("uphold", "overturn"):
        raise UsageError(f"the board decides uphold or overturn, not {decision!r}")
    found = list(iter_facts(catalog, record_id))
    if not found:
        raise RecordNotFound(f"no current record with id {record_id}; see `seoulrec records list`")
    info, facts = found[0]
    facts.board = None  # judge the decision as it stands before the board
    if decide(facts, policy, today).disclosure_class == "public":
        raise UsageError(
            f"record {record_id} is not withheld (its class is 공개); the board reviews only non-disclosure decisions"
        )
    actor = actor or default_actor()
    with catalog.transaction():
        store.add_board_decision(
            catalog,
            [info["record_key"], record_id, decision, note, actor, now(), today.isoformat()],
        )
        catalog.audit("review.decide", record_id, {"decision": decision, "note": note}, actor=actor)
    return {
        "id": record_id,
        "decision": decision,
        "note": note,
        "effective": "on the next `disclose apply`",
    }


def due(catalog: Catalog, as_of: date) -> dict:
    """5-year re-reviews and 30-year openings that are due on ``as_of``."""
    day = as_of.isoformat()
    rereviews = [
        {"id": r[0], "document_number": r[1], "next_review": r[2]}
        for r in store.rereviews_due(catalog, day)
    ]
    openings = [
        {"id": r[0], "document_number": r[1], "opens_by_law": r[2]}
        for r in store.openings_due(catalog, day)
    ]
    return {"as_of": day, "rereviews": rereviews, "openings": openings}
