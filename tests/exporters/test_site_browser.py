"""The portal in a real headless Chromium: search in Korean for a word inside a compound, open
the record, follow a public attachment, see a withheld record's grounds and no text; basic
accessibility checks; Korean recall with and without the Kiwi morphemes."""

import os
import time
from pathlib import Path

import pytest

from seoulrec.run.demo import DemoDoc, write_package

from ..conftest import CORPUS
from ..conftest import cli_json as j
from . import browser

TODAY = "2026-11-26"
ARTIFACTS = Path(
    os.environ.get(
        "SEOULREC_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"
    )
)

pytestmark = pytest.mark.skipif(browser.missing() is not None, reason=browser.missing() or "")


@pytest.fixture
def site(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    write_package(
        src / "p1",
        DemoDoc(
            number=1,
            title="소규모주택정비사업 추진실적 제출",
            department="전략주택공급과",
            attachments=["추진현황.txt"],
            body="전자결재문서를 붙임과 같이 제출합니다.",
        ),
        {"추진현황.txt": "추진현황 표: 모아타운 3곳".encode()},
    )
    write_package(
        src / "p2",
        DemoDoc(
            number=2, title="감사 결과 처리 계획", code="3NNNNYNNN", body="내부 감사 비밀 본문"
        ),
        {},
    )
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, src).exit_code == 0
    j(
        cli,
        "disclose",
        "set",
        2,
        "--class",
        "non_public",
        "--grounds",
        5,
        "--reason",
        "감사 진행 중",
        "--until",
        "2027-06-30",
        "--catalog",
        catalog_path,
        "--today",
        TODAY,
    )
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    out = tmp_path / "site"
    j(cli, "export", "site", "--out", out, "--catalog", catalog_path)
    return out


def test_a_citizen_searches_opens_downloads_and_sees_withheld_grounds(site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    with browser.served(site) as base, browser.chromium() as driver:
        driver.get(base + "index.html")
        # Accessibility (a documented subset of axe-core's rules, checked in the page): one h1,
        # the landmarks, a document language, a labelled search input reachable by keyboard.
        checks = driver.execute_script(
            "return {h1: document.querySelectorAll('h1').length, lang: document.documentElement.lang,"
            " banner: !!document.querySelector('header[role=banner]'), main: !!document.querySelector('main'),"
            " contentinfo: !!document.querySelector('footer[role=contentinfo]'),"
            " label: (document.querySelector('#search input') || {getAttribute: () => null}).getAttribute('aria-label')}"
        )
        assert checks == {
            "h1": 1,
            "lang": "ko",
            "banner": True,
            "main": True,
            "contentinfo": True,
            "label": "문서 검색어",
        }
        body = driver.find_element(By.TAG_NAME, "body")
        for _ in range(30):
            body.send_keys(Keys.TAB)
            if driver.execute_script(
                "return document.activeElement === document.querySelector('#search input')"
            ):
                break
        else:
            raise AssertionError("the search input cannot be reached with the keyboard")
        driver.switch_to.active_element.send_keys("정비")  # inside 소규모주택정비사업
        deadline = time.monotonic() + 20
        links = []
        while time.monotonic() < deadline and not links:
            links = [
                a
                for a in driver.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-link")
                if "정비" in a.text
            ]
            time.sleep(0.2)
        assert links, "no result for 정비"
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "site-search.png"))
        links[0].click()
        assert driver.find_element(By.TAG_NAME, "h1").text == "소규모주택정비사업 추진실적 제출"
        assert "전자결재문서를" in driver.page_source
        driver.find_element(By.PARTIAL_LINK_TEXT, "추진현황.txt").click()
        assert "모아타운 3곳" in driver.find_element(By.TAG_NAME, "body").text
        driver.get(base + "browse/type/index.html")
        assert len(driver.find_elements(By.TAG_NAME, "h1")) == 1
        withheld = next(
            p
            for p in (site / "records").glob("*.html")
            if "감사 결과 처리 계획" in p.read_text("utf-8")
        )
        driver.get(base + f"records/{withheld.name}")
        text = driver.find_element(By.TAG_NAME, "main").text
        assert (
            "원문 비공개" in text
            and "제5호" in text
            and "감사 진행 중" in text
            and "2027-06-30" in text
        )
        assert "비밀 본문" not in driver.page_source
        driver.save_screenshot(str(ARTIFACTS / "site-withheld.png"))


