"""The disclosure class code (공개구분, ``publication@code``; DOMAIN 3.4)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from seoulrec.errors import CorruptDocument
from seoulrec.model import CLASS_LABELS, LABEL_CLASSES

CLASS_DIGITS = {"1": "public", "2": "partial", "3": "non_public"}
DIGIT_OF_CLASS = {v: k for k, v in CLASS_DIGITS.items()}

#: "부분공개(5)", "비공개(5,6)", "공개" as printed on documents.
PRINTED = re.compile(r"(부분공개|비공개|공개)\s*(?:\(\s*([1-8](?:\s*[,·ㆍ]\s*[1-8])*)\s*\))?")


@dataclass(frozen=True)
class PublicationCode:
    disclosure_class: str
    grounds: tuple[int, ...]

    @property
    def code(self) -> str:
        """The canonical 1-based 9-character form, e.g. ``2NNNNYNNN``."""
        flags = "".join("Y" if k in self.grounds else "N" for k in range(1, 9))
        return DIGIT_OF_CLASS[self.disclosure_class] + flags

    @property
    def label(self) -> str:
        base = CLASS_LABELS[self.disclosure_class]
        if self.grounds:
            return f"{base}({','.join(map(str, self.grounds))})"
        return base


def parse_code(code: str, flag_base: int = 1) -> PublicationCode:
    """Parse ``publication@code``.

    The canonical form is one class digit (1 공개, 2 부분공개, 3 비공개) and 8 Y/N flags where
    flag k (string position k) means Article 9(1) ground k. Writers that number flags from 0
    are accepted two ways: a 10-character code whose flag 0 is an unused placeholder, or a
    9-character code read with ``flag_base=0`` (flag at position k means ground k+1... shifted).
    Raises ``CorruptDocument`` on anything else.
    """
    raw = (code or "").strip().upper()
    if len(raw) == 10 and raw[0] in CLASS_DIGITS and raw[1] in "YN":
        if raw[1] == "Y":
            raise CorruptDocument(
                f"publication code {code!r}: flag 0 is set but there is no ground 0"
            )
        flags = raw[2:]
    elif len(raw) == 9 and raw[0] in CLASS_DIGITS:
        flags = raw[1:]
        if flag_base == 0:
            # 0-based writers put ground k at position k (after the digit) counting from 0,
            # i.e. the flag string reads ground 0..7; ground 0 does not exist.
            if flags[0] == "Y":
                raise CorruptDocument(
                    f"publication code {code!r}: with 0-based flags the first flag is ground 0, "
                    "which does not exist"
                )
            flags = flags[1:] + "N"
    else:
        raise CorruptDocument(
            f"publication code {code!r} is malformed: expected a class digit 1-3 and 8 Y/N flags "
            "such as 2NNNNYNNN"
        )
    if any(c not in "YN" for c in flags):
        raise CorruptDocument(f"publication code {code!r}: flags must be Y or N")
    grounds = tuple(i + 1 for i, c in enumerate(flags) if c == "Y")
    return PublicationCode(CLASS_DIGITS[raw[0]], grounds)


def parse_printed(text: str) -> PublicationCode | None:
    """Find a printed class such as ``부분공개(5)`` in text (the last one wins)."""
    matches = list(PRINTED.finditer(text or ""))
    if not matches:
        return None
    m = matches[-1]
    grounds = tuple(sorted({int(g) for g in re.findall(r"[1-8]", m.group(2) or "")}))
    return PublicationCode(LABEL_CLASSES[m.group(1)], grounds)
