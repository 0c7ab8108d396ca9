"""The foot (결문) printed at the end of an approval body (DOMAIN 3.1, 3.5).

When no exchange XML exists, the body's last lines carry the metadata::

    서 울 특 별 시 장
    주무관 이현수  모아주택정책팀장 이재훈  전략주택공급과장 10/24 代이재훈  협조자
    시행 전략주택공급과-13666 (2025. 10. 24.)  접수 ( )
    ... / 부분공개(5)
"""

from __future__ import annotations

import re

from seoulrec.model import Approval, Extracted
from seoulrec.decide.publication import parse_printed
from seoulrec.decide.ranks import Ladder
from seoulrec.inputs.formats.pubdoc import department_of_number, normalize_date

ENFORCE = re.compile(
    r"시\s*행\s+([^\s()]+?[-:][\d-]+)\s*\(?\s*(\d{4}\s*[.-]\s*\d{1,2}\s*[.-]\s*\d{1,2})\.?\s*\)?"
)
TITLE = re.compile(r"^\s*제\s*목\s+(.+)$", re.M)
RECIPIENT = re.compile(r"^\s*수\s*신(?:자)?\s+(.+)$", re.M)
SHORT_DATE = re.compile(r"^(\d{1,2})\s*[/.]\s*(\d{1,2})\.?$")
DEPUTY = re.compile(r"^(?:代|대\))\s*(.+)$")
ASSIST_MARK = re.compile(r"^협\s*조\s*자?$")

_LADDER: Ladder | None = None


def _ladder() -> Ladder:
    global _LADDER
    if _LADDER is None:
        _LADDER = Ladder.default()
    return _LADDER


def _tokens(line: str) -> list[str]:
    cells = [c.strip() for c in re.split(r"\t|\s{2,}", line)]
    return [c for c in cells if c]


def _is_position(token: str) -> bool:
    if len(token) > 30 or " " in token.strip():
        return False
    return _ladder().level_of(token) != "unresolved"


def parse_chain(line: str, year: int | None) -> list[Approval]:
    """Approval boxes from one printed chain line; boxes after ``협조자`` are assists."""
    boxes: list[Approval] = []
    kind = "approval"
    for token in _tokens(line):
        if ASSIST_MARK.match(token):
            kind = "assist"
            continue
        if token in ("전결", "대결", "후열"):
            if boxes:
                boxes[-1].type = token
            continue
        if _is_position(token) and not SHORT_DATE.match(token):
            order = sum(1 for b in boxes if b.kind == kind) + 1
            boxes.append(Approval(order=order, position=token, type="", kind=kind))
            continue
        if not boxes:
            continue
        box = boxes[-1]
        date = SHORT_DATE.match(token)
        if date and year:
            box.date = normalize_date(f"{year}-{date.group(1)}-{date.group(2)}")
            continue
        deputy = DEPUTY.match(token)
        if deputy:
            box.type = "대결"
            box.name = deputy.group(1).strip()
            continue
        if not box.name:
            box.name = token
    approvals = [b for b in boxes if b.kind == "approval"]
    for i, box in enumerate(approvals):
        if not box.type:
            box.type = "기안" if i == 0 else ("결재" if i == len(approvals) - 1 else "검토")
    if approvals:
        approvals[-1].is_final = True
    for box in boxes:
        if box.kind == "assist" and not box.type:
            box.type = "협조"
    return boxes


def apply_foot(result: Extracted) -> bool:
    """Fill document number, date, chain, sender, class and title from a printed foot."""
    text = result.text
    matches = list(ENFORCE.finditer(text))
    enforce = matches[-1] if matches else None
    if enforce is None:
        return False
    result.document_number = enforce.group(1)
    result.department = department_of_number(result.document_number)
    result.enforcement_date = normalize_date(enforce.group(2))
    year = int(result.enforcement_date[:4]) if result.enforcement_date else None
    before = text[: enforce.start()].splitlines()
    # The chain is the last line before 시행 with at least one position and a name.
    chain_index = None
    # The chain starts at the first line (of the last dozen before 시행) that holds a position,
    # and runs to 시행: deputies' names (代이재훈) and 협조자 rows often sit on lines of their own.
    window = range(max(0, len(before) - 12), len(before))
    for i in window:
        if any(b.kind == "approval" for b in parse_chain(before[i], year)):
            chain_index = i
            result.approvals = parse_chain("\t".join(before[i:]), year)
            break
    if chain_index is not None:
        for line in reversed(before[:chain_index]):
            compact = "".join(line.split())
            if compact:
                if compact.endswith("장") and len(compact) <= 30:
                    result.sender_name = compact
                    if not result.organ and compact.endswith(("시장", "구청장", "군수", "도지사")):
                        result.organ = (
                            compact.removesuffix("청장").removesuffix("장").removesuffix("군수")
                            or compact
                        )
                break
    printed = parse_printed(text[enforce.end() :])
    if printed:
        result.disclosure_class = printed.disclosure_class
        result.grounds = list(printed.grounds)
        result.publication_code = printed.code
    title = TITLE.search(text)
    if title:
        result.title = " ".join(title.group(1).split())
    recipient = RECIPIENT.search(text)
    if recipient:
        result.recipients = [" ".join(recipient.group(1).split())]
    return True
