"""The static portal: never publishes what is not public (every byte scanned, the search index
decoded), escapes what documents say, keeps placeholders for missing facts, finds Korean words
inside compounds in its search terms."""

import json
import random

import pytest

from seoulrec.run.demo import DemoDoc, pubdoc_xml, write_package

from ..conftest import cli_json as j
from ..conftest import BACKENDS, init_catalog


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


TODAY = "2026-11-26"
PLANTED = [
    "920404-1567890",
    "010-8901-2345",
    "hong.gildong@example.com",
    "입금 계좌 110-234-567890",
    "성명: 홍길동",
]
#: What must never appear: the identifiers themselves (an account is found only near a cue word).
IDENTIFIERS = [
    "920404-1567890",
    "010-8901-2345",
    "hong.gildong@example.com",
    "110-234-567890",
    "홍길동",
]
SECRET_BODY = "비밀 본문 문장입니다"


def bundle_text(folder):
    """Every byte of the bundle as text (the search index is plain JSON)."""
    texts = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix in (".pdf", ".docx", ".hwpx"):  # an original: its text, extracted again
            from seoulrec.inputs.formats.registry import extract

            texts.append(extract(path.read_bytes(), path.name, path.suffix[1:]).text)
        texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


@pytest.fixture
def random_catalog(cli, catalog_path, tmp_path):
    """Random classes, ranks, dates and withdrawals, with identifiers planted everywhere."""
    rng = random.Random(7)
    src = tmp_path / "src"
    for n in range(1, 41):
        code = rng.choice(["1NNNNNNNN", "2NNNNNYNN", "3NNNNYNNN"])
        position = rng.choice(["자전거정책과장", "공공자전거팀장", "특별보좌관", "도시계획국장"])
        planted = rng.choice(PLANTED)
        doc = DemoDoc(
            number=n,
            code=code,
            final_position=position,
            date=f"20{rng.randint(12, 25):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            title=f"민원 회신 {n} {planted}",
            body=f"{SECRET_BODY} {n} 연락처 {planted}",
            attachments=["붙임.txt"],
        )
        write_package(src / f"p{n}", doc, {"붙임.txt": f"붙임 {SECRET_BODY} {planted}".encode()})
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, src).exit_code == 0
    for record_id in rng.sample(range(1, 41), 5):
        assert (
            cli(
                "records", "withdraw", record_id, "--reason", "중복", "--catalog", catalog_path
            ).exit_code
            == 0
        )
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    return catalog_path


@pytest.mark.slow
def test_the_site_never_publishes_what_is_not_public(cli, random_catalog, tmp_path):
    out = tmp_path / "site"
    result = j(cli, "export", "site", "--out", out, "--catalog", random_catalog)
    assert result["records"] == 35 and result["search"]["files"] > 0
    everything = bundle_text(out)
    for identifier in IDENTIFIERS:
        assert identifier not in everything, identifier
    rows = j(cli, "records", "list", "--catalog", random_catalog)
    withheld = [r for r in rows if not r["decision"]["original_public"]]
    published = [r for r in rows if r["decision"]["original_public"]]
    assert withheld and published

    def number(r):
        return r["document_number"].rsplit("-", 1)[1]

    for r in withheld:
        assert f"{SECRET_BODY} {number(r)} " not in everything
    # The search index (terms, excerpts) holds no identifier and no withheld text: a withheld
    # record's number is found by its title, never by its body.
    index = "\n".join(p.read_text("utf-8") for p in sorted((out / "search").rglob("*.json"))) + (
        out / ".seoulrec" / "search-entries.jsonl"
    ).read_text("utf-8")
    for identifier in IDENTIFIERS:
        assert identifier not in index and identifier.replace("-", "") not in index
    for r in withheld:
        assert f"{SECRET_BODY} {number(r)} " not in index
    for r in published:
        assert f"{SECRET_BODY} {number(r)} " in everything  # published originals are there, masked
    withdrawn = j(cli, "records", "list", "--status", "withdrawn", "--catalog", random_catalog)
    assert len(list((out / "records").glob("*.html"))) == 35 and len(withdrawn) == 5
    # No link to a withheld attachment: every linked file belongs to a published original.
    linked = {p.parent.name for p in (out / "files").rglob("*.txt")}
    pages = {p.stem: p.read_text("utf-8") for p in (out / "records").glob("*.html")}
    for public_id in linked:
        assert "원문 비공개" not in pages[public_id]
    for page in pages.values():
        if "원문 비공개" in page:
            assert "비공개 문서" in page and "../files/" not in page


