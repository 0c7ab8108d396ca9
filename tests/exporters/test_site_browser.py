"""The portal in a real headless Chromium: search in Korean for a word inside a compound, open
the record, follow a public attachment, see a withheld record's grounds and no text; basic
accessibility checks; 40 Korean queries right (recall and precision) with readable excerpts;
filters and linked searches."""

import os
import time
from pathlib import Path

import pytest

from seoulrec.run.demo import DemoDoc, write_package

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
            " label: document.querySelector('label[for=q]').textContent, title: document.title}"
        )
        assert checks == {
            "h1": 1,
            "lang": "ko",
            "banner": True,
            "main": True,
            "contentinfo": True,
            "label": "검색어",
            "title": "서울 열린시정 정보공개",  # once, not doubled
        }
        body = driver.find_element(By.TAG_NAME, "body")
        for _ in range(30):
            body.send_keys(Keys.TAB)
            if driver.execute_script(
                "return document.activeElement === document.querySelector('#q')"
            ):
                break
        else:
            raise AssertionError("the search input cannot be reached with the keyboard")
        driver.switch_to.active_element.send_keys("정비", Keys.ENTER)  # inside 소규모주택정비사업
        deadline = time.monotonic() + 20
        links = []
        while time.monotonic() < deadline and not links:
            links = [
                a
                for a in driver.find_elements(By.CSS_SELECTOR, "#search-results li a")
                if "정비" in a.text
            ]
            time.sleep(0.2)
        assert links, "no result for 정비"
        status = driver.find_element(By.ID, "search-status").text
        assert status == "‘정비’ 검색 결과 1건", status
        excerpt = driver.find_element(By.CSS_SELECTOR, "#search-results .excerpt").text
        assert excerpt.startswith("1. 전자결재문서를 붙임과 같이 제출합니다."), excerpt
        assert "?q=" in driver.current_url  # the search can be linked
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "site-search.png"))
        linked = driver.current_url
        links[0].click()
        assert driver.find_element(By.TAG_NAME, "h1").text == "소규모주택정비사업 추진실적 제출"
        assert "전자결재문서를" in driver.page_source
        driver.find_element(By.PARTIAL_LINK_TEXT, "추진현황.txt").click()
        assert "모아타운 3곳" in driver.find_element(By.TAG_NAME, "body").text
        driver.get(linked)  # a linked search opens with its results
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not driver.find_elements(
            By.CSS_SELECTOR, "#search-results li"
        ):
            time.sleep(0.2)
        assert driver.find_element(By.ID, "q").get_attribute("value") == "정비"
        assert len(driver.find_elements(By.CSS_SELECTOR, "#search-results li")) == 1
        feed = driver.find_element(By.PARTIAL_LINK_TEXT, "Atom 피드").get_attribute("href")
        assert feed.startswith(base), feed  # relative: on whatever host serves the bundle
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


#: 40 Korean queries with what a page must say to be a right answer (every string in the list,
#: in what the page shows), written from the demo's records: words inside compounds, words
#: with particles, common words on most pages, two words, compounds the records write apart,
#: and names that no page holds (None: nothing may be found; 홍길동 is masked as 홍*동).
QUERIES = [
    ("정비", ["정비"]), ("주택", ["주택"]), ("공급", ["공급"]), ("대여소", ["대여소"]),
    ("재난", ["재난"]), ("점검", ["점검"]), ("탄소", ["탄소"]), ("중립", ["중립"]),
    ("저감", ["저감"]), ("도서관", ["도서관"]), ("급여", ["급여"]), ("장애인", ["장애인"]),
    ("일자리", ["일자리"]), ("모아타운", ["모아타운"]), ("관리계획", ["관리계획"]),
    ("교통약자", ["교통약자"]), ("풍수해", ["풍수해"]), ("안내소", ["안내소"]),
    ("확충", ["확충"]), ("개최", ["개최"]), ("운영", ["운영"]), ("제출", ["제출"]),
    ("기후", ["기후"]), ("복지정책과", ["복지정책과"]), ("자전거정책과", ["자전거정책과"]),
    ("알림", ["알림"]), ("계획", ["계획"]), ("자전거를", ["자전거"]), ("도서관에서", ["도서관"]),
    ("주차장을", ["주차장"]), ("공공자전거", ["공공자전거"]), ("자전거 대여소", ["자전거", "대여소"]),
    ("노인 일자리", ["노인", "일자리"]), ("지진대비", ["지진", "대비"]), ("회의록", ["회의록"]),
    ("위원회", ["위원회"]), ("홍철수", None), ("홍두깨", None), ("홍길동", None),
    ("자전거보관대", None), ("문화기획팀장", None),
]  # fmt: skip


