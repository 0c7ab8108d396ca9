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
_REGIONS = r"서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산"
LICENCE = rf"(?:1[1-9]|2[0-8]|{_REGIONS})\s?-?\s?\d{{2}}-\d{{6}}-\d{{2}}(?!\d)"
# Groups may be parted by a dash, dot or bracket with spaces around it ("010 - 5823 - 9164")
# or by a line break ("010-3579-" / "2460"); a landline written with no separator at all is
# a customer or case number as often as a phone ("요금경정(023271245)"): it is matched only
# after a phone cue (see _PHONE_CUED below).
_SEP = r"(?:[ \t]{0,2}[-.)][ \t]{0,2}\n?[ \t]{0,2}|[ \t]{1,2}|\n[ \t]{0,2})"
MOBILE = rf"01[016789](?:{_SEP})?\d{{3,4}}(?:{_SEP})?\d{{4}}(?![\d-])"
LANDLINE = (
    rf"(?:02|0[3-6][1-5]|070|050\d)(?:{_SEP})\d{{3,4}}(?:{_SEP})\d{{4}}(?![\d-])"
    r"|1[568]\d{2}-\d{4}(?![\d-])"
)
#: A landline without separators, only after a cue word (전화 0221338237).
_PHONE_CUES = r"전화|연락처|연락|휴대폰|핸드폰|tel|Tel|TEL|☎|팩스|fax|FAX"
PHONE_CUED = rf"(?:{_PHONE_CUES})[^\n\d*]{{0,6}}(?P<bare>(?:02|0[3-6][1-5]|070)\d{{7,8}}(?![\d-]))"
# Local parts in Hangul too (internationalised addresses, RFC 6531: 홍길동@한국.kr).
EMAIL = r"[A-Za-z0-9가-힣._%+-]+@[A-Za-z0-9가-힣-]+(?:\.[A-Za-z0-9가-힣-]+)+"
#: An address written to dodge harvesters: hong(at)example.com, hong [at] example [dot] com.
EMAIL_AT_WORD = r"[A-Za-z0-9._%+-]+\s?[(\[]\s?at\s?[)\]]\s?[A-Za-z0-9가-힣-]+(?:\s?(?:\.|[(\[]\s?dot\s?[)\]])\s?[A-Za-z0-9가-힣-]+)+"
#: International form of a Korean number: +82-10-1234-5678, +82 2 2133 8237 (the 0 dropped).
INTL_PHONE = (
    r"\+\s?82[-.\s]?\(?0?(?:1[016789]|2|[3-6][1-5]|70)\)?[-.\s]?\d{3,4}[-.\s]?\d{4}(?![\d-])"
)
# Bank names that are also everyday words (국민 in 국민신문고, 우리, 하나, 기업) count only
# as part of "…은행", which the 은행 cue finds.
_ACCOUNT_CUES = r"계좌|입금|송금|예금주|은행|농협|신한|새마을금고|우체국|카카오뱅크|토스뱅크"
ACCOUNT = rf"(?:{_ACCOUNT_CUES})[^\n\d*]{{0,15}}(?P<account>\d{{2,6}}-\d{{2,6}}-\d{{2,7}}(?:-\d{{1,3}})?(?![\d-])|\d{{10,14}}(?![\d-]))"
BUSINESS = r"\d{3}-\d{2}-\d{5}(?![\d-])"
_CUES = (
    r"성\s?명|이\s?름|성\s?함|신청인|민원인|청구인|신고인|의뢰인|진정인|대상자|피해자|보호자|고인"
)
# A cue word right after a cue ("민원인 신청인 김철수") is not the name: the next cue's match
# finds it (finditer does not overlap, so taking the cue would hide the real name). A name
# is written as one word (김철수), with spaced syllables (탁 윤 희) or in brackets
# (신청인(편해준)); whether the word is a name at all is decided by looks_like_name().
NAME = (
    rf"(?:{_CUES}|故)\s*[:：(（]?\s*(?!(?:{_CUES})(?![가-힣]))"
    r"(?P<name>[가-힣]{2,5}(?![가-힣])|[가-힣](?:[ ][가-힣]){1,3}(?![가-힣]))"
)
#: Korean surnames (the common single-syllable ones and the two-syllable ones); a word after a
#: cue is taken for a name only when it starts with one.
SURNAMES = frozenset(
    "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지"
    "엄채원천방공현함변염여추도소석선설마길연위표명기반라왕금옥육인맹제모탁국어은편용예경봉"
    "사부가복태목형피두감음빈동온호범좌팽승간상갈시단견당화창옹순빙종풍묵계후매"
)
COMPOUND_SURNAMES = ("남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방")
#: Everyday words that follow the cue words in real titles and texts ("대상자 제출", "민원인
#: 연락처", "청구인 보충서면", "신청인 주소"): never a name. Checked on a real week of Seoul's
#: approval list (17,078 titles, tests/test_real_week.py): no word there is masked as a name.
NOT_NAMES = tuple(
    (
        "가족 감면 개인 거주 검토 결과 경우 경력 계획 고지 공고 공적 공개 관리 관련 교육 구매 구분 "
        "구제 국적 근무 기간 기록 기준 기타 기한 남녀 내용 내역 노령 답변 대리 대상 동의 등록 명단 "
        "명부 명의 모집 목록 문의 민원 반환 발생 방문 배정 변경 보고 보상 보충 보호 복지 본인 부과 "
        "부상 부담 사망 사실 사항 사유 상담 상황 서류 서면 선발 선정 선택 성별 성명 소득 소명 소재 "
        "송부 수당 수령 승인 시설 신고 신분 신상 신청 실무 심사 심의 안내 알림 여부 연락 연령 연장 "
        "예정 온라인 요청 우선 위치 유의 의견 이름 이의 인원 인적 일반 일부 임시 입금 입원 자격 자료 "
        "장소 재산 전원 전체 전달 접수 접대 접촉 정보 정산 정정 제외 제출 조사 조치 조회 주민 주소 "
        "주의 주택 증명 지급 지역 지원 지정 진료 진술 차량 처리 추가 추천 추진 출석 통보 통지 파악 "
        "편의 표창 피해 현황 현장 확인 회신 희망 전화 휴대 핸드 거소 기관 단체 법인 업체 대표 명칭 "
        "서명 작성 날인 직인 모두 비위 응대 보충 공무 시민 선임 불복 소송 행정 사건 의료 진단 가구 "
        "세대 수급 생계 주거 급여 변호 법률 본부 담당 관할 해당 다수 소속 미상 불명 없음 각각 공동"
    ).split()
)
_PARTICLES = "의은는이가을를에와과도께님"


