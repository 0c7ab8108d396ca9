"""The portal's search index: what each page is found by (its words and the Kiwi morphemes
inside them, Hangul syllables keyed as ASCII so Pagefind spreads them over small chunks), and
the Pagefind run over the built pages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from seoulrec.errors import SeoulrecError

#: Kiwi tags whose forms go into the search terms: nouns, verb and adjective stems, roots,
#: foreign words and numbers.
MORPHEME_TAGS = ("NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SH")
MORPHEME_TEXT_LIMIT = 4000


_KIWI = None


def morphemes(text: str) -> str:
    """The Kiwi morphemes of ``text`` that a citizen might search for, space-separated, each once."""
    global _KIWI
    if not text.strip():
        return ""
    if _KIWI is None:
        from kiwipiepy import Kiwi

        _KIWI = Kiwi()
    seen: dict[str, None] = {}
    for token in _KIWI.tokenize(text[:MORPHEME_TEXT_LIMIT]):
        if token.tag in MORPHEME_TAGS and len(token.form) > 1:
            seen.setdefault(token.form, None)
            if token.tag in ("VV", "VA"):
                seen.setdefault(token.form + "다", None)
    return " ".join(seen)


_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def hangul_key(text: str) -> str:
    """Hangul syllables as ASCII (``k`` + three base-36 digits of the syllable's offset), the
    same mapping as ``search-terms.js`` applies to a query. Pagefind keeps every Hangul word in
    one index chunk (measured: 8.3 MB of 8.9 at 100,000 pages, the whole chunk downloaded by the
    first Korean query); ASCII words are spread over many small chunks."""

    def key(char: str) -> str:
        n = ord(char) - 0xAC00
        return "k" + _BASE36[n // 1296] + _BASE36[(n // 36) % 36] + _BASE36[n % 36]

    return "".join(key(c) if "\uac00" <= c <= "\ud7a3" else c for c in text)


def search_terms(text: str) -> str:
    """What a page is found by: its words and the Kiwi morphemes inside them, Hangul keyed."""
    import re

    words = dict.fromkeys(
        w for w in re.findall(r"\w+", text) if len(w) > 1 or "\uac00" <= w <= "\ud7a3"
    )
    words.update(dict.fromkeys(morphemes(text).split()))
    return " ".join(hangul_key(w) for w in words)


def pagefind_index(site: Path) -> dict:
    """Run Pagefind (its binary ships in the `pagefind-bin` package) over the built pages."""
    import time

    started = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site),
        "--force-language",
        "ko",
        "--silent",
    ]
    proc = subprocess.run(
        command, capture_output=True, text=True, env=dict(os.environ, PAGEFIND_SITE=str(site))
    )
    if proc.returncode != 0:
        raise SeoulrecError(f"pagefind failed to index the site: {proc.stderr.strip()[:500]}")
    bundle = site / "pagefind"
    return {
        "engine": "pagefind",
        "seconds": round(time.perf_counter() - started, 3),
        "files": sum(1 for p in bundle.rglob("*") if p.is_file()),
        "bytes": sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()),
    }
