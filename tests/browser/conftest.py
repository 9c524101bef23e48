"""Browser fixtures: the real app on a free loopback port, and Debian's Chromium.

The journeys import Playwright, which only `make e2e` installs. Without it they
are not collected at all, so `pip install -e '.[test]'` and then `pytest` (which
deselects the browser marker anyway) works.
"""

import importlib.util
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

if importlib.util.find_spec("playwright") is None:
    collect_ignore_glob = ["test_*.py"]

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("GARDENHUB_CHROMIUM", "/usr/bin/chromium")
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


LIVE_DATABASE: dict[str, Path] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """A fresh SQLite database with demo data, served by the real app."""
    folder = tmp_path_factory.mktemp("live")
    LIVE_DATABASE["path"] = folder / "live.sqlite"
    port = free_port()
    env = {
        **os.environ,
        "GARDENHUB_ENV": "development",
        "GARDENHUB_SECRET_KEY": "browser-tests",
        "GARDENHUB_SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite'}",
        "GARDENHUB_BASE_URL": f"http://127.0.0.1:{port}",
        # The self check-in code changes every 4 s (not 30), so a journey can
        # watch one expire.
        "GARDENHUB_GATE_CODE_SECONDS": "4",
    }
    flask = [sys.executable, "-m", "flask", "--app", "gardenhub"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo"], env=env, check=True, capture_output=True)
    log = open(folder / "server.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [*flask, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 (loopback)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "server.log").read_text()) from None
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # Actions wait up to 10 s; so must assertions, or a page that takes a
    # moment longer on a busy CI machine reads as a failure.
    expect.set_options(timeout=10_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser, live_server):
    context = browser.new_context(base_url=live_server, **VIEWPORTS[request.param])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.viewport_name = request.param
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    """Keep a full-page picture for people to look at (ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}-{page.viewport_name}.png", full_page=True)


def nav(page, name: str, role: str = "link") -> None:
    """Use the main navigation as a person would: on a phone, open the menu first."""
    # The menu folds in a deferred script: decide only once it has run.
    page.wait_for_load_state("domcontentloaded")
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    page.locator(".main-nav").get_by_role(role, name=name, exact=True).click()


def emailed_link(address: str, kind: str) -> str:
    """The first link in the newest message of `kind` to `address`, read from the
    live server's outbox (no mail server runs in these tests)."""
    with sqlite3.connect(LIVE_DATABASE["path"]) as connection:
        row = connection.execute(
            "select body_text from notification where to_address = ? and kind = ? "
            "order by id desc limit 1",
            (address, kind),
        ).fetchone()
    assert row, f"no {kind} message to {address}"
    return re.search(r"https?://\S+", row[0])[0]


def register(page, name: str, email: str, *, from_page: bool = False) -> None:
    """Register as a newcomer would: the form (reached from the current page
    with the header's Join, or directly), then the link in the email."""
    from playwright.sync_api import expect

    if from_page:
        nav(page, "Join")
    else:
        page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name shown in GardenHub").fill(name)
    page.get_by_label("Password").fill("a long password")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(emailed_link(email, "confirm_email"))
    page.get_by_role("button", name="Confirm and log in").click()
    expect(page.get_by_text("Your account is ready")).to_be_visible()
