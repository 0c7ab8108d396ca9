"""A real headless Chromium (Debian's `chromium` and `chromium-driver`, driven by Selenium) on a
site served from localhost: used by the browser test and the search benchmark."""

from __future__ import annotations

import contextlib
import functools
import http.server
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


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


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
const [query, done] = [arguments[0], arguments[arguments.length - 1]];
(async () => {
  window.__pf = window.__pf || await import("/pagefind/pagefind.js");
  await window.__pf.init();
  performance.clearResourceTimings();
  const started = performance.now();
  const found = await window.__pf.search(query);
  const pages = await Promise.all(found.results.slice(0, 50).map(r => r.data()));
  const ms = performance.now() - started;
  const bytes = performance.getEntriesByType("resource")
    .filter(e => e.name.includes("/pagefind/"))
    .reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0);
  done({urls: pages.map(p => p.url), count: found.results.length, bytes: bytes, ms: ms});
})().catch(e => done({error: String(e)}));
"""


def search(driver, query: str) -> dict:
    """Run one query through Pagefind's own JS API in the page: result URLs, how many results,
    bytes transferred for it (after the first query's shared files) and milliseconds."""
    return driver.execute_async_script(SEARCH_JS, query)