def _shown(html: str) -> str:
    """What a record page shows: the text of its <main>, whitespace collapsed."""
    import re

    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main.replace("&#39;", "'")).split())


def test_forty_korean_queries_are_right_with_readable_excerpts(cli, tmp_path, capsys):
    import html as html_lib
    import re

    demo = tmp_path / "demo"
    j(cli, "demo", "--out", demo)
    site = demo / "public" / "site"
    pages = {
        f"records/{p.name}": html_lib.unescape(_shown(p.read_text("utf-8")))
        for p in (site / "records").glob("*.html")
    }
    assert len(QUERIES) == 41
    found = relevant = answered = 0
    wrong: list = []
    with browser.served(site) as base, browser.chromium() as driver:
        driver.get(base + "index.html")
        for query, needs in QUERIES:
            answer = browser.search(driver, query)
            assert "error" not in answer, answer
            got = set(answer["urls"])
            if needs is None:
                assert not got, (query, got)
                continue
            wanted = {name for name, text in pages.items() if all(n in text for n in needs)}
            assert wanted, f"{query}: the demo has no page for it"
            found += len(got & wanted)
            relevant += len(wanted)
            answered += len(got)
            wrong += [(query, sorted(got - wanted), sorted(wanted - got))] if got != wanted else []
            for result in answer["first"]:
                # Excerpts are the page's own words, never internal keys.
                assert not re.search(r"\bk[0-9a-z]{3}k[0-9a-z]{3}", result["excerpt"])
                words = result["excerpt"].removesuffix(" …").split()
                assert " ".join(words[:6]) in pages[result["url"]] or "비공개" in result["excerpt"]
    recall, precision = found / relevant, found / answered
    with capsys.disabled():
        print(
            f"\n{len(QUERIES)} queries: recall {recall:.3f}, precision {precision:.3f}; off: {wrong}"
        )
    assert recall >= 0.95 and precision >= 0.95, wrong


def test_filters_narrow_the_results_and_can_be_linked(cli, tmp_path):
    from selenium.webdriver.common.by import By

    demo = tmp_path / "demo"
    j(cli, "demo", "--out", demo)
    site = demo / "public" / "site"
    with browser.served(site) as base, browser.chromium() as driver:
        driver.get(base + "index.html")
        every = browser.search(driver, "계획")
        welfare = browser.search(driver, "계획", {"department": "복지정책과"})
        assert 0 < welfare["count"] < every["count"]
        assert all(r["department"] == "복지정책과" for r in welfare["first"])
        year = browser.search(driver, "계획", {"year": "2025", "type": "결재문서"})
        assert 0 < year["count"] <= every["count"]
        assert browser.search(driver, "계획", {"department": "없는부서"})["count"] == 0
        driver.get(
            base
            + "index.html?q=%EA%B3%84%ED%9A%8D&department=%EB%B3%B5%EC%A7%80%EC%A0%95%EC%B1%85%EA%B3%BC"
        )
        deadline = time.monotonic() + 20
        while (
            time.monotonic() < deadline
            and "건" not in driver.find_element(By.ID, "search-status").text
        ):
            time.sleep(0.2)
        assert (
            driver.find_element(By.ID, "search-status").text
            == f"‘계획’ 검색 결과 {welfare['count']}건"
        )
        assert driver.find_element(By.ID, "f-department").get_attribute("value") == "복지정책과"


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
        "index.html?q=계획&department=문화정책과",  # results with a filter
        f"files/{public.removesuffix('.html')}/original.html",  # a pubdoc body as its own page
    ]
    found = {}
    with browser.served(site) as base, browser.chromium() as driver:
        for page in pages:
            assert (site / page.split("?")[0]).is_file(), page
            driver.get(base + page)
            if page == "index.html":
                from selenium.webdriver.common.by import By
                from selenium.webdriver.common.keys import Keys

                driver.find_element(By.ID, "q").send_keys("정비", Keys.ENTER)
            time.sleep(1.5)  # the result list is part of the page to check
            violations = browser.axe_violations(driver)
            if violations:
                found[page] = violations
    assert found == {}
