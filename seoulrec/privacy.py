"""Personal-data detection and masking (DOMAIN 7), in the portal's style (``****``, ``조*아``).

Structured identifiers are found by pattern (resident and foreigner registration numbers with
checksum confidence, passports, driver's licences, phones, accounts near cue words, e-mail);
names only through context cues. Structured identifiers alone miss much sensitive text: a
scan says so rather than pretending completeness.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Patterns carry no leading look-behind: that keeps the combined pattern's first-character
# scan in C fast (measured 3 MB/s with look-behinds and a \\w e-mail local part, see
# benchmarks); the "not preceded by a digit or hyphen" boundary is checked in Python instead.
RRN = r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\s?[-.~_]?\s?[0-9]\d{6}(?!\d)"
PASSPORT = r"[MSRGDmsrgd](?:\d{8}|\d{3}[A-Za-z]\d{4})(?![A-Za-z0-9])"
LICENCE = r"(?:1[1-9]|2[0-8]|서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산)\s?-?\s?\d{2}-\d{6}-\d{2}(?!\d)"
MOBILE = r"01[016789][-.)\s]?\s?\d{3,4}[-.\s]?\d{4}(?![\d-])"
LANDLINE = (
    r"(?:02|0[3-6][1-5]|070|050\d)[-.)\s]?\d{3,4}[-.\s]?\d{4}(?![\d-])|1[568]\d{2}-\d{4}(?![\d-])"
)
# Local parts in Hangul too (internationalised addresses, RFC 6531: 홍길동@한국.kr).
EMAIL = r"[A-Za-z0-9가-힣._%+-]+@[A-Za-z0-9가-힣-]+(?:\.[A-Za-z0-9가-힣-]+)+"
#: An address written to dodge harvesters: hong(at)example.com, hong [at] example [dot] com.
EMAIL_AT_WORD = r"[A-Za-z0-9._%+-]+\s?[(\[]\s?at\s?[)\]]\s?[A-Za-z0-9가-힣-]+(?:\s?(?:\.|[(\[]\s?dot\s?[)\]])\s?[A-Za-z0-9가-힣-]+)+"
#: International form of a Korean number: +82-10-1234-5678, +82 2 2133 8237 (the 0 dropped).
INTL_PHONE = (
    r"\+\s?82[-.\s]?\(?0?(?:1[016789]|2|[3-6][1-5]|70)\)?[-.\s]?\d{3,4}[-.\s]?\d{4}(?![\d-])"
)
ACCOUNT = r"(?:계좌|입금|송금|예금주|은행|농협|국민|신한|우리|하나|기업|새마을|우체국|카카오뱅크|토스)[^\n\d*]{0,15}(?P<account>\d{2,6}-\d{2,6}-\d{2,7}(?:-\d{1,3})?(?![\d-])|\d{10,14}(?![\d-]))"
BUSINESS = r"\d{3}-\d{2}-\d{5}(?![\d-])"
_CUES = r"성명|신청인|민원인|청구인|대상자|피해자|보호자|고인"
# A cue word right after a cue ("민원인 신청인 김철수") is not the name: the next cue's match
# finds it (finditer does not overlap, so taking the cue would hide the real name).
NAME = rf"(?:{_CUES}|故)\s*[:：]?\s*(?!(?:{_CUES})(?![가-힣]))(?P<name>[가-힣]{{2,4}})(?![가-힣])"
# The gap between an account cue and its number never crosses a masked character, so masking
# is idempotent (a cue's first number masked must not expose the next one on a second pass).
#: Kinds whose match must not continue a longer number or word.
BOUNDED = {
    "rrn": "0123456789-",
    "licence": "0123456789-",
    "business": "0123456789-",
    "mobile": "0123456789-",
    "landline": "0123456789-",
    "passport": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "email": "._%+-",
}

KINDS = ("rrn", "passport", "licence", "phone", "email", "account", "business", "name")
LICENCE_NUMERIC = r"(?:1[1-9]|2[0-8])\s?-?\s?\d{2}-\d{6}-\d{2}(?!\d)"
LICENCE_REGION = r"(?:서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산)\s?-?\s?\d{2}-\d{6}-\d{2}(?!\d)"
# One scan per family, each starting with something the C scanner skips to quickly; measured
# 8.9 MB/s for one combined alternation against about 25 MB/s for these scans (benchmarks/).
_DIGIT_LED = re.compile(
    r"(?=\d[\d\s.)~_-]{7})(?:"
    + "|".join(
        f"(?P<{k}>{p})"
        for k, p in (
            ("rrn", RRN),
            ("licence", LICENCE_NUMERIC),
            ("business", BUSINESS),
            ("mobile", MOBILE),
            ("landline", LANDLINE),
        )
    )
    + ")"
)
#: Runs of digits and number punctuation long enough to hold any numeric identifier; the
#: numeric family is matched only inside them (every character it matches is in this class).
_NUMERIC_RUN = re.compile(r"\d[\d\s.)~_-]{7,}")
_SCANS = (
    (re.compile(f"(?P<licence>{LICENCE_REGION})"), None),
    (re.compile(f"(?P<passport>{PASSPORT})"), None),
    (re.compile(f"(?P<acct>{ACCOUNT})"), None),
    (re.compile(f"(?P<person>{NAME})"), None),
    (re.compile(f"(?P<intl>{INTL_PHONE})"), None),
    (re.compile(f"(?P<email>{EMAIL_AT_WORD})", re.IGNORECASE), None),
)
_AT = re.compile("@")
_EMAIL_AT = re.compile(EMAIL)
_EMAIL_LOCAL = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-") | {
    chr(c) for c in range(0xAC00, 0xD7A4)
}
#: Fast pre-check: text without a digit, an @ or a name cue needs no scan.
_ANY = re.compile(
    r"[\d@]|[(\[]\s?at\s?[)\]]|성명|신청인|민원인|청구인|대상자|피해자|보호자|고인|故",
    re.IGNORECASE,
)
#: Matching runs on a same-length normal form: full-width forms to ASCII (NFKC's mapping for
#: them) and every dash to "-", so spans found in it are the original's spans.
_NORMAL: dict[int, int | str] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_NORMAL.update({ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"})
_NORMAL.update({0x3000: " ", 0x00A0: " "})
_NEEDS_NORMAL = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_NORMAL)) + "]")
RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    confidence: float
    value: str

    def preview(self) -> str:
        """A safe preview: never the identifier in full."""
        return mask_value(self.kind, self.value)


def rrn_checksum_ok(digits: str) -> tuple[bool, bool]:
    """(resident check digit valid, foreigner check digit valid)."""
    total = sum(int(d) * w for d, w in zip(digits[:12], RRN_WEIGHTS))
    check = int(digits[12])
    return (11 - total % 11) % 10 == check, (13 - total % 11) % 10 == check


def mask_value(kind: str, value: str) -> str:
    if kind == "name":
        if len(value) <= 2:
            return value[0] + "*"
        return value[0] + "*" * (len(value) - 2) + value[-1]
    if kind == "email" and "@" in value:
        local, _, domain = value.partition("@")
        return "*" * len(local) + "@" + domain
    return re.sub(r"[0-9A-Za-z가-힣]", "*", value)


@dataclass
class Masker:
    """Finds and masks personal data under the policy's masking switches."""

    office_phone: bool = False
    office_email: bool = False
    office_phone_prefixes: tuple[str, ...] = ()
    office_email_domains: tuple[str, ...] = ()
    business_number: bool = False
    names: bool = True

    @classmethod
    def from_policy(cls, masking: dict) -> "Masker":
        return cls(
            office_phone=bool(masking.get("office_phone", False)),
            office_email=bool(masking.get("office_email", False)),
            office_phone_prefixes=tuple(str(p) for p in masking.get("office_phone_prefixes", [])),
            office_email_domains=tuple(d.lower() for d in masking.get("office_email_domains", [])),
            business_number=bool(masking.get("business_number", False)),
            names=bool(masking.get("names", True)),
        )

    @property
    def office_phone_groups(self) -> list[tuple[str, ...]]:
        return [
            tuple(re.findall(r"\d+", p)) for p in self.office_phone_prefixes if re.search(r"\d", p)
        ]

    def _is_office_phone(self, value: str, extra: set[str]) -> bool:
        """The record's own foot numbers, or a configured office prefix matched group by group
        ("02-120" is not a prefix of 02-1209-8765: the group 1209 is not 120)."""
        digits = re.sub(r"\D", "", value)
        if digits in extra:
            return True
        groups = re.findall(r"\d+", value)
        for prefix in self.office_phone_groups:
            if len(groups) == 1:
                if groups[0].startswith("".join(prefix)):
                    return True
            elif groups[: len(prefix)] == list(prefix):
                return True
        return False

    def find(self, text: str, office_numbers: set[str] | None = None) -> list[Finding]:
        """Every finding to mask, in order. ``office_numbers``: the record's own foot numbers."""
        if not text:
            return []
        if _NEEDS_NORMAL.search(text):
            text = text.translate(_NORMAL)
        if not _ANY.search(text):
            return []
        extra = {re.sub(r"\D", "", n) for n in office_numbers or ()}
        findings: list[Finding] = []
        for m in self._matches(text):
            kind = m.lastgroup
            value = m.group(kind)
            start, end = m.span(kind)
            bounded = BOUNDED.get(kind)
            if bounded and start > 0 and text[start - 1] in bounded:
                continue
            confidence = 0.9
            if kind == "rrn":
                digits = re.sub(r"\D", "", value)
                gender = int(digits[6])
                resident_ok, foreign_ok = rrn_checksum_ok(digits)
                if gender >= 5 and gender <= 8:
                    kind, confidence = "rrn", 0.99 if foreign_ok else 0.7
                else:
                    confidence = 0.99 if resident_ok else 0.7  # no valid check digit since 2020-10
            elif kind == "intl":
                kind = "phone"
            elif kind in ("mobile", "landline"):
                if (
                    kind == "landline"
                    and not self.office_phone
                    and self._is_office_phone(value, extra)
                ):
                    continue
                kind = "phone"
            elif kind == "email":
                if (
                    not self.office_email
                    and "@" in value
                    and value.lower().rsplit("@", 1)[-1] in self.office_email_domains
                ):
                    continue
            elif kind == "acct":
                kind, value = "account", m.group("account")
                start, end = m.span("account")
                confidence = 0.8
            elif kind == "business":
                if not self.business_number:
                    continue
            elif kind == "person":
                if not self.names:
                    continue
                kind, value = "name", m.group("name")
                start, end = m.span("name")
                if len(value) > 2 and value[-1] in "의은는이가을를에와과도께":
                    value, end = value[:-1], end - 1  # a particle, not part of the name
                confidence = 0.6
            findings.append(Finding(kind, start, end, confidence, value))
        return _without_overlaps(findings)

    @staticmethod
    def _matches(text: str):
        for run in _NUMERIC_RUN.finditer(text):
            yield from _DIGIT_LED.finditer(text, run.start(), run.end())
        for pattern, _ in _SCANS:
            yield from pattern.finditer(text)
        for at in _AT.finditer(text):
            start = at.start()
            while start > 0 and text[start - 1] in _EMAIL_LOCAL:
                start -= 1
            if start < at.start():
                m = _EMAIL_AT.match(text, start)
                if m:
                    yield _EmailMatch(m)

    def mask(self, text: str, office_numbers: set[str] | None = None) -> tuple[str, list[Finding]]:
        """The text with every finding masked; idempotent (masking masked text changes nothing)."""
        findings = self.find(text, office_numbers)
        if not findings:
            return text, findings
        parts, last = [], 0
        for f in findings:
            # Found in the normal form; the original span (full-width digits, other dashes) is
            # replaced by the mask of the normal form, which has the same length.
            parts.append(text[last : f.start])
            parts.append(mask_value(f.kind, f.value))
            last = f.end
        parts.append(text[last:])
        return "".join(parts), findings


