"""Pre-publication (사전공표): the registry of information types the city commits to publish
proactively, each with a responsible department, an update cycle and a category; the records
and publications that fulfil each item; and which items are overdue for their cycle.

Two registry layouts are read, told apart by their header:

* seoulrec's registry CSV: ``item_id,title,department,cycle,category,match`` where ``cycle``
  is ``monthly``/``quarterly``/``yearly`` (or 월간/분기/연간) and ``match`` lists title
  keywords separated by ``|``: a current, published record whose title holds one of them
  fulfils the item (the rule link).
* Seoul's published pre-publication list as it is (``public_list_*.csv``:
  ``nid,category,title,writer,dept_nm,regist_dt,taxonomy,telno,cpyrht,url``). Each row is one
  publication; the item is the first three levels of ``taxonomy``; its cycle is read from the
  publications' titles (``N월`` → monthly, ``N분기`` → quarterly, otherwise yearly).

Links by manifest: a CSV ``item_id,record`` where ``record`` is a record id, public id or
document number.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

from seoulrec.store import registers as store
from seoulrec.store.catalog import Catalog, now
from seoulrec.errors import ConfigError

CYCLES = {
    "monthly": "monthly",
    "월간": "monthly",
    "매월": "monthly",
    "quarterly": "quarterly",
    "분기": "quarterly",
    "yearly": "yearly",
    "연간": "yearly",
    "매년": "yearly",
}
#: Days after the latest publication when the next one is due.
CYCLE_DAYS = {"monthly": 31, "quarterly": 92, "yearly": 366}
REGISTRY_COLUMNS = ("item_id", "title", "department", "cycle", "category", "match")
SEOUL_COLUMNS = ("nid", "category", "title", "writer", "dept_nm", "regist_dt", "taxonomy")


def _read_csv(path: Path) -> list[dict]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = path.read_bytes().decode("cp949")  # Seoul's downloads are sometimes CP949
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: neither UTF-8 nor CP949 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror})") from None
    return [
        {k.strip(): (v or "").strip() for k, v in row.items() if k}
        for row in csv.DictReader(io.StringIO(text))
    ]


def _seoul_cycle(titles: list[str]) -> str:
    """The cycle most of the publications' titles speak of: a quarter (``4분기``, a range of
    months ``10월~12월``), a single month (``12월``), or else a year."""
    votes = {"monthly": 0, "quarterly": 0}
    for title in titles:
        if re.search(r"\d\s*분기", title) or re.search(
            r"\d{1,2}\s*월?\s*[~∼-]\s*\d{1,2}\s*월", title
        ):
            votes["quarterly"] += 1
        elif re.search(r"\d{1,2}\s*월", title):
            votes["monthly"] += 1
    best = max(votes, key=lambda k: votes[k])
    return best if votes[best] else "yearly"


def import_registry(catalog: Catalog, path: Path) -> dict:
    """Import a registry (either layout); returns counts. Re-importing changes nothing."""
    rows = _read_csv(path)
    header = set(rows[0]) if rows else set()
    items: dict[str, dict] = {}
    publications: list[tuple] = []
    failures: list[dict] = []
    if set(SEOUL_COLUMNS) <= header:
        layout = "seoul-public-list"
        grouped: dict[str, list[dict]] = {}
        for number, row in enumerate(rows, start=2):
            path_parts = [p.strip() for p in row["taxonomy"].split(">") if p.strip()]
            when = row["regist_dt"][:8]
            try:
                published = datetime.strptime(when, "%Y%m%d").date().isoformat()
            except ValueError:
                failures.append(
                    {"row": number, "error": f"regist_dt {row['regist_dt']!r} is not a date"}
                )
                continue
            if len(path_parts) < 2:
                failures.append(
                    {"row": number, "error": f"taxonomy {row['taxonomy']!r} has no item"}
                )
                continue
            key = ">".join(path_parts[:3])
            grouped.setdefault(key, []).append(row)
            item_id = "seoul-" + hashlib.blake2b(key.encode(), digest_size=5).hexdigest()
            publications.append(
                (
                    item_id,
                    f"nid:{row['nid']}",
                    published,
                    row["title"],
                    row["dept_nm"],
                    row.get("url") or None,
                )
            )
        for key, members in grouped.items():
            latest = max(members, key=lambda r: r["regist_dt"])
            item_id = "seoul-" + hashlib.blake2b(key.encode(), digest_size=5).hexdigest()
            items[item_id] = {
                "item_id": item_id,
                "title": key.split(">")[-1],
                "department": latest["dept_nm"] or None,
                "cycle": _seoul_cycle([r["title"] for r in members]),
                "category": latest["category"] or None,
                "taxonomy": key,
                "rule": None,
            }
    elif {"item_id", "title", "cycle"} <= header:
        layout = "seoulrec-registry"
        for number, row in enumerate(rows, start=2):
            cycle = CYCLES.get(row.get("cycle", "").lower())
            if not row.get("item_id") or not row.get("title") or cycle is None:
                failures.append(
                    {
                        "row": number,
                        "error": "needs item_id, title and a cycle (monthly, quarterly, yearly)",
                    }
                )
                continue
            items[row["item_id"]] = {
                "item_id": row["item_id"],
                "title": row["title"],
                "department": row.get("department") or None,
                "cycle": cycle,
                "category": row.get("category") or None,
                "taxonomy": None,
                "rule": row.get("match") or None,
            }
    else:
        raise ConfigError(
            f"{path}: not a pre-publication registry; expected the columns {', '.join(REGISTRY_COLUMNS)} "
            f"or Seoul's list ({', '.join(SEOUL_COLUMNS)}, ...)"
        )
    added = updated = 0
    stamp = now()
    with catalog.transaction():
        for item in items.values():
            old = store.item_fields(catalog, item["item_id"])
            values = tuple(item[k] for k in store.ITEM_FIELDS)
            if old == values:
                continue
            added, updated = (added, updated + 1) if old else (added + 1, updated)
            store.put_row(
                catalog, "prepub_items", dict(item, source=str(path), updated=stamp), "item_id"
            )
        before = store.publication_count(catalog)
        store.add_publications(catalog, publications)
        new_publications = store.publication_count(catalog) - before
    return {
        "layout": layout,
        "items": len(items),
        "added": added,
        "updated": updated,
        "publications": new_publications,
        "failures": len(failures),
        "failed": failures,
        "changed": bool(added or updated or new_publications),
    }


def link_records(catalog: Catalog, links: Path | None = None) -> dict:
    """Link published records to items: by the links manifest, then by each item's rule."""
    found: list[tuple] = []
    failures: list[dict] = []
    if links is not None:
        for number, row in enumerate(_read_csv(links), start=2):
            ref = row.get("record", "")
            # Only a published original fulfils an item: a withheld one publishes nothing.
            hit = store.published_record(catalog, ref)
            known = store.item_fields(catalog, row.get("item_id", ""))
            if not hit or not known:
                failures.append(
                    {
                        "row": number,
                        "error": f"no {'record ' + ref if not hit else 'item ' + row.get('item_id', '')}",
                    }
                )
                continue
            found.append((row["item_id"], *hit))
    for item_id, rule, department in store.item_rules(catalog):
        words = [w.strip() for w in rule.split("|") if w.strip()]
        if not words:
            continue
        found += [(item_id, *hit) for hit in store.published_matching(catalog, words, department)]
    before = store.publication_count(catalog)
    with catalog.transaction():
        store.add_publications(
            catalog,
            [
                (item_id, f"record:{key}", (day or "")[:10] or now()[:10], title, dept, None)
                for item_id, key, title, dept, day in found
            ],
        )
    added = store.publication_count(catalog) - before
    return {"added": added, "failures": len(failures), "failed": failures}


def status(catalog: Catalog, today: date) -> list[dict]:
    """Every item with its latest publication, when the next is due and whether it is overdue."""
    result = []
    for item_id, title, department, cycle, category, latest, count in store.items_with_latest(
        catalog
    ):
        due = (
            (date.fromisoformat(latest) + timedelta(days=CYCLE_DAYS[cycle])).isoformat()
            if latest
            else None
        )
        result.append(
            {
                "item_id": item_id,
                "title": title,
                "department": department,
                "cycle": cycle,
                "category": category,
                "publications": count,
                "latest": latest,
                "due": due,
                "overdue": due is None or due < today.isoformat(),
            }
        )
    return result


def overdue(catalog: Catalog, today: date) -> list[dict]:
    return [item for item in status(catalog, today) if item["overdue"]]
