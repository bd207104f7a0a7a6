"""Browser fixtures: the real server (serve.py on gevent) and Debian's Chromium via Playwright.

Every test module gets its own server process on a free port with a fresh SQLite file and the
demo workshop; the join code and the workshop id are read from what serve.py prints. Tests
that need a room of their own create a workshop through the facilitator's pages.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

ROOT = Path(__file__).parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

DEMO_EMAIL = "demo@brygga.local"
DEMO_PASSWORD = "brygga-demo-2026"
DEMO_SUBJECT = "Habilitering"
DEMO_FIRST_STATEMENT = "Barn och unga 0–18 år"

LAPTOP = {"viewport": {"width": 1440, "height": 900}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}

START_DEADLINE = 20.0  # seconds for serve.py to print its lines and answer HTTP

# Pushes arrive within a fraction of a second; the margin is for slow CI machines.
expect.set_options(timeout=10_000)


# --- The server --------------------------------------------------------------------------------


@dataclass
class Server:
    base_url: str
    workshop_id: int
    join_code: str
    database: Path
    output: list[str] = field(default_factory=list)
    ws2_workshop_id: int = 0  # the WS2 demo: the children's journey, open for placements
    ws2_join_code: str = ""

    def url(self, path: str) -> str:
        return self.base_url + path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _pump(stream: Any, lines: queue.Queue[str | None], output: list[str]) -> None:
    """Copy the server's output into ``output`` (for failure messages) and ``lines``."""
    for line in iter(stream.readline, ""):
        output.append(line.rstrip("\n"))
        lines.put(line)
    lines.put(None)


def _wait_http(url: str, proc: subprocess.Popen[str], deadline: float, output: list[str]) -> None:
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = exc
        time.sleep(0.05)  # polling interval of the readiness loop, not a synchronisation
    raise RuntimeError(
        f"serve.py did not answer {url} (last error {last!r}):\n" + "\n".join(output)
    )


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; the browser tests skip (never download a browser) without it."""
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (run `make browser-deps`)")
    return CHROMIUM


@pytest.fixture(scope="module")
def server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """serve.py in a subprocess: gevent, demo data, a fresh SQLite file, a free port."""
    tmp = tmp_path_factory.mktemp("server")
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp / 'b.sqlite3'}",
        "BRYGGA_DEMO": "1",
        "SECRET_KEY": "test",
        "SOCKETIO_ASYNC_MODE": "gevent",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("PUBLIC_URL", None)
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    proc = subprocess.Popen(
        [sys.executable, "serve.py"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        bufsize=1,
    )
    output: list[str] = []
    lines: queue.Queue[str | None] = queue.Queue()
    pump = threading.Thread(target=_pump, args=(proc.stdout, lines, output), daemon=True)
    pump.start()
    try:
        deadline = time.monotonic() + START_DEADLINE
        code = wid = ws2 = None
        while code is None or wid is None or ws2 is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError("serve.py printed no join code in time:\n" + "\n".join(output))
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError("serve.py exited:\n" + "\n".join(output))
            if found := re.search(r"Participants:.*join code ([A-Z0-9]{6})", line):
                code = found.group(1)
            if found := re.search(r"/f/w/(\d+)/projector", line):
                wid = int(found.group(1))
            if found := re.search(r"/f/w/(\d+)/board.*join code ([A-Z0-9]{6})", line):
                ws2 = (int(found.group(1)), found.group(2))
        base_url = f"http://127.0.0.1:{port}"
        _wait_http(base_url + "/", proc, deadline, output)
        yield Server(base_url, wid, code, tmp / "b.sqlite3", output, *ws2)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        pump.join(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


# --- The browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright(chromium: Path) -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium: Path) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class Contexts:
    """Opens browser contexts against one server; records page errors; closes them all."""

    def __init__(self, browser: Browser, server: Server) -> None:
        self.browser = browser
        self.server = server
        self.opened: list[BrowserContext] = []
        self.page_errors: list[str] = []

    def new(self, device: dict[str, Any], **options: Any) -> BrowserContext:
        context = self.browser.new_context(
            base_url=self.server.base_url, locale="sv-SE", **device, **options
        )
        context.set_default_timeout(15_000)
        context.on("page", self._watch)
        self.opened.append(context)
        return context

    def page(self, device: dict[str, Any], **options: Any) -> Page:
        return self.new(device, **options).new_page()

    def _watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))

    def assert_no_page_errors(self) -> None:
        assert self.page_errors == [], "uncaught JavaScript errors:\n" + "\n".join(self.page_errors)

    def close(self) -> None:
        for context in self.opened:
            with contextlib.suppress(Exception):
                context.close()
        self.opened.clear()


@pytest.fixture
def contexts(browser: Browser, server: Server) -> Iterator[Contexts]:
    pool = Contexts(browser, server)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def module_contexts(browser: Browser, server: Server) -> Iterator[Contexts]:
    pool = Contexts(browser, server)
    yield pool
    pool.close()


# --- Steps shared by the tests -----------------------------------------------------------------


@dataclass(frozen=True)
class Room:
    workshop_id: int
    join_code: str

    @property
    def console(self) -> str:
        return f"/f/w/{self.workshop_id}/console"

    @property
    def projector(self) -> str:
        return f"/f/w/{self.workshop_id}/projector"


def log_in(page: Page, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> None:
    """A facilitator (the demo one unless told) logs in through the login form (POST /login)."""
    try_logging_in(page, email, password)
    expect(page).to_have_url(re.compile(r"/f/$"))


def try_logging_in(page: Page, email: str, password: str) -> None:
    """Fill in and send the login form; the caller checks what came of it."""
    page.goto("/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def create_workshop(
    page: Page,
    title: str,
    organisations: list[str],
    statements: list[tuple[str, str, str, list[str]]],
    *,
    threshold: int | None = None,
) -> Room:
    """A new workshop made through the facilitator's forms (the page must be logged in).

    ``statements`` are (organisation, topic label, perspective label, texts) as shown in the
    form, e.g. ("Habilitering", "Målgrupp", "Egen beskrivning", ["Barn och unga 0–18 år"]).
    ``threshold`` sets the anonymity threshold (tests of voting with one or two phones use 1).
    """
    page.goto("/f/new")
    page.get_by_label("Titel").fill(title)
    page.get_by_role("button", name="Skapa workshop").click()
    expect(page).to_have_url(re.compile(r"/f/w/\d+$"))
    found = re.search(r"/f/w/(\d+)$", page.url)
    assert found is not None
    wid = int(found.group(1))

    picker = page.locator("#organisations form").filter(has=page.locator(".chips"))
    for name in organisations:
        picker.locator("label.chip").filter(has_text=name).locator("input").check()
    picker.get_by_role("button", name="Lägg till valda").click()
    listed = page.locator("#organisations .org-table li > span:first-child")
    expect(listed).to_have_count(len(organisations))

    form = page.locator("#add form").first
    rows = page.locator("#statements .statement-row")
    total = 0
    for org, topic, perspective, texts in statements:
        form.get_by_label("Verksamhet").select_option(label=org)
        form.get_by_label("Område").select_option(label=topic)
        form.get_by_label("Perspektiv").select_option(label=perspective)
        form.get_by_label("Text – ett påstående per rad").fill("\n".join(texts))
        form.get_by_role("button", name="Lägg till", exact=True).click()
        total += len(texts)
        expect(rows).to_have_count(total)
    if threshold is not None:
        set_threshold(page, wid, threshold)
    code = page.locator(".join-box .code-chip").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code), code
    return Room(wid, code)


def set_threshold(page: Page, workshop_id: int, threshold: int) -> None:
    """Change a workshop's anonymity threshold through its settings form."""
    page.goto(f"/f/w/{workshop_id}")
    field = page.get_by_label("Anonymitetsgräns")
    field.fill(str(threshold))
    field.locator("xpath=ancestor::form").get_by_role("button").last.click()
    expect(page.get_by_label("Anonymitetsgräns")).to_have_value(str(threshold))