def test_markup_in_documents_is_escaped_and_missing_facts_get_placeholders(
    cli, catalog_path, tmp_path
):
    src = tmp_path / "src"
    write_package(
        src / "p1",
        DemoDoc(
            number=1, title="<script>alert(1)</script> {{ 7*7 }} 공지", body="<b>굵게</b> {% raw %}"
        ),
        {},
    )
    (src / "m").mkdir()
    (src / "m" / "note.txt").write_text("본문만 있고 날짜도 부서도 없는 자료입니다.", "utf-8")
    assert (
        cli(
            "ingest",
            "--catalog",
            catalog_path,
            "--jobs",
            1,
            "--class",
            "public",
            "--kind",
            "회의자료",
            src,
        ).exit_code
        == 0
    )
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    out = tmp_path / "site"
    j(cli, "export", "site", "--out", out, "--catalog", catalog_path, "--no-search")
    html = "\n".join(p.read_text("utf-8") for p in out.rglob("*.html"))
    assert (
        "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    )
    assert "{{ 7*7 }}" in html and "49 공지" not in html
    assert "<b>굵게</b>" not in html
    material = next(
        p.read_text("utf-8")
        for p in (out / "records").glob("*.html")
        if "회의자료" in p.read_text("utf-8")
    )
    assert "부서 미상" in material and "일자 미상" in material and "문서번호 없음" in material
    assert 'lang="ko"' in html and html.count("<h1>") == len(list(out.rglob("*.html")))


def test_the_site_folder_follows_the_output_rules(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    write_package(src / "p1", DemoDoc(number=1), {})
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, src).exit_code == 0
    result = cli("export", "site", "--out", tmp_path / "site", "--catalog", catalog_path)
    assert result.exit_code == 2 and "disclose apply" in result.stderr
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    refusals = [src] if isinstance(catalog_path, str) else [catalog_path.parent, src]
    for refused in refusals:  # the catalog's own folder, where it is a file
        (src / "keep.txt").write_text("mine")
        result = cli("export", "site", "--out", refused, "--catalog", catalog_path, "--no-search")
        assert result.exit_code == 2 and (src / "keep.txt").read_text() == "mine"
    out = tmp_path / "public" / "site"
    j(cli, "export", "site", "--out", out, "--catalog", catalog_path, "--no-search")
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    j(
        cli, "export", "site", "--out", out, "--catalog", catalog_path, "--no-search"
    )  # its own folder: replaced
    assert {
        p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()
    } == first  # deterministic
    assert (
        json.loads((out / "manifest.json").read_text("utf-8"))["schema"]
        == "seoulrec.site-manifest/1"
    )


def test_search_terms_hold_words_inside_compounds():
    from seoulrec.publish.search import morphemes

    terms = morphemes("소규모주택정비사업 추진실적 제출 전자결재문서를 개선했다").split()
    for word in ("정비", "사업", "결재", "문서", "추진", "실적", "개선"):
        assert word in terms, (word, terms)


def test_site_from_the_demo_builds_with_a_search_index(cli, tmp_path):
    demo = tmp_path / "demo"
    j(cli, "demo", "--out", demo)
    out = demo / "public" / "site"
    assert (out / "index.html").is_file() and (out / "search.js").is_file()
    meta = json.loads((out / "search" / "meta.json").read_text("utf-8"))
    assert meta["schema"] == "seoulrec.search/1" and meta["docs"] == len(
        list((out / "records").glob("*.html"))
    )
    assert pubdoc_xml  # the demo corpus generator is shared with the tests


def site_tree(folder):
    """Every file by relative path with its bytes, less the folder's signature (a random id)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).as_posix() != ".seoulrec/folder-id"
    }


@pytest.mark.slow
def test_incremental_site_builds_equal_a_full_build(cli, catalog_path, tmp_path):
    """Withhold, release, withdraw, reclassify, ingest a new version: after each round an
    incremental build reuses unchanged pages and equals a full build of the same catalog."""
    src = tmp_path / "src"
    for n in range(1, 9):
        write_package(
            src / f"p{n}",
            DemoDoc(number=n, title=f"공원 녹지 확충 {n}", attachments=["붙임.txt"]),
            {"붙임.txt": f"붙임 {n}".encode()},
        )
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, src).exit_code == 0
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    out, full = tmp_path / "site", tmp_path / "full"
    j(cli, "export", "site", "--out", out, "--since", "last", "--catalog", catalog_path)
    rounds = [
        [
            (
                "disclose",
                "set",
                1,
                "--class",
                "non_public",
                "--grounds",
                6,
                "--reason",
                "개인정보",
                "--today",
                TODAY,
            )
        ],
        [
            ("records", "withdraw", 2, "--reason", "중복"),
            ("classify", "set", 3, "ENV", "--reason", "환경"),
        ],
        [("disclose", "set", 1, "--class", "public", "--today", TODAY)],
    ]
    for number, commands in enumerate(rounds):
        for command in commands:
            assert cli(*command, "--catalog", catalog_path).exit_code == 0, command
        if number == 2:  # a new version of record 4, with a new title
            write_package(
                tmp_path / "v2" / "p4", DemoDoc(number=4, title="공원 녹지 확충 4 (정정)"), {}
            )
            assert (
                cli("ingest", "--catalog", catalog_path, "--jobs", 1, tmp_path / "v2").exit_code
                == 0
            )
        j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
        incremental = j(
            cli, "export", "site", "--out", out, "--since", "last", "--catalog", catalog_path
        )
        j(cli, "export", "site", "--out", full, "--catalog", catalog_path)
        assert 0 < incremental["reused"] < incremental["records"]
        assert site_tree(out) == site_tree(full), number


def test_a_bagged_site_validates_and_is_deterministic(cli, catalog_path, tmp_path):
    import bagit

    src = tmp_path / "src"
    write_package(src / "p1", DemoDoc(number=1), {})
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, src).exit_code == 0
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    first, second = tmp_path / "bag1", tmp_path / "bag2"
    for out in (first, second):
        j(cli, "export", "site", "--out", out, "--bag", "--no-search", "--catalog", catalog_path)
    bag = bagit.Bag(str(first))
    bag.validate()  # every payload file against manifest-sha256.txt
    assert (first / "data" / "index.html").is_file() and bag.info["Bagging-Date"] == TODAY
    assert site_tree(first) == site_tree(second)
    (first / "data" / "index.html").write_text("tampered", "utf-8")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(first)).validate()


def test_the_search_index_is_deterministic_too(cli, catalog_path, tmp_path):
    """Same catalog, same bytes, the search index included."""
    src = tmp_path / "src"
    for n in range(1, 6):
        write_package(src / f"p{n}", DemoDoc(number=n, department=f"부서{n % 3}과"), {})
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, src).exit_code == 0
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    trees = []
    for name in ("one", "two"):
        out = tmp_path / name
        j(cli, "export", "site", "--out", out, "--catalog", catalog_path)
        trees.append(site_tree(out))
    assert any(k.startswith("search/t/") for k in trees[0])
    assert trees[0] == trees[1]


def test_tables_in_a_document_body_stay_tables(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    write_package(src / "p1", DemoDoc(number=7, title="자치구별 수량 보고"), {})
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, src).exit_code == 0
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    out = tmp_path / "site"
    j(cli, "export", "site", "--out", out, "--catalog", catalog_path)
    (page,) = (out / "records").glob("*.html")
    html = page.read_text("utf-8")
    # The pubdoc's <table> (자치구 | 수량 계 / 마포구 | 7) is a table on the page, not one line.
    assert (
        '<table class="body-table"><tr><td>자치구</td><td>수량 계</td></tr><tr><td>마포구</td><td>7</td></tr></table>'
        in html
    )
    assert "자치구 수량 계" not in html