def looks_like_name(word: str) -> bool:
    """Whether a word after a cue is a person's name: it starts with a surname and is not an
    everyday word ("대상자 제출" is not a name, "신청인 김철수" is)."""
    bare = word.replace(" ", "")
    if len(bare) < 2:
        return False
    if not (bare[0] in SURNAMES or bare.startswith(COMPOUND_SURNAMES)):
        return False
    if " " not in word and bare.startswith(NOT_NAMES):
        return False
    return True


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
LICENCE_REGION = rf"(?:{_REGIONS})\s?-?\s?\d{{2}}-\d{{6}}-\d{{2}}(?!\d)"
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
#: Families that start with a cue word, found together by one scan for their cue words
#: (``_CUE_ANCHOR``), each then matched at its own cues: one scan instead of four.
_CUE_LED = {
    "licence": re.compile(f"(?P<licence>{LICENCE_REGION})"),
    "acct": re.compile(f"(?P<acct>{ACCOUNT})"),
    "person": re.compile(f"(?P<person>{NAME})"),
    "cued": re.compile(f"(?P<cued>{PHONE_CUED})"),
}
#: One flat alternation of every cue word: sre then skips to the cues' first characters
#: (118 MB/s on Korean prose; grouped per family, 18 MB/s). Its family is looked up by word.
_CUE_ANCHOR = re.compile("|".join((_REGIONS, _ACCOUNT_CUES, _CUES, "故", _PHONE_CUES)))
_CUE_FAMILY = {
    word: family
    for family, words in (
        ("licence", _REGIONS),
        ("acct", _ACCOUNT_CUES),
        ("person", _CUES + "|故"),
        ("cued", _PHONE_CUES),
    )
    for word in words.replace("\\s?", "").split("|")
}
_PASSPORT = re.compile(f"(?P<passport>{PASSPORT})")
_INTL = re.compile(f"(?P<intl>{INTL_PHONE})")
#: A word-written address is found at its "(at)" and its local part read backwards (a scan
#: for the whole pattern tries every Latin letter and digit of the text: 7x slower).
_AT_WORD = re.compile(r"[(\[]\s?at\s?[)\]]", re.IGNORECASE)
_EMAIL_AT_WORD = re.compile(f"(?P<email>{EMAIL_AT_WORD})", re.IGNORECASE)
_ASCII_LOCAL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")
_AT = re.compile("@")
_EMAIL_AT = re.compile(EMAIL)
_EMAIL_LOCAL = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-") | {
    chr(c) for c in range(0xAC00, 0xD7A4)
}
#: Fast pre-check, one flat scan: text where no family can start needs no scan. Every family
#: needs one of these: a run of eight digits and number punctuation (every numeric identifier,
#: the numbers after account, licence and phone cues, +82 numbers), a passport's letter and
#: digit, an @ or a +, a written "(at)", or a name cue. Most titles have none of them.
_ANY = re.compile(rf"\d[\d\s.)~_-]{{7}}|[MSRGDmsrgd]\d|[@+]|[(\[]\s?(?i:at)|{_CUES}|故")
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
        if " " in value:  # spaced syllables (탁 윤 희): the same mask, spaces kept
            syllables = value.split(" ")
            inner = (
                ["*"] * (len(syllables) - 1)
                if len(syllables) <= 2
                else ["*"] * (len(syllables) - 2) + [syllables[-1]]
            )
            return " ".join([syllables[0], *inner])
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
                while len(value) > 2 and value[-1] in _PARTICLES and " " not in value:
                    value, end = value[:-1], end - 1  # a particle or 님, not part of the name
                if len(value.replace(" ", "")) > 4 or not looks_like_name(value):
                    continue
                confidence = 0.6
            elif kind == "cued":
                kind, value = "phone", m.group("bare")
                start, end = m.span("bare")
                if not self.office_phone and self._is_office_phone(value, extra):
                    continue
            findings.append(Finding(kind, start, end, confidence, value))
        return _without_overlaps(findings)

    @staticmethod
    def _matches(text: str):
        for run in _NUMERIC_RUN.finditer(text):
            yield from _DIGIT_LED.finditer(text, run.start(), run.end())
        yield from _PASSPORT.finditer(text)
        # Families led by a rare character are scanned only when it occurs: a title is a few
        # dozen characters, and each scan costs a call (the masker runs on every title).
        if "+" in text:
            yield from _INTL.finditer(text)
        ends = dict.fromkeys(_CUE_LED, 0)  # each family's matches do not overlap (as finditer)
        for cue in _CUE_ANCHOR.finditer(text):
            family, start = _CUE_FAMILY["".join(cue.group().split())], cue.start()
            if start >= ends[family]:
                m = _CUE_LED[family].match(text, start)
                if m:
                    ends[family] = m.end()
                    yield m
        for at in _AT_WORD.finditer(text) if ("(" in text or "[" in text) else ():
            start = at.start()
            if start > 0 and text[start - 1].isspace():
                start -= 1  # one space may stand before the bracket
            begin = start
            while begin > 0 and text[begin - 1] in _ASCII_LOCAL:
                begin -= 1
            if begin < start:
                m = _EMAIL_AT_WORD.match(text, begin)
                if m:
                    yield m
        for at in _AT.finditer(text) if "@" in text else ():
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
    from seoulrec.decide.policy import policy_from_config

    return Masker.from_policy(policy_from_config(config).masking)


LIMITS_NOTE = (
    "Structured identifiers and names after cue words only; free-text personal details (health, "
    "addresses, names without a cue) are not detected. Review partial (부분공개) documents by hand."
)


def scan_catalog(catalog, masker: Masker, record_id: int | None = None) -> dict:
    """Personal data by type in current records' titles, texts and attachment texts; examples
    are masked previews, never the identifier in full."""
    from seoulrec.store import records as store

    if record_id is not None:
        if not store.is_current(catalog, record_id):
            from seoulrec.errors import RecordNotFound

            raise RecordNotFound(
                f"no current record with id {record_id}; see `seoulrec records list`"
            )
    totals: dict[str, int] = {}
    records = []
    for rid, number, title, text, attachments in store.texts(catalog, record_id):
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
