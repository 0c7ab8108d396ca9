"""Disclosure rules as data: thresholds by date, hold days, which classes publish originals,
masking switches; and the decision for one record (DOMAIN 1, 4).

Everything is public unless a law exempts it; an original is published only when the record's
class allows it, its approval level meets the threshold in force at its approval date, its rank
is resolved, and its hold days have passed. When in doubt, withhold and say why.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources

from seoulrec.errors import ConfigError
from seoulrec.model import CLASS_LABELS, LEVEL_ORDER

GROUNDS = {
    1: "법령상 비밀·비공개 (secret or non-public under another act)",
    2: "국가안보·국방·통일·외교 (national security, defence, unification, foreign relations)",
    3: "국민의 생명·신체·재산 보호 (protection of life, body or property)",
    4: "재판·수사 등 (pending trials, investigations, prosecutions)",
    5: "감사·감독·의사결정과정·내부검토 등 (audits, inspections, decisions still being made)",
    6: "개인정보 (personal information)",
    7: "법인 등 경영·영업상 비밀 (trade secrets of corporations or individuals)",
    8: "특정인 이익·불이익 (gain or loss to particular persons)",
}
CLASSES = ("public", "partial", "non_public")


def _date(value, where: str) -> date:
    from seoulrec.dates import config_date

    return config_date(value, where)


@dataclass(frozen=True)
class Threshold:
    start: date
    level: str


@dataclass
class Policy:
    name: str
    thresholds: list[Threshold]
    hold_days: dict[str, int]
    original_classes: frozenset[str]
    masking: dict = field(default_factory=dict)
    #: Default class (공개구분) per material kind, e.g. {"용역자료": "public"}.
    material_classes: dict = field(default_factory=dict)
    rereview_years: int = 5
    open_after_years: int = 30
    version: str = ""

    # -- rules --------------------------------------------------------------------------
    def threshold_at(self, day: date) -> str | None:
        """The lowest approval level whose originals are published on ``day`` (None: none yet)."""
        level = None
        for threshold in self.thresholds:
            if threshold.start <= day:
                level = threshold.level
        return level

    @staticmethod
    def meets(level: str, threshold: str) -> bool:
        if level not in LEVEL_ORDER or threshold not in LEVEL_ORDER:
            return False
        return LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(threshold)

    def hold_for(self, level: str) -> int:
        """Days an original of this level is held before publication (0 when none is set)."""
        return int(self.hold_days.get(level, 0))

    def thirty_year_opening(self, production: date) -> date:
        return date(production.year + self.open_after_years + 1, 1, 1)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "thresholds": [
                {"from": t.start.isoformat(), "level": t.level} for t in self.thresholds
            ],
            "hold_days": dict(sorted(self.hold_days.items())),
            "originals": {"classes": sorted(self.original_classes)},
            "masking": self.masking,
            "materials": dict(sorted(self.material_classes.items())),
            "review": {
                "rereview_years": self.rereview_years,
                "open_after_years": self.open_after_years,
            },
        }


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_policy(
    overrides: dict | None = None, source: str = "seoulrec.toml [disclosure]"
) -> Policy:
    """Shipped defaults with ``overrides`` on top, validated; the version hashes the result."""
    defaults = tomllib.loads(
        resources.files("seoulrec.data").joinpath("policy.toml").read_text("utf-8")
    )
    data = _merge(defaults, overrides or {})
    where = source if overrides else "policy.toml (shipped)"
    thresholds = []
    raw = data.get("thresholds", [])
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: thresholds must be a list of {{from, level}} tables")
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or "from" not in item or "level" not in item:
            raise ConfigError(f"{where}: threshold {index} needs 'from' and 'level'")
        level = str(item["level"])
        if level not in LEVEL_ORDER:
            raise ConfigError(
                f"{where}: threshold {index}: unknown rank {level!r}; known: {', '.join(LEVEL_ORDER)}"
            )
        thresholds.append(Threshold(_date(item["from"], f"{where}: threshold {index}"), level))
    for index in range(1, len(thresholds)):
        previous, current = thresholds[index - 1], thresholds[index]
        if current.start <= previous.start:
            raise ConfigError(
                f"{where}: thresholds {index} and {index + 1} overlap or are out of order "
                f"({previous.start} then {current.start}); list them by increasing date"
            )
    hold_days = {}
    for level, days in (data.get("hold_days") or {}).items():
        if level not in LEVEL_ORDER:
            raise ConfigError(
                f"{where}: hold_days: unknown rank {level!r}; known: {', '.join(LEVEL_ORDER)}"
            )
        if not isinstance(days, int) or days < 0:
            raise ConfigError(f"{where}: hold_days.{level} must be a whole number of days >= 0")
        hold_days[level] = days
    classes = (data.get("originals") or {}).get("classes", ["public", "partial"])
    for cls in classes:
        if cls not in CLASSES:
            raise ConfigError(
                f"{where}: originals.classes: unknown class {cls!r}; known: {', '.join(CLASSES)}"
            )
    if "non_public" in classes:
        raise ConfigError(f"{where}: originals.classes cannot include non_public")
    materials = data.get("materials") or {}
    if not isinstance(materials, dict):
        raise ConfigError(
            f'{where}: materials must map a material kind to a class, e.g. 용역자료 = "public"'
        )
    for kind, cls in materials.items():
        if cls not in CLASSES:
            raise ConfigError(
                f"{where}: materials.{kind}: unknown class {cls!r}; known: {', '.join(CLASSES)}"
            )
    review = data.get("review") or {}
    policy = Policy(
        name=str(data.get("name", "custom")),
        thresholds=thresholds,
        hold_days=hold_days,
        original_classes=frozenset(classes),
        masking=dict(data.get("masking") or {}),
        material_classes=dict(materials),
        rereview_years=int(review.get("rereview_years", 5)),
        open_after_years=int(review.get("open_after_years", 30)),
    )
    import hashlib  # here: OpenSSL's loading is 5 ms of `seoulrec status` (issue 24)

    digest = hashlib.sha256(
        json.dumps(policy.to_dict(), sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()[:12]
    policy.version = f"{policy.name}@{digest}"
    return policy


def policy_from_config(config) -> Policy:
    """The policy in force: shipped defaults with ``[disclosure]`` of ``seoulrec.toml`` on top
    (the one place every command and the pipeline build it)."""
    return load_policy(
        config.section("disclosure") or None, f"{config.path or 'seoulrec.toml'} [disclosure]"
    )


# -- the decision -------------------------------------------------------------------------------


@dataclass
class RecordFacts:
    """What the decision needs to know about one record."""

    approval_level: str
    approval_date: date | None
    disclosure_class: str | None
    grounds: tuple[int, ...] = ()
    production_date: date | None = None
    #: An archivist's decision (disclose set): class, grounds, reason, until.
    manual: dict | None = None
    #: The review board's last decision: "uphold" or "overturn".
    board: str | None = None
    last_review: date | None = None
    #: "approval" (전자결재문서) or "material" (비정형문서: no approval chain, no level threshold).
    kind: str = "approval"
    material_kind: str | None = None


@dataclass
class Decision:
    list_public: bool
    original_public: bool
    masked: bool
    disclosure_class: str
    grounds: list[int]
    reason: str
    release_date: str | None
    withheld_because: list[str]
    policy_version: str
    source: str
    next_review: str | None = None
    opens_by_law: str | None = None
    steps: list[str] = field(default_factory=list)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def decide(facts: RecordFacts, policy: Policy, today: date) -> Decision:
    """The disclosure decision for one record, with the steps that led to it."""
    steps: list[str] = []
    withheld: list[str] = []
    source = "rule"
    cls = facts.disclosure_class
    grounds = list(facts.grounds)
    reason = ""
    release: date | None = None
    if facts.manual:
        source = "manual"
        cls = facts.manual["class"]
        grounds = list(facts.manual.get("grounds") or [])
        reason = facts.manual.get("reason") or ""
        release = (
            _date(facts.manual["until"], "manual decision") if facts.manual.get("until") else None
        )
        steps.append(
            f"an archivist set the class to {CLASS_LABELS.get(cls, cls)}"
            + (f" until {release}" if release else "")
        )
    if cls is None and facts.kind == "material" and facts.material_kind in policy.material_classes:
        cls = policy.material_classes[facts.material_kind]
        steps.append(f"the policy's default class for {facts.material_kind} is {CLASS_LABELS[cls]}")
    if cls is None:
        withheld.append(
            "the record carries no disclosure class (공개구분); an archivist must set one"
            + (
                " (`ingest --class`, a class column in materials.csv, or [disclosure.materials])"
                if facts.kind == "material"
                else ""
            )
        )
        steps.append("no disclosure class is known, so the original is withheld until one is set")
    if facts.board == "overturn" and cls in (None, "partial", "non_public"):
        steps.append("the disclosure review board (직권심의) overturned the non-disclosure")
        cls, grounds, reason, release, source = "public", [], "", None, "board"
    if cls in ("partial", "non_public") and release and release <= today:
        steps.append(f"its release date {release} has passed, so it is now public")
        cls, grounds, release = "public", [], None
    opens_by_law = None
    if cls == "non_public" and facts.production_date:
        opening = policy.thirty_year_opening(facts.production_date)
        opens_by_law = opening.isoformat()
        if opening <= today:
            steps.append(
                f"{policy.open_after_years} years have passed since the end of its production year ({facts.production_date.year}), so it opens by law"
            )
            cls, grounds, release = "public", [], None
    effective_class = cls or "non_public"
    if cls in ("partial", "non_public"):
        named = (
            ", ".join(f"{g} {GROUNDS[g].split(' (')[0]}" for g in grounds if g in GROUNDS)
            or "none stated"
        )
        withheld.append(f"its class is {CLASS_LABELS[cls]} on Article 9(1) ground(s) {named}")
    # Approval level and threshold.
    level_ok = False
    if facts.kind == "material":
        # Materials (용역자료, 회의자료 ...) have no approval chain: the approval-level
        # threshold does not apply to them; their class decides.
        level_ok = True
        steps.append(
            "it is an unstructured material (비정형문서): no approval-level threshold applies"
        )
    elif facts.approval_level == "unresolved":
        withheld.append(
            "the rank of its approver could not be resolved; it is withheld until an archivist resolves it"
        )
    elif facts.approval_date is None:
        withheld.append(
            "its approval date is unknown, so the threshold in force cannot be determined"
        )
    else:
        threshold = policy.threshold_at(facts.approval_date)
        if threshold is None:
            withheld.append(
                f"it was approved on {facts.approval_date}, before originals were published at any level"
            )
        elif not policy.meets(facts.approval_level, threshold):
            withheld.append(
                f"it was approved at {facts.approval_level} level on {facts.approval_date}, below the {threshold} threshold in force then"
            )
        else:
            level_ok = True
            steps.append(
                f"it was approved at {facts.approval_level} level on {facts.approval_date}; the threshold then was {threshold}"
            )
            hold = policy.hold_for(facts.approval_level)
            if facts.approval_date > today:
                level_ok = False
                withheld.append(
                    f"its approval date {facts.approval_date} is after the decision date {today}"
                )
            elif facts.approval_date + timedelta(days=hold) > today:
                level_ok = False
                withheld.append(
                    f"documents at {facts.approval_level} level are held {hold} days; it publishes on {facts.approval_date + timedelta(days=hold)}"
                )
    class_ok = cls is not None and cls in policy.original_classes
    if cls is not None and cls not in policy.original_classes and cls != "non_public":
        withheld.append(f"the policy does not publish originals of class {CLASS_LABELS[cls]}")
    original_public = bool(level_ok and class_ok)
    next_review = None
    if effective_class == "non_public":
        base = facts.last_review or facts.production_date or facts.approval_date
        if base:
            next_review = add_years(base, policy.rereview_years).isoformat()
    return Decision(
        list_public=True,
        original_public=original_public,
        masked=original_public,
        disclosure_class=effective_class,
        grounds=sorted(set(grounds)) if effective_class != "public" else [],
        reason=reason,
        release_date=release.isoformat() if release else None,
        withheld_because=[] if original_public else withheld,
        policy_version=policy.version,
        source=source,
        next_review=next_review,
        opens_by_law=opens_by_law if effective_class == "non_public" else None,
        steps=steps,
    )
