"""At the garden gate, on phones: a whole check-in without signal (two
coordinators, synced exactly once), the self check-in code on the
coordinator's screen, and a logged-out phone that keeps nothing personal."""

import json
import os
import re
import sqlite3
import subprocess
import sys
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LIVE_DATABASE, VIEWPORTS, screenshot

pytestmark = pytest.mark.browser

COORDINATOR = ("coordinator@example.org", "demo-coord-1234")
ADMIN = ("admin@example.org", "demo-admin-1234")
VOLUNTEER = ("volunteer@example.org", "demo-volunteer-1234")

# A workday starting in 40 minutes (check-in is open), its people added as
# guests by the coordinator, through the app's own services.
SEED = """
import json, sys
from datetime import timedelta
from sqlalchemy import select
from gardenhub import create_app
from gardenhub.accounts import services as accounts
from gardenhub.accounts.models import User
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.workdays import signups
from gardenhub.projects.models import Project
from gardenhub.workdays.models import Shift, Workday

title, names, emails = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
app = create_app()
with app.app_context():
    coordinator = db.session.scalar(
        select(User).where(User.email == "coordinator@example.org"))
    project = db.session.scalar(
        select(Project).where(Project.slug == "saturday-garden-crew"))
    now = utcnow()
    start = (now + timedelta(minutes=40)).replace(second=0, microsecond=0)
    workday = Workday(project=project, garden=project.garden, title=title,
                      public_title=title, starts_at=start,
                      ends_at=start + timedelta(hours=2))
    workday.shifts.append(Shift(name="Gate shift", capacity=8, starts_at=start,
                                ends_at=start + timedelta(hours=2)))
    db.session.add(workday)
    db.session.flush()
    people = [accounts.find_or_add_person(actor=coordinator, name=name, now=now)
              for name in names]
    people += [db.session.scalar(select(User).where(User.email == email))
               for email in emails]
    for person in people:
        signups.sign_up(workday.shifts[0], person, now=now, added_by=coordinator)
    db.session.commit()
    print(json.dumps({"workday": workday.id, "shift": workday.shifts[0].id}))
"""


def seed(names: list[str], emails: list[str] | None = None) -> dict:
    env = {
        **os.environ,
        "GARDENHUB_ENV": "development",
        "GARDENHUB_SECRET_KEY": "browser-tests",
        "GARDENHUB_SQLALCHEMY_DATABASE_URI": f"sqlite:///{LIVE_DATABASE['path']}",
    }
    title = f"Gate day {uuid.uuid4().hex[:6]}"
    emails = emails or []
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SEED,
            title,
            json.dumps(names),
            json.dumps(list(emails)),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def checked_in(shift: int) -> int:
    with sqlite3.connect(LIVE_DATABASE["path"]) as connection:
        return connection.execute(
            "select count(*) from signup"
            " where shift_id = ? and checked_in_at is not null",
            (shift,),
        ).fetchone()[0]


def phone(browser, live_server):
    context = browser.new_context(base_url=live_server, **VIEWPORTS["phone"])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.viewport_name = "phone"
    return context, page


def log_in(page, who) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def open_for_offline(page, workday: int) -> None:
    """Open the check-in page once the service worker looks after it, so the
    worker keeps it (for this person) for use without signal."""
    page.goto(f"/workdays/{workday}/check-in")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    expect(page.get_by_role("heading", name="Check-in")).to_be_visible()


def kept_addresses(page) -> list[str]:
    return page.evaluate(
        """async () => {
          const found = [];
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) found.push(request.url);
          }
          return found;
        }"""
    )


