"""Fuzzing the readers: real documents (../shared/corpus) and generated pubdoc, pack, manifest
and HWPX files, mutated by hypothesis (bit flips, truncation, duplicated and zeroed chunks,
mutated members inside ZIP containers, XML text edits, huge numbers in attributes, odd bytes in
file names). Every item must end as ``ok`` or one of the documented outcomes, never an
unforeseen reader exception (the reader's ``unexpected`` flag), within a time limit. Hypothesis
runs derandomised: the same examples every run, so a failure is a finding, not luck.

A short run is in the default suite; ``-m slow`` runs at least 2,000 mutated files. An input
that ever fails is written to ``test-artifacts/fuzz/`` (with the seed and mutation); copy it
to ``tests/fuzz/regressions/`` with the fix, where every file is checked on every run.
"""

from __future__ import annotations

import io
import os
import signal
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seoulrec.run.demo import DemoDoc, hwpx_bytes, pack_xml, pubdoc_xml
from seoulrec.inputs.discovery import Item
from seoulrec.inputs.reading import process_item
from seoulrec.model import Outcome

from ..conftest import CORPUS

OPTIONS = {"flag_base": 1, "ranks": {}, "kinds": {}, "max_file_mb": 64}
OUTCOMES = {o.value for o in Outcome}
LIMIT_SECONDS = 30
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "fuzz"
REGRESSIONS = Path(__file__).parent / "regressions"


def generated_seeds() -> dict[str, bytes]:
    doc = DemoDoc(number=1, attachments=["붙임.txt"], body="본문 1. 가나다 &nbsp; 끝")
    manifest = (
        "package_id,doc_prdctn_dt,tkcrd_nm,title,src_dept_doc_no,writer,othbc_pd,rspnber_dept_nm,othbc_se,cpyrht,url\n"
        '203654498126000,20251024,일반행정,"제목 &lt;1&gt;",과-1,김담당,5년,과,공개,"CC BY",https://opengov.seoul.go.kr/sanction/1\n'
    )
    return {
        "pubdoc.xml": pubdoc_xml(doc),
        "pubdoc-utf8.xml": pubdoc_xml(doc, encoding="utf-8"),
        "pack.xml": pack_xml(doc, {"붙임.txt": "붙임 본문".encode()}),
        "approval_list.csv": manifest.encode("utf-8"),
        "body.hwpx": hwpx_bytes(
            ["첫 문단", "둘째 문단 " * 20], title="제목", foot_rows=[["기안자", "김담당"]]
        ),
        "memo.txt": "회의 결과\n참석자 명단\n".encode("cp949"),
    }


def corpus_seeds() -> dict[str, bytes]:
    if not CORPUS.exists():
        return {}
    seeds = {}
    for folder in ("docx", "hwp", "hwpx", "pdf"):
        for path in sorted((CORPUS / folder).glob("*")):
            if path.is_file() and path.stat().st_size <= 400_000:
                seeds[f"{folder}-{path.name}"] = path.read_bytes()
    return seeds


SEEDS = generated_seeds() | corpus_seeds()
NAMES = sorted(SEEDS)


def mutate(data: bytes, plan: list[tuple], name: str) -> bytes:
    buf = bytearray(data)
    for kind, a, b, payload in plan:
        if not buf:
            break
        i = a % len(buf)
        j = min(len(buf), i + 1 + b % 4096)
        if kind == "flip":
            buf[i] ^= 1 << (b % 8)
        elif kind == "truncate":
            del buf[i:]
        elif kind == "duplicate":
            buf[j:j] = buf[i:j]
        elif kind == "zero":
            buf[i:j] = bytes(j - i)
        elif kind == "insert":
            buf[i:i] = payload
        elif kind == "member" and buf[:2] == b"PK":
            buf = bytearray(mutate_member(bytes(buf), a, b, payload))
    return bytes(buf)


