"""A real headless Chromium (Debian's `chromium` and `chromium-driver`, driven by Selenium) on a
site served from localhost: used by the browser test and the search benchmark."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def missing() -> str | None:
    """Why no browser test can run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if not CHROMIUM or not CHROMEDRIVER:
        return "no chromium/chromedriver on this machine (.ci/run installs Debian's chromium and chromium-driver)"
    return None


#: Bytes the test server sent for search files (/search/), counted on the server: what a
#: citizen's browser downloads for a query.
SENT = {"search": 0}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_header(self, keyword, value):
        if keyword.lower() == "content-length" and "/search/" in self.path:
            SENT["search"] += int(value)
        super().send_header(keyword, value)


@contextlib.contextmanager
def served(folder: Path):
    """The folder on http://127.0.0.1:PORT/ for the duration of the block."""
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--lang=ko-KR",
        "--window-size=1100,1400",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


SEARCH_JS = """
const [query, filters, every, done] = [arguments[0], arguments[1], arguments[2], arguments[arguments.length - 1]];
(async () => {
  const found = await window.seoulrecSearch(query, filters);
  done({first: found.results, count: found.count, ms: found.ms, total_ms: found.total_ms,
        all: every ? await window.seoulrecAll(query, filters) : []});
})().catch(e => done({error: String(e)}));
"""


def search(driver, query: str, filters: dict | None = None, every: bool = True) -> dict:
    """One query through the portal's own search in the page (search.js), as the form runs it:
    the first 10 results as shown (``first``), the count, the milliseconds to the first results,
    the bytes the query transferred, and (``every``: fetching every result's row, as a citizen
    paging to the end would) every result's address (``urls``)."""
    before = SENT["search"]
    answer = driver.execute_async_script(SEARCH_JS, query, filters or {}, every)
    answer["bytes"] = SENT["search"] - before
    answer["urls"] = answer.get("all", [])
    return answer


#: axe-core (Deque's accessibility engine) from the npm registry: `.ci/run` installs it under
#: .ci/node; AXE_CORE_JS points elsewhere.
AXE_CORE_JS = Path(
    os.environ.get(
        "AXE_CORE_JS",
        Path(__file__).resolve().parents[2] / ".ci/node/node_modules/axe-core/axe.min.js",
    )
)

AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))
  .catch(e => done([{id: "axe-error", help: String(e)}]));
"""


def axe_violations(driver) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA and best-practice violations on the page open in ``driver``."""
    driver.execute_script(AXE_CORE_JS.read_text("utf-8"))
    return driver.execute_async_script(AXE_RUN)
