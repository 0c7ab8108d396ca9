"""The leak scan over everything a night publishes: a generated catalog with random classes,
ranks (unknown ones included), dates inside and outside hold periods, withdrawals, materials
without a class, and personal identifiers planted in every variant the masker must handle, in
titles, texts, attachments, archivists' reasons and the review board's notes. After two nights
(the second publishes change sets), every byte of the index, the change sets, the feed, the
sitemap, the site and its search index is scanned."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from seoulrec.run.demo import DemoDoc, write_package

TODAY = date(2026, 11, 27)
#: Planted as written; what must never be published is each one and its bare digits.
PLANTED = [
    "920404-1567890",
    "920404–1567890",  # en dash
    "920404－1567890",  # full-width hyphen
    "９２０４０４-１５６７８９０",  # full-width digits
    "9204041567890",
    "010-8901-2345",
    "010–8901–2345",
    "０１０-８９０１-２３４５",
    "+82-10-8901-2345",
    "+82 10 8901 2345",
    "010.8901.2345",
    "hong.gildong@example.com",
    "gildong@서울시.kr",
    "홍길동@한국.kr",
    "계좌 110-234-567890",
    "계좌 110–234–567890",
    "성명: 홍길동",
    "신청인 김철수",
    # Found by the outside attack of issue 19.
    "성 명: 국지안",
    "신청인(편해준)",
    "신청인 탁 윤 희",
    "이름: 오민준",
    "성함: 남궁민",
    "010 - 5823 - 9164",
    "010-3579-\n2460",
]
#: Identifiers in attachment names (published as link text and in the search index).
IN_NAMES = ["880808-1122334", "신청인 민하율_850505-2233445", "성명 국지안", "010-8901-2345"]
NEVER = [
    "1567890",
    "8901-2345",
    "89012345",
    "8901.2345",
    "hong.gildong",
    "gildong@",
    "홍길동@",
    "234-567890",
    "234567890",
    "홍길동",
    "김철수",
    "국지안",
    "편해준",
    "탁 윤 희",
    "오민준",
    "남궁민",
    "5823 - 9164",
    "3579-",
    "1122334",
    "2233445",
    "민하율",
    "2345-6789",
]
POSITIONS = ["자전거정책과장", "공공자전거팀장", "특별보좌역", "도시계획국장", "시장", "주무관"]


def secret(n: int) -> str:
    return f"비밀본문{n:03d}입니다"


def run(project: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "seoulrec", *map(str, args)],
        cwd=project,
        capture_output=True,
        text=True,
    )


def every_byte(folder: Path) -> tuple[str, int]:
    texts, total = [], 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        total += len(data)
        if path.suffix in (".pdf", ".docx", ".hwpx"):  # an original: its text, extracted again
            from seoulrec.inputs.formats.registry import extract

            texts.append(extract(data, path.name, path.suffix[1:]).text)
        texts.append(data.decode("utf-8", "replace"))
    return "\n".join(texts), total


@pytest.mark.slow
def test_nothing_that_is_not_public_leaves_in_any_output(tmp_path, capsys):
    rng = random.Random(23)
    project, inbox = tmp_path / "project", tmp_path / "inbox"
    project.mkdir()
    planted = 0
    for n in range(1, 61):
        ident = PLANTED[n % len(PLANTED)]
        other = PLANTED[(n * 7) % len(PLANTED)]
        recent = rng.random() < 0.2
        day = (
            TODAY - timedelta(days=rng.randint(0, 6))
            if recent
            else date(rng.randint(2012, 2026), rng.randint(1, 10), rng.randint(1, 28))
        )
        doc = DemoDoc(
            number=n,
            code=rng.choice(["1NNNNNNNN", "1NNNNNNNN", "2NNNNNYNN", "3NNNNYNNN"]),
            final_position=rng.choice(POSITIONS),
            date=day.isoformat(),
            title=f"민원 회신 {n} {ident}",
            body=f"{secret(n)} 연락처 {other} 끝",
            attachments=["붙임.txt", f"신청서_{IN_NAMES[n % len(IN_NAMES)]}.txt"],
        )
        write_package(  # UTF-8: en dashes and full-width digits are not in EUC-KR
            inbox / f"p{n:03d}",
            doc,
            {
                "붙임.txt": f"붙임 {secret(n)} {ident}".encode(),
                f"신청서_{IN_NAMES[n % len(IN_NAMES)]}.txt": "신청서".encode(),
            },
            "utf-8",
        )
        planted += 4
    materials = inbox / "materials"
    materials.mkdir()
    for k in range(5):  # no class from any source: listed, never published
        (materials / f"자료{k}.txt").write_text(
            f"조사 자료 {secret(100 + k)} {PLANTED[k]}", "utf-8"
        )
        planted += 1
    assert run(project, "init").returncode == 0
    # Meetings whose fields hold identifiers (title, committee, place, department).
    held = (TODAY - timedelta(days=10)).isoformat()
    (project / "meetings.csv").write_text(
        "id,title,committee,scheduled,place,status,department\n"
        f"M1,민원인 홍길동 면담,신청인 김철수 위원회,{held} 10:00,연락 010-2345-6789 사무실,완료,담당 hong.gildong@example.com\n"
        f"M2,성 명: 국지안 간담회,청구인 남궁민,{held} 15:00,+82-10-8901-2345,완료,계좌 110-234-567890\n",
        "utf-8",
    )
    with open(project / "seoulrec.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[nightly]\nmeetings = "meetings.csv"\n')
    planted += 8
    night = run(
        project, "nightly", "--inbox", inbox, "--out", "public", "--today", TODAY.isoformat()
    )
    assert night.returncode == 0, night.stderr

    # Archivists withhold some with identifiers in their reasons, the board notes identifiers,
    # some records are withdrawn; the second night publishes change sets.
    listed = json.loads(run(project, "records", "list", "--json").stdout)
    ids = [r["id"] for r in listed]
    for record_id in rng.sample(ids, 6):
        done = run(
            project,
            "disclose",
            "set",
            record_id,
            "--class",
            "non_public",
            "--grounds",
            6,
            "--reason",
            f"민원인 {rng.choice(PLANTED)} 요청으로 비공개",
            "--today",
            TODAY.isoformat(),
        )
        assert done.returncode == 0, done.stderr
        planted += 1
    for record_id in rng.sample(ids, 4):
        run(
            project,
            "review",
            "decide",
            record_id,
            "uphold",
            "--note",
            f"청구인 {rng.choice(PLANTED)}",
            "--today",
            TODAY.isoformat(),
        )
        planted += 1
    for record_id in rng.sample(ids, 5):
        assert run(project, "records", "withdraw", record_id, "--reason", "중복").returncode == 0
    night = run(
        project,
        "nightly",
        "--inbox",
        inbox,
        "--out",
        "public",
        "--today",
        (TODAY + timedelta(days=1)).isoformat(),
    )
    assert night.returncode == 0, night.stderr
    assert list((project / "public" / "index" / "changes").iterdir())  # change sets published

    everything, scanned = every_byte(project / "public")
    for needle in PLANTED + NEVER:
        assert needle not in everything, needle  # the search index is plain JSON: read too
    # The meetings and the attachment names were published, masked (so the scan saw them).
    assert "민원인 홍*동 면담" in everything and "신청인 김*수 위원회" in everything
    assert "신청서_******-*******.txt" in everything
    rows = json.loads(run(project, "records", "list", "--json", "--status", "current").stdout)
    withheld = [r for r in rows if not r["decision"]["original_public"]]
    published = [r for r in rows if r["decision"]["original_public"]]
    assert len(withheld) >= 10 and len(published) >= 10
    texts = {r["id"]: run(project, "records", "show", r["id"], "--json").stdout for r in withheld}
    leaked = [
        n
        for n in range(1, 105)
        if secret(n) in everything and any(secret(n) in t for t in texts.values())
    ]
    assert leaked == []
    assert any(secret(n) in everything for n in range(1, 61))  # published originals are there
    with capsys.disabled():
        print(
            f"\nleak scan: {planted} planted identifiers in {len(PLANTED)} variants, "
            f"{scanned:,} bytes scanned in {sum(1 for p in (project / 'public').rglob('*') if p.is_file())} files: nothing leaked"
        )