def mutate_member(data: bytes, a: int, b: int, payload: bytes) -> bytes:
    """Rewrite a ZIP (DOCX, HWPX) with one member's bytes mutated: the container stays valid,
    the content inside is damaged."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        members = [(info, source.read(info)) for info in source.infolist()]
    except Exception:
        return data
    if not members:
        return data
    k = a % len(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for index, (info, content) in enumerate(members):
            if index == k and content:
                cut = b % len(content)
                content = content[:cut] + payload + content[cut + len(payload) :]
            target.writestr(info.filename, content)
    return out.getvalue()


PAYLOADS = st.sampled_from(
    [
        b"\x00",
        b"\xff\xfe",
        b"<!ENTITY x SYSTEM 'file:///etc/passwd'>",
        b"<!-- <!DOCTYPE x> -->",
        b"&x;",
        b"&nbsp;",
        b'"99999999999999999999999999999999"',
        b"-1",
        b"]]>",
        b"<![CDATA[",
        "\ud55c\uae00".encode(),
        b"\xed\xa0\x80",
        b"%PDF-1.7",
        b"PK\x03\x04",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    ]
)
STEP = st.tuples(
    st.sampled_from(["flip", "truncate", "duplicate", "zero", "insert", "member"]),
    st.integers(0, 2**31),
    st.integers(0, 2**31),
    PAYLOADS,
)
ODD_NAMES = st.sampled_from(["", "한글 이름", "name\udcff", " spaced ", "a" * 120, "semi;colon"])


class Slow(Exception):
    pass


def read(path: Path) -> dict:
    def alarm(signum, frame):
        raise Slow(f"{path.name} took over {LIMIT_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(LIMIT_SECONDS)
    try:
        return process_item(Item(str(path), "file"), OPTIONS, None)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_documented(path: Path, data: bytes, note: str) -> None:
    try:
        result = read(path)
        # Judged by the outcome's kind and the reader's own flag for an unforeseen exception,
        # never by words in a message (a codec's "unexpected end of data" is a documented
        # ``corrupt``; found by a full CI run on a clean clone).
        ok = result["outcome"] in OUTCOMES and not result.get("unexpected")
    except Slow as exc:
        ok, result = False, {"outcome": "slow", "message": str(exc)}
    if not ok:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        kept = (
            ARTIFACTS
            / f"{abs(hash(data)) % 10**10}-{path.name.encode('utf-8', 'replace')[:60].decode('utf-8', 'ignore')}"
        )
        kept.write_bytes(data)
        (kept.parent / (kept.name + ".txt")).write_text(f"{note}\n{result}\n", "utf-8")
        raise AssertionError(
            f"{path.name}: {result['outcome']}: {result['message']} (kept as {kept})"
        )


def fuzz_once(tmp_path, name, plan, odd):
    data = mutate(SEEDS[name], plan, name)
    stem, _, ext = name.rpartition(".")
    filename = (odd or stem.rsplit("-", 1)[-1] or "x") + "." + ext
    path = tmp_path / os.fsencode(filename).decode("utf-8", "surrogateescape")
    try:
        path.write_bytes(data)
    except (OSError, UnicodeEncodeError):
        path = tmp_path / ("fallback." + ext)
        path.write_bytes(data)
    try:
        assert_documented(path, data, f"seed {name}, plan {plan!r}, name {odd!r}")
    finally:
        path.unlink(missing_ok=True)


COMMON = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@settings(max_examples=120, **COMMON)
@given(name=st.sampled_from(NAMES), plan=st.lists(STEP, min_size=1, max_size=4), odd=ODD_NAMES)
def test_mutated_inputs_end_in_a_documented_outcome(tmp_path, name, plan, odd):
    fuzz_once(tmp_path, name, plan, odd)


@pytest.mark.slow
@settings(max_examples=2000, **COMMON)
@given(name=st.sampled_from(NAMES), plan=st.lists(STEP, min_size=1, max_size=6), odd=ODD_NAMES)
def test_many_mutated_inputs_end_in_a_documented_outcome(tmp_path, name, plan, odd):
    fuzz_once(tmp_path, name, plan, odd)


@pytest.mark.parametrize(
    "path",
    sorted(p for p in REGRESSIONS.glob("*") if not p.name.endswith(".txt") and p.name != ".gitkeep")
    or [None],
)
def test_kept_regressions_end_in_a_documented_outcome(path):
    if path is None:
        pytest.skip("no kept fuzz regressions yet (tests/fuzz/regressions/ is empty)")
    assert_documented(path, path.read_bytes(), "kept regression")


def test_the_seeds_cover_generated_and_real_documents():
    assert {"pubdoc.xml", "pack.xml", "approval_list.csv", "body.hwpx"} <= set(SEEDS)
    if CORPUS.exists():
        assert any(n.startswith("pdf-") for n in SEEDS) and any(n.startswith("hwp-") for n in SEEDS)
