"""Text as the catalog's full-text index holds it, and a query as it is looked up there.

Korean words hide inside compounds (제설 in 제설대책) and before particles (자전거를). Indexing
Kiwi's morphemes would find most of them, but not all: measured on Seoul's real week (17,078
titles), morphemes found 0.34 of the titles holding 초과근무, 0.04 of those holding 구급 and
0.79 of those holding 공사, because Kiwi reads the compound another way. So the index holds
every **pair of adjacent syllables** of each Hangul run (제설대책 → 제설 설대 대책), Latin words
and numbers lower-cased as they are, and each run's last syllable apart (for one-syllable
queries). A query word, with the particles and endings Kiwi finds at its end taken off
(자전거를 → 자전거), is the phrase of its own syllable pairs (자전 전거): a record is found
exactly when its text holds the word, wherever it stands. The same functions build the index
on both backends.
"""

from __future__ import annotations

import re

RUN = re.compile(r"[가-힣]+|[A-Za-z]+|[0-9]+|[^\W\d_가-힣A-Za-z]+")
#: Kiwi tags of what ends a word without being part of what is searched: particles (J…),
#: endings (E…), suffixes that make a verb or adjective of a noun (XSV, XSA), the copula (VCP).
_TRAILING = ("J", "E", "XSV", "XSA", "VCP")


def _runs(text: str) -> list[str]:
    return RUN.findall(text)


def index_terms(text: str) -> tuple[str, str]:
    """(pairs, finals) of ``text``: its syllable pairs and other words in order, space-separated
    (phrases match across them), and the last syllable of each Hangul run, each once."""
    runs = RUN.findall(text or "")
    return " ".join(map(_TERMS.__getitem__, runs)), " ".join(
        dict.fromkeys(filter(None, map(_FINALS.__getitem__, runs)))
    )


#: Words recur: each run's terms are worked out once and then looked up, by ``map`` over the
#: dictionaries' own lookup (no Python code per word once known: 2.2x faster on real titles,
#: and this was the readers' largest cost after parsing, issue 24). Bounded per process.
_MEMO_LIMIT = 50_000


class _Terms(dict):
    def __missing__(self, run: str) -> str:
        if "가" <= run[0] <= "힣":
            term = run if len(run) == 1 else " ".join(map(str.__add__, run, run[1:]))
        else:
            term = run.lower()
        if len(self) < _MEMO_LIMIT:
            self[run] = term
        return term


class _Finals(dict):
    def __missing__(self, run: str) -> str:
        final = run[-1] if len(run) > 1 and "가" <= run[0] <= "힣" else ""
        if len(self) < _MEMO_LIMIT:
            self[run] = final
        return final


_TERMS, _FINALS = _Terms(), _Finals()


_KIWI = None


def stem_of(word: str) -> str:
    """``word`` without the particles and endings Kiwi finds at its end (자전거를 → 자전거,
    점검하였다 → 점검); the word itself when nothing is left or Kiwi is not installed."""
    global _KIWI
    if not re.search(r"[가-힣]", word):
        return word
    if _KIWI is None:
        try:
            from kiwipiepy import Kiwi
        except ImportError:  # pragma: no cover - kiwipiepy is a dependency
            return word
        _KIWI = Kiwi()
    tokens = _KIWI.tokenize(word)
    end = len(word)
    for token in reversed(tokens):
        if token.start == 0 or not token.tag.startswith(_TRAILING):
            break
        # A particle always goes; an ending only when two syllables stay (보고 is a report
        # far more often than 보 + 고).
        if not token.tag.startswith("J") and token.start < 2:
            break
        end = token.start
    return word[:end] or word


def query_words(query: str) -> list[str]:
    """The words a query asks for, each stemmed (``stem_of``), in order, each once."""
    return list(dict.fromkeys(stem_of(w) for w in query.split() if _runs(w)))


def word_grams(word: str) -> tuple[list[str], bool]:
    """(tokens of the phrase that finds ``word``, whether the last token is a prefix): a Hangul
    run of two syllables or more gives its pairs; a one-syllable run the syllable, as a prefix
    when it ends the word (년 finds 년도 too)."""
    tokens: list[str] = []
    runs = _runs(word)
    prefix = False
    for i, run in enumerate(runs):
        if "가" <= run[0] <= "힣":
            if len(run) == 1:
                tokens.append(run)
                prefix = i == len(runs) - 1
            else:
                tokens.extend(run[j : j + 2] for j in range(len(run) - 1))
        else:
            tokens.append(run.lower())
    return tokens, prefix


def single_syllable(word: str) -> bool:
    runs = _runs(word)
    return len(runs) == 1 and len(runs[0]) == 1 and "가" <= runs[0] <= "힣"


def snippet(
    text: str, words: list[str], width: int = 60, mark: tuple[str, str] = ("[", "]")
) -> str:
    """A window of ``text`` around the first word found, every found word marked."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    found = [(text.find(w), w) for w in words if w and text.find(w) >= 0]
    if not found:
        return text[:width] + ("…" if len(text) > width else "")
    first = min(found)[0]
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    window = text[start:end]
    pattern = re.compile("|".join(re.escape(w) for _, w in sorted(found, key=lambda f: -len(f[1]))))
    window = pattern.sub(lambda m: f"{mark[0]}{m.group(0)}{mark[1]}", window)
    return ("…" if start else "") + window + ("…" if end < len(text) else "")