def join_by_code(page: Page, typed_code: str, organisation: str, name: str = "") -> None:
    """A phone types the code on the start page, picks its organisation and lands on /p (on
    /journey in a WS2 workshop whose journey is open while no role is voted on)."""
    page.goto("/")
    page.get_by_label("Kod", exact=True).fill(typed_code)
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_role("group", name="Vilken verksamhet representerar du?")).to_be_visible()
    page.get_by_role("radio", name=re.compile("^" + re.escape(organisation))).check()
    if name:
        page.get_by_label("Ditt namn").fill(name)
    page.get_by_role("button", name="Gå med").click()
    expect(page).to_have_url(re.compile(r"/[A-Z0-9]{6}/(p|journey(#\w+)?)$"))
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")


def vote_button(page: Page, label: str) -> Locator:
    """One of the phone's three answer buttons (its name starts with Yes/No/Let's discuss)."""
    return page.locator(".statement-card").get_by_role(
        "button", name=re.compile("^" + re.escape(label))
    )


def tap_vote(page: Page, label: str) -> None:
    """Tap an answer and wait until the server has acknowledged it."""
    vote_button(page, label).tap()
    expect(vote_button(page, label)).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".statement-card .vote-status")).to_have_text(
        re.compile("Ditt svar är sparat|Your answer is saved")
    )


def start_first_statement(console: Page) -> None:
    console.get_by_role("button", name="Starta med första påståendet").click()
    expect(console.locator("#current .current-text")).to_be_visible()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """A failed browser test's report carries the end of its server's output (a page that
    never loads says more with the server's side beside it)."""
    outcome = yield
    report = outcome.get_result()
    server = getattr(item, "funcargs", {}).get("server")
    if report.failed and isinstance(server, Server):
        report.sections.append(("serve.py output (last 60 lines)", "\n".join(server.output[-60:])))