#: Korean queries: words inside compounds, stems of inflected verbs, two-syllable nouns and
#: department names, over the demo corpus and the real documents.
QUERIES = [
    "정비",
    "결재",
    "주택",
    "공급",
    "대여소",
    "재난",
    "점검",
    "탄소",
    "중립",
    "저감",
    "도서관",
    "급여",
    "장애인",
    "일자리",
    "모아타운",
    "관리계획",
    "녹지",
    "교통약자",
    "정류소",
    "풍수해",
    "예방",
    "안내소",
    "확충",
    "개최",
    "운영",
    "제출",
    "양도",
    "과세",
    "증여",
    "재건축",
    "기후",
    "복지정책과",
    "자전거정책과",
    "전략주택공급과",
]


@pytest.mark.slow
def test_korean_recall_with_and_without_the_morphemes(cli, tmp_path, capsys):
    demo = tmp_path / "demo"
    j(cli, "demo", "--out", demo)
    catalog = demo / "seoulrec.db"
    if CORPUS.exists():
        real = tmp_path / "real"
        real.mkdir()
        for pattern in ("pdf/bill_*.pdf", "hwp/nts_*.hwp", "hwpx/*.hwpx"):
            for path in CORPUS.glob(pattern):
                (real / path.name).write_bytes(path.read_bytes())
        cli(
            "ingest",
            "--catalog",
            catalog,
            "--jobs",
            1,
            "--class",
            "public",
            "--kind",
            "참고자료",
            real,
        )
        j(cli, "disclose", "apply", "--catalog", catalog, "--today", TODAY)
    from seoulrec.store.catalog import Catalog
    from seoulrec.decide.privacy import Masker
    from seoulrec.publish.site import build_site

    cat = Catalog.open(catalog)
    plain, korean = tmp_path / "plain", tmp_path / "korean"
    build_site(cat, plain, {}, Masker(), korean_terms=False)
    build_site(cat, korean, {}, Masker())
    # Relevant pages: the query occurs in what the page publishes (title, department, text).
    pages = {p.name: p.read_text("utf-8") for p in (korean / "records").glob("*.html")}
    results = {}
    for name, folder in (("plain", plain), ("korean", korean)):
        found = relevant = 0
        with browser.served(folder) as base, browser.chromium() as driver:
            driver.get(base + "index.html")
            for query in QUERIES:
                wanted = {
                    n
                    for n, html in pages.items()
                    if query in html.split('<div class="search-terms"')[0]
                }
                got = {u.rsplit("/", 1)[-1] for u in browser.search(driver, query).get("urls", [])}
                found += len(wanted & got)
                relevant += len(wanted)
        results[name] = found / relevant
    with capsys.disabled():
        print(
            f"\nKorean recall over {len(QUERIES)} queries: plain Pagefind {results['plain']:.3f}, with Kiwi morphemes {results['korean']:.3f}"
        )
    assert results["korean"] > results["plain"] and results["korean"] >= 0.9


@pytest.mark.skipif(
    not browser.AXE_CORE_JS.is_file(),
    reason=f"axe-core is not installed at {browser.AXE_CORE_JS} (.ci/run installs it from npm)",
)
def test_axe_core_finds_no_accessibility_violations(site):
    """Every kind of page (home with the search UI and a result list, a public record, a withheld
    record, a browse page, a listing page, the statistics) passes axe-core's WCAG 2.1 A/AA and
    best-practice rules in Chromium."""
    withheld = next(
        p.name for p in (site / "records").glob("*.html") if "감사 결과" in p.read_text("utf-8")
    )
    public = next(
        p.name for p in (site / "records").glob("*.html") if "정비사업" in p.read_text("utf-8")
    )
    listing = next(p for p in (site / "browse").rglob("*.html") if p.parent.name != "browse")
    pages = [
        "index.html",
        f"records/{public}",
        f"records/{withheld}",
        "browse/type/index.html",
        str(listing.relative_to(site)),
        "stats.html",
    ]
    found = {}
    with browser.served(site) as base, browser.chromium() as driver:
        for page in pages:
            assert (site / page).is_file(), page
            driver.get(base + page)
            if page == "index.html":
                from selenium.webdriver.common.by import By

                driver.find_element(By.CSS_SELECTOR, "#search input").send_keys("정비")
                time.sleep(1.5)  # the result list is part of the page to check
            violations = browser.axe_violations(driver)
            if violations:
                found[page] = violations
    assert found == {}
