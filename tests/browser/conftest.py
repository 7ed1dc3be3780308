"""Browser fixtures: Debian's headless Chromium driven by Playwright, against the real
service (the `server` fixture), recording every request a page makes.

Playwright never downloads a browser here: it drives /usr/bin/chromium, which `make test`
installs when missing (the Makefile's `chromium` step). Screenshots go to
artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from graph.settings import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def foreign_requests(urls: list[str], origin: str) -> list[str]:
    """The URLs that are not on `origin`. A blob: URL counts as its page's origin and
    data: URLs are inline (the browser fetches nothing for them)."""
    own = urlsplit(origin)
    foreign = []
    for url in urls:
        if url.startswith("data:"):
            continue
        parts = urlsplit(url.removeprefix("blob:"))
        if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
            foreign.append(url)
    return foreign


# Per module, and after the server: Playwright's sync API keeps an asyncio loop running in
# this thread while it is open, so no asyncio.run() (the seed) or async test may run then.
@pytest.fixture(scope="module")
def browser(server) -> Iterator[object]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(`make chromium` installs it as root, or `apt-get install -y chromium`)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


class Visit:
    """One browser tab on the service: the page, and what it requested and complained of."""

    def __init__(self, page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console",
            lambda message: message.type == "error" and self.errors.append(message.text),
        )

    def goto(self, path: str) -> None:
        self.page.goto(self.origin + path)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def assert_only_own_origin(self) -> None:
        assert self.requests, "the page made no request at all"
        assert foreign_requests(self.requests, self.origin) == []


@pytest.fixture
def visit(browser, server) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1400, "height": 850}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    tab = Visit(page, server.url)
    try:
        yield tab
        # Whatever the test did, nothing left the service's origin and no script failed.
        tab.assert_only_own_origin()
        assert tab.errors == []
    finally:
        context.close()
