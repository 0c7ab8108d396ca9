"""Choosing a document's title from its structure, not its first line.

In order: the field labelled 제목 (an approval body's ``제목`` line, a ruling's ``[ 제 목 ]``
block); the document's own title property when it is plausible (not a placeholder such as
``1``, ``Title``, ``문 내용`` or ``공고 제0000``); the largest text on a PDF's first page; the first
line that is a heading rather than furniture (page numbers, running headers and footers, form
labels such as ``[ 문서번호 ]`` or ``1. 질의내용``, document numbers, slogans) and not a body
sentence; else the file name. ``tests/formats/test_titles.py`` measures it on the real corpus.
"""

from __future__ import annotations

import re

#: ``제목`` / ``[ 제    목 ]`` / ``제 목 :`` and what follows on the line, if anything.
_TITLE_FIELD = re.compile(r"^\s*[\[【<(]?\s*제\s*목\s*[\]】>)]?\s*[:：]?\s*(?P<rest>.*)$")
#: Lines that are labels, numbers or furniture, never titles.
_FURNITURE = [
    re.compile(r"^[\W\d_]*$"),  # page numbers ("- 1 -", "1", "1 2"), rules, bullets
    re.compile(r"^\s*[\[【<(]\s*[^\]】>)]{1,12}\s*[\]】>)]\s*$"),  # "[ 문서번호 ]", "< 모집 개요 >"
    re.compile(
        r"^\s*(\d+|[가-하]|[ivxIVX]+|[①-⑳])\s*[.)]\s*\S{1,10}\s*$"
    ),  # "1. 질의내용", "가. 개요"
    re.compile(r"(공고|고시|훈령|예규|지침)\s*제\s*\d"),  # "인사혁신처 공고 제2023 - 311호"
    re.compile(
        r"^\s*(수신|경유|\(경유\)|발신|참조|붙임|시행|접수|문서번호|세목|요지|담당|전화|팩스)\b"
    ),
    re.compile(r"^\s*제\s*\d+\s*(회|차)?\s*(국회|회의)"),  # "제414 국회(임시회)"
]
#: Placeholder titles that document templates leave behind.
_PLACEHOLDER = re.compile(
    r"^(title|untitled|제목\s*없음|문\s*내용|제목|문서\d*|noname\d*)$|0000", re.IGNORECASE
)
_LETTER = re.compile(r"[A-Za-z가-힣]")
_HANGUL_SPACED = re.compile(r"(?<![가-힣])((?:[가-힣] ){2,}[가-힣])(?![가-힣])")


def _clean(line: str) -> str:
    line = " ".join(line.replace("\t", " ").split())
    # Letter-spaced headings ("검 토 보 고", "서 울 특 별 시") are one word each.
    return _HANGUL_SPACED.sub(lambda m: m.group(1).replace(" ", ""), line)[:200]


def is_furniture(line: str) -> bool:
    return any(p.search(line) for p in _FURNITURE) or len(_LETTER.findall(line)) < 2


def is_sentence(line: str) -> bool:
    """A body sentence, not a heading: long, or ending as prose does."""
    return (
        len(line) > 80
        or bool(re.search(r"[.!?。]\s*$|(니다|습니다|이다|한다|함)\.?\s*$", line))
        or line.count(",") >= 2
    )


def plausible(title: str) -> bool:
    title = _clean(title or "")
    return bool(title) and not _PLACEHOLDER.search(title) and not is_furniture(title)


def field_title(lines: list[str]) -> str | None:
    """The value of a field labelled 제목, on its line or the next non-empty one."""
    for index, line in enumerate(lines[:80]):
        m = _TITLE_FIELD.match(line)
        if not m:
            continue
        rest = _clean(m.group("rest"))
        if rest:
            return rest if plausible(rest) else None
        for following in lines[index + 1 : index + 4]:
            following = _clean(following)
            if following:
                return following if plausible(following) else None
    return None


def choose_title(
    text: str,
    metadata_title: str = "",
    largest_text: str = "",
    file_stem: str = "",
    running: frozenset[str] | set[str] = frozenset(),
) -> tuple[str, str]:
    """(title, where it came from): ``field``, ``metadata``, ``largest_text``, ``heading`` or
    ``file_name``. ``running``: running header/footer lines the reader recognised."""
    lines = text.splitlines()
    found = field_title(lines)
    if found:
        return found, "field"
    if plausible(metadata_title):
        return _clean(metadata_title), "metadata"
    if largest_text and plausible(largest_text) and not is_sentence(_clean(largest_text)):
        return _clean(largest_text), "largest_text"
    skip = {_clean(r) for r in running}
    for line in lines[:60]:
        line = _clean(line)
        if not line or line in skip or is_furniture(line):
            continue
        if is_sentence(line):
            break  # the body has begun: no heading before it
        return line, "heading"
    return file_stem, "file_name"
