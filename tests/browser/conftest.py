"""Fixtures for the browser tests: Debian's chromium driven by Playwright, Agora on
pytest-django's live server, and publishers' pages on a second server (another port,
so another origin: every embed request is cross-origin, as on a real news site).

Without /usr/bin/chromium the tests are skipped, except under CI (env CI set),
where a missing browser is a failure. Never `playwright install`: it downloads.
"""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agora.embed import demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"

# Playwright's sync API keeps an event loop in this thread; the test's own database
# calls are still plain synchronous code between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1000, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def publisher(live_server, settings):
    """The demo publisher's site (agora embeddemo) on a free port, allowed to embed."""
    server = serve(demo.make_server(live_server.url, port=0, quiet=True))
    settings.AGORA_ALLOWED_ORIGINS = [*settings.AGORA_ALLOWED_ORIGINS, server.host_url]
    yield server
    server.shutdown()
    server.server_close()


class HtmlPages(ThreadingHTTPServer):
    """A throwaway publisher serving pages that a test writes (path -> HTML)."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), HtmlHandler)
        self.pages = {}
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class HtmlHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        html = self.server.pages.get(self.path)
        if html is None:
            self.send_error(404)
            return
        body = html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def other_site(live_server, settings):
    server = serve(HtmlPages())
    settings.AGORA_ALLOWED_ORIGINS = [*settings.AGORA_ALLOWED_ORIGINS, server.url]
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