def test_a_whole_gate_runs_without_signal_and_syncs_exactly_once(browser, live_server):
    day = seed(["Ana Gate", "Ben Gate", "Cai Gate", "Dee Gate"])
    workday, shift = day["workday"], day["shift"]
    first_context, first = phone(browser, live_server)
    second_context, second = phone(browser, live_server)
    sent = []
    first.on(
        "request",
        lambda request: (
            sent.append(request.post_data)
            if request.url.endswith("/check-in/sync")
            else None
        ),
    )
    try:
        log_in(first, COORDINATOR)
        open_for_offline(first, workday)
        log_in(second, ADMIN)
        open_for_offline(second, workday)

        first_context.set_offline(True)
        second_context.set_offline(True)
        for name in ("Ana Gate", "Ben Gate", "Cai Gate"):
            first.get_by_role("button", name=f"Check in {name}").click()
        first.get_by_text("Add a walk-in to Gate shift").click()
        first.get_by_label("…or a guest's name").fill("Wes Walk-in")
        first.get_by_role("button", name="Add and check in").click()
        expect(first.locator(".waiting")).to_have_count(4)
        expect(first.locator("#gate-status")).to_contain_text("4 changes are waiting")
        screenshot(first, "gate-offline-queue")

        # Reloaded without signal: the roster is still there, and so is the queue.
        first.reload()
        expect(first.get_by_role("heading", name="Check-in")).to_be_visible()
        expect(first.locator(".waiting")).to_have_count(4)
        expect(first.locator("li.is-waiting", has_text="Wes Walk-in")).to_be_visible()
        expect(first.get_by_role("button", name="Check in Dee Gate")).to_be_visible()
        assert checked_in(shift) == 0

        # The second coordinator, also without signal, checks in two of the same.
        for name in ("Ana Gate", "Ben Gate"):
            second.get_by_role("button", name=f"Check in {name}").click()
        expect(second.locator(".waiting")).to_have_count(2)

        first_context.set_offline(False)
        expect(first.locator(".waiting")).to_have_count(0, timeout=20_000)
        expect(first.locator("#gate-status")).to_contain_text(
            "Walk-in added and checked in."
        )
        expect(first.locator("li.is-here", has_text="Wes Walk-in")).to_be_visible()
        assert checked_in(shift) == 4

        # The same request again (a retry on a flaky line): nothing more counts.
        body = next(data for data in sent if data and "Wes Walk-in" in data)
        token = first.locator("#gate").get_attribute("data-csrf")
        again = first.request.post(
            f"/workdays/{workday}/check-in/sync",
            data=body,
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
        )
        assert again.status == 200
        assert all(answer["replayed"] for answer in again.json()["answers"])
        assert checked_in(shift) == 4

        second_context.set_offline(False)
        expect(second.locator(".waiting")).to_have_count(0, timeout=20_000)
        expect(second.locator("#gate-status")).to_contain_text("already checked in")
        assert checked_in(shift) == 4
        expect(second.locator("li.is-here")).to_have_count(4)
        screenshot(second, "gate-synced")
    finally:
        first_context.close()
        second_context.close()


def test_a_volunteer_checks_in_from_the_code_on_the_coordinators_screen(
    browser, live_server
):
    day = seed([], emails=["volunteer@example.org"])
    shift = day["shift"]
    screen = browser.new_context(base_url=live_server, **VIEWPORTS["desktop"])
    screen_page = screen.new_page()
    screen_page.viewport_name = "desktop"
    volunteer_context, volunteer = phone(browser, live_server)
    try:
        log_in(screen_page, COORDINATOR)
        screen_page.goto(f"/workdays/{day['workday']}/check-in")
        screen_page.get_by_role(
            "link", name=re.compile("Show a code volunteers scan")
        ).click()
        expect(
            screen_page.get_by_role("heading", name="Scan to check in")
        ).to_be_visible()
        image = screen_page.get_by_role("img", name=re.compile("QR code to check in"))
        expect(image).to_be_visible()
        # The picture itself loads (a standalone SVG the browser can draw).
        image.evaluate("img => img.decode()")
        assert image.evaluate("img => img.naturalWidth") > 100
        screenshot(screen_page, "gate-code")
        first_src = image.get_attribute("src")
        expect(image).not_to_have_attribute(
            "src", first_src, timeout=10_000
        )  # it rotates

        # What the camera reads: the link the picture on screen encodes.
        code = screen_page.request.get(f"/shifts/{shift}/code.svg")
        link = code.headers["gardenhub-code-link"]
        log_in(volunteer, VOLUNTEER)
        volunteer.goto(link)
        expect(volunteer.get_by_text("You have a seat on this shift.")).to_be_visible()
        volunteer.get_by_role("button", name="Check me in").click()
        expect(volunteer.get_by_text("You're checked in. Welcome!")).to_be_visible()
        screenshot(volunteer, "gate-self-check-in")
        assert checked_in(shift) == 1

        # A photo of an older code: it has stopped working.
        old = screen_page.request.get(f"/shifts/{shift}/code.svg").headers[
            "gardenhub-code-link"
        ]
        volunteer.wait_for_timeout(9_000)  # two steps of 4 s, and a bit
        volunteer.goto(old)
        expect(
            volunteer.get_by_role("heading", name="This code has expired")
        ).to_be_visible()
        assert checked_in(shift) == 1
    finally:
        screen.close()
        volunteer_context.close()


def test_after_log_out_the_phone_keeps_no_personal_page(browser, live_server):
    day = seed(["Flo Gate"])
    context, page = phone(browser, live_server)
    try:
        log_in(page, COORDINATOR)
        open_for_offline(page, day["workday"])
        assert any("/check-in" in address for address in kept_addresses(page))
        page.get_by_role("button", name="Menu").click()
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_text("You are logged out.")).to_be_visible()
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        assert not any("/check-in" in address for address in kept_addresses(page))

        # The next person on this phone, without signal, asks for the same page.
        context.set_offline(True)
        page.goto(f"/workdays/{day['workday']}/check-in")
        expect(page.get_by_role("heading", name="No signal")).to_be_visible()
        assert "Flo Gate" not in page.content()
    finally:
        context.close()
