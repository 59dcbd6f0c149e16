"""Browser-suite fixtures: one real build, a local server, Chromium and the npm tools."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

BROWSER_DIR = Path(__file__).resolve().parent
NODE_MODULES = BROWSER_DIR / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = NODE_MODULES / ".bin" / "lighthouse"
CHROMIUM = Path("/usr/bin/chromium")
# The same flags for Playwright and Lighthouse: no sandbox (CI runs as root), no GPU,
# and nothing that phones home, since only package registries are reachable here.
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
SEARCH_TIMEOUT_MS = 10_000
INSTALL_HINT = "run `make test-tools` (part of `make test`) to install the browser-test tools"

# One page of each kind; url paths are relative to the site root.
PAGE_TYPES = {
    "home": "/",
    "article": "/articles/corbyn-russia-evidence/",
    "person": "/people/theresa-may/",
    "people": "/people/",
    "topic": "/topics/nato/",
    "claims": "/claims/",
    "timeline": "/timeline/",
    "stories-timeline": "/timeline/stories/",
    "person-timeline": "/timeline/theresa-may/",
    "institution": "/topics/intelligence-and-security-committee/",
    "search": "/search/",
    "404": "/404.html",
}


def require_tool(path: Path, what: str) -> Path:
    """Return path, or fail the test with how to install the missing tool."""
    if not path.exists():
        pytest.fail(f"{what} not found at {path}: {INSTALL_HINT}", pytrace=False)
    return path


@dataclass(frozen=True)
class BuiltSite:
    """The example site, built once into a temporary folder."""

    out: Path
    base_url: str

    def html_files(self) -> list[Path]:
        return sorted(self.out.rglob("*.html"))

    def page_file(self, url_path: str) -> Path:
        path = self.out / url_path.lstrip("/")
        return path / "index.html" if url_path.endswith("/") else path


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Build the real site from the repository's content with `build.py --out TMP`."""
    out = tmp_path_factory.mktemp("built") / "site"
    result = subprocess.run(
        [sys.executable, "build.py", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"build.py failed:\n{result.stdout}{result.stderr}", pytrace=False)
    config = yaml.safe_load((ROOT / "site.yaml").read_text(encoding="utf-8"))
    base_url = str(config["base_url"])
    return BuiltSite(out=out, base_url=base_url if base_url.endswith("/") else base_url + "/")


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serve the built folder quietly, answering missing paths with 404.html like a host."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".xml": "application/xml",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="session")
def site_url(built_site: BuiltSite) -> Iterator[str]:
    """Serve the built site on a free port of 127.0.0.1; yield its root URL without a slash."""
    handler = functools.partial(_SiteHandler, directory=str(built_site.out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Launch Debian's Chromium through Playwright once for the whole session."""
    require_tool(CHROMIUM, "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROME_FLAGS))
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageProblems:
    """Console errors, uncaught exceptions and failed requests seen by one page."""

    messages: list[str]
    bad_urls: set[str] = field(default_factory=set)

    def watch(self, page: Any) -> None:
        page.on("console", lambda msg: self._console(msg))
        page.on("pageerror", lambda err: self.messages.append(f"uncaught exception: {err}"))
        page.on("requestfailed", lambda req: self._failed(req))
        page.on("response", lambda res: self._response(res))

    def check(self, where: str) -> None:
        """Fail the test listing every problem seen on the page."""
        if self.messages:
            pytest.fail(f"{where}:\n" + "\n".join(self.messages), pytrace=False)

    def _failed(self, req: Any) -> None:
        if req.url not in self.bad_urls:  # a 4xx/5xx response is reported once, below
            self.messages.append(f"request failed: {req.url} ({req.failure})")

    def _console(self, msg: Any) -> None:
        if msg.type == "error":
            location = msg.location or {}
            self.messages.append(f"console error: {msg.text} ({location.get('url', '')})")

    def _response(self, res: Any) -> None:
        if res.status >= 400:
            self.bad_urls.add(res.url)
            self.messages.append(f"HTTP {res.status}: {res.url}")


@pytest.fixture
def open_page(browser: Any, site_url: str) -> Iterator[Callable[..., tuple[Any, PageProblems]]]:
    """Return a function that opens a site path in a fresh context and watches for problems."""
    contexts: list[Any] = []

    def open_(url_path: str, *, color_scheme: str = "light", width: int = 1280, height: int = 800,
              wait_until: str = "load") -> tuple[Any, PageProblems]:
        context = browser.new_context(
            base_url=site_url, color_scheme=color_scheme, viewport={"width": width, "height": height},
        )
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems([])
        problems.watch(page)
        response = page.goto(url_path, wait_until=wait_until)
        assert response is not None and response.ok, f"{url_path}: HTTP {response and response.status}"
        return page, problems

    yield open_
    for context in contexts:
        context.close()


def copy_into_repo(src: Path, rel: str) -> Path:
    """Copy a test artefact into the repository (for files that are committed, like screenshots)."""
    target = ROOT / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, target)
    return target


def require_search_index(built_site: BuiltSite) -> None:
    """Skip when the build made no Pagefind index (the search page then says so itself)."""
    if not (built_site.out / "pagefind" / "pagefind.js").is_file():
        pytest.skip("the built site has no Pagefind index at pagefind/, so /search/ cannot search")


def wait_visible(locator: Any, what: str, page: Any, problems: Any) -> None:
    """Wait for locator, or fail saying what the search box shows and what went wrong."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        locator.wait_for(state="visible", timeout=SEARCH_TIMEOUT_MS)
    except PlaywrightTimeout:
        shown = " ".join(page.locator("#search").inner_text().split()) if page.locator(
            "#search").count() else "(no #search element)"
        pytest.fail(
            f"{what} did not appear within {SEARCH_TIMEOUT_MS} ms on {page.url}\n"
            f"#search shows: {shown!r}\n" + "\n".join(problems.messages),
            pytrace=False,
        )


def salmond_result(page: Any) -> Any:
    return page.locator("#search a[href*='people/alex-salmond/']").first