class _EmailMatch:
    """An e-mail match in the shape of the pattern matches above."""

    lastgroup = "email"

    def __init__(self, m: re.Match):
        self._m = m

    def group(self, _name):
        return self._m.group(0)

    def span(self, _name):
        return self._m.span(0)


def _without_overlaps(findings: list[Finding]) -> list[Finding]:
    """In text order; where two findings overlap, the earlier (then the longer) one wins."""
    findings.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for f in findings:
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    return kept


def masker_from_config(config) -> "Masker":
    """The masker under the policy in force (``[disclosure] masking`` of ``seoulrec.toml``)."""
    from .policy import policy_from_config

    return Masker.from_policy(policy_from_config(config).masking)


LIMITS_NOTE = (
    "Structured identifiers and names after cue words only; free-text personal details (health, "
    "addresses, names without a cue) are not detected. Review partial (부분공개) documents by hand."
)


def scan_catalog(catalog, masker: Masker, record_id: int | None = None) -> dict:
    """Personal data by type in current records' titles, texts and attachment texts; examples
    are masked previews, never the identifier in full."""
    sql = "SELECT r.id, r.document_number, r.title, r.text, (SELECT group_concat(a.text, char(10)) FROM attachments a WHERE a.record_id = r.id) FROM records r WHERE r.is_current = 1"
    params: list = []
    if record_id is not None:
        if (
            catalog.db.execute(
                "SELECT 1 FROM records WHERE id = ? AND is_current = 1", [record_id]
            ).fetchone()
            is None
        ):
            from .errors import RecordNotFound

            raise RecordNotFound(
                f"no current record with id {record_id}; see `seoulrec records list`"
            )
        sql += " AND r.id = ?"
        params.append(record_id)
    totals: dict[str, int] = {}
    records = []
    for rid, number, title, text, attachments in catalog.db.execute(sql + " ORDER BY r.id", params):
        by_kind: dict[str, int] = {}
        examples: list[dict] = []
        for where, value in (("title", title), ("text", text), ("attachments", attachments)):
            for finding in masker.find(value or ""):
                by_kind[finding.kind] = by_kind.get(finding.kind, 0) + 1
                if len(examples) < 5:
                    examples.append(
                        {
                            "where": where,
                            "kind": finding.kind,
                            "masked": finding.preview(),
                            "confidence": finding.confidence,
                        }
                    )
        if by_kind:
            records.append(
                {"id": rid, "document_number": number, "findings": by_kind, "examples": examples}
            )
            for kind, count in by_kind.items():
                totals[kind] = totals.get(kind, 0) + count
    return {
        "records_with_findings": len(records),
        "totals": totals,
        "records": records,
        "limits": LIMITS_NOTE,
    }
