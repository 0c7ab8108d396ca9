"""The rank ladder: resolve a free-text position (직위) to an approval level, and decide a
document's approval level from its chain (DOMAIN 3.1, 3.2)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources

from seoulrec.errors import ConfigError
from seoulrec.model import LEVEL_ORDER, Approval

#: Approval types that carry the final decision of a box.
FINAL_TYPES = {"결재", "전결", "대결"}
#: Types that never decide a document's level by themselves.
NON_DECIDING_TYPES = {"후열", "결재안함", "협조", "기안", "검토"}


def default_ladder() -> dict[str, list[str]]:
    data = resources.files("seoulrec.data").joinpath("ranks.toml").read_text("utf-8")
    return tomllib.loads(data)["ranks"]


@dataclass(frozen=True)
class Ladder:
    """Suffix → level, matched longest first."""

    suffixes: tuple[tuple[str, str], ...]
    #: position -> level, as found (a batch has a few hundred distinct positions, each asked
    #: for thousands of times: the suffix scan was 3% of an ingest).
    _found: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    @classmethod
    def from_mapping(cls, mapping: dict[str, list[str]]) -> "Ladder":
        pairs: dict[str, str] = {}
        for level, suffixes in mapping.items():
            if level not in LEVEL_ORDER:
                raise ConfigError(
                    f"[ranks] names an unknown level {level!r}; known levels: "
                    + ", ".join(LEVEL_ORDER)
                )
            if not isinstance(suffixes, list) or not all(isinstance(s, str) for s in suffixes):
                raise ConfigError(f"[ranks] {level} must be a list of position suffixes")
            for suffix in suffixes:
                suffix = suffix.strip()
                if not suffix:
                    continue
                if suffix in pairs and pairs[suffix] != level:
                    raise ConfigError(
                        f"[ranks] suffix {suffix!r} is listed under both {pairs[suffix]} and {level}"
                    )
                pairs[suffix] = level
        ordered = sorted(pairs.items(), key=lambda kv: (-len(kv[0]), kv[0]))
        return cls(tuple(ordered))

    @classmethod
    def default(cls, overrides: dict[str, list[str]] | None = None) -> "Ladder":
        mapping = default_ladder()
        if overrides:
            mapping = {**mapping, **overrides}
        return cls.from_mapping(mapping)

    def level_of(self, position: str) -> str:
        """The level of a position by its longest matching suffix, else ``unresolved``."""
        level = self._found.get(position)
        if level is None:
            level = self._level_of(position)
            if len(self._found) < 100_000:
                self._found[position] = level
        return level

    def _level_of(self, position: str) -> str:
        compact = "".join((position or "").split())
        for suffix, level in self.suffixes:
            if compact.endswith(suffix):
                return level
        return "unresolved"


def deciding_approval(approvals: list[Approval]) -> Approval | None:
    """The box whose position sets the document's approval level.

    전결: the delegated signer's own box. 대결: the absent authority's box, which the deputy
    signed (its position is the authority's, not the deputy's). Otherwise the final box.
    후열 boxes (review after the fact) never decide.
    """
    chain = [a for a in approvals if a.kind == "approval"]
    if not chain:
        return None
    delegated = [a for a in chain if a.type == "전결"]
    if delegated:
        return delegated[-1]
    finals = [a for a in chain if a.is_final and a.type not in {"후열"}]
    if finals:
        return finals[-1]
    deciding = [a for a in chain if a.type in FINAL_TYPES]
    if deciding:
        return deciding[-1]
    return chain[-1]


def approval_level(approvals: list[Approval], ladder: Ladder) -> str:
    box = deciding_approval(approvals)
    if box is None:
        return "unresolved"
    return ladder.level_of(box.position)


NO_CHAIN = "(no approval chain)"


def chainless_records(catalog, limit_examples: int = 3) -> dict:
    """Current approval records that came without an approval chain (a list row, a file): no
    rank can resolve them; their original stays withheld until an archivist decides."""
    found = unresolved_positions(catalog, limit_examples, with_chainless=True)
    return next((p for p in found if p["position"] == NO_CHAIN), {"count": 0, "examples": []})


def unresolved_positions(
    catalog, limit_examples: int = 3, with_chainless: bool = False
) -> list[dict]:
    """Deciding positions of current records whose level is ``unresolved``: each with a count
    and example document numbers, most frequent first. Records with no approval chain at all
    are left out unless ``with_chainless`` (adding a rank cannot resolve them)."""
    found: dict[str, dict] = {}
    from seoulrec.store.records import unresolved_approvals

    rows = unresolved_approvals(catalog)
    for record_id, number, source in rows:
        position = deciding_position(catalog, record_id) or NO_CHAIN
        if position == NO_CHAIN and not with_chainless:
            continue  # no position to map: not a rank problem (see chainless_records)
        entry = found.setdefault(position, {"position": position, "count": 0, "examples": []})
        entry["count"] += 1
        if len(entry["examples"]) < limit_examples:
            entry["examples"].append(number or source or f"record {record_id}")
    return sorted(found.values(), key=lambda e: (-e["count"], e["position"]))


def deciding_position(catalog, record_id: int) -> str | None:
    """The position of the box that sets a stored record's approval level."""
    chain = [
        Approval(
            a["order"],
            a["position"] or "",
            a["type"] or "",
            a["name"] or "",
            a["date"],
            bool(a["is_final"]),
            a["kind"],
        )
        for a in catalog.approvals_of(record_id)
    ]
    box = deciding_approval(chain)
    return box.position if box is not None and box.position else None


def relevel(catalog, ladder, actor: str | None = None) -> dict:
    """Recompute every current record's approval level from its stored chain with ``ladder``
    (after an archivist resolves a position in [ranks]); returns counts of changes."""
    from seoulrec.model import Approval

    changes: dict[str, int] = {}
    updates: list[tuple[str, int]] = []
    from seoulrec.store.records import current_chains, set_levels

    rows = current_chains(catalog)
    current_id, current_level = None, None
    chain: list = []

    def finish():
        if current_id is None:
            return
        level = approval_level(chain, ladder)
        if level != current_level:
            updates.append((level, current_id))
            key = f"{current_level} -> {level}"
            changes[key] = changes.get(key, 0) + 1

    for rid, old, kind, order, position, type_, name, day, final in rows:
        if rid != current_id:
            finish()
            current_id, current_level, chain = rid, old, []
        chain.append(
            Approval(order, position or "", type_ or "", name or "", day, bool(final), kind)
        )
    finish()
    with catalog.transaction():
        set_levels(catalog, updates)
        catalog.audit(
            "records.relevel", detail={"changed": len(updates), "changes": changes}, actor=actor
        )
    return {"changed": len(updates), "changes": changes}
