"""Belonging, end to end: a coordinator opens a circle by invitation and shows
the QR code; a newcomer joins with the link, signs up for a members-only
workday asking for a welcome buddy; the coordinator pairs one and sees "first
time" at the gate; afterwards the coordinator thanks everyone, the newcomer
sees the thanks and their goal's progress, their partner sees only the
progress, and a stranger with an account sees none of it."""

import re
import sqlite3
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    LIVE_DATABASE,
    VIEWPORTS,
    nav,
    register,
    screenshot,
)

pytestmark = pytest.mark.browser
BERLIN = ZoneInfo("Europe/Berlin")


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def soon_in_berlin() -> tuple[str, str, str]:
    """A date and a start and end time a little ahead, on one local day, so
    check-in at the gate is already open."""
    start = datetime.now(BERLIN) + timedelta(minutes=20)
    start = start.replace(minute=start.minute - start.minute % 5, second=0)
    end = min(start + timedelta(minutes=60), start.replace(hour=23, minute=59))
    return start.date().isoformat(), f"{start:%H:%M}", f"{end:%H:%M}"


def happened(workday_id: int) -> None:
    """Let two hours pass for this workday: it is over, and still inside the
    window in which check-ins count."""
    with sqlite3.connect(LIVE_DATABASE["path"]) as connection:
        for table, key in (("workday", "id"), ("shift", "workday_id")):
            connection.execute(
                f"update {table} set starts_at = datetime(starts_at, '-2 hours'), "  # noqa: S608
                f"ends_at = datetime(ends_at, '-2 hours') where {key} = ?",
                (workday_id,),
            )


def test_a_circle_welcomes_a_newcomer_and_celebrates_without_a_trace(
    page, browser, live_server
):
    tag = page.viewport_name

    def other():
        person = browser.new_context(base_url=live_server, **VIEWPORTS[tag]).new_page()
        person.viewport_name = tag
        return person

    circle = f"Tuesday Circle {tag}"

    # The coordinator makes a project by invitation, members-only by default.
    coordinator = page
    log_in(coordinator, "coordinator@example.org", "demo-coord-1234")
    coordinator.goto("/projects/new")
    coordinator.get_by_label("Name", exact=True).fill(circle)
    coordinator.get_by_label("Public name").fill(f"Garden evening {tag}")
    coordinator.get_by_label("By invitation: only with an invite link").check()
    coordinator.get_by_label("For members only: nobody else sees them").check()
    coordinator.get_by_label("What to expect (for newcomers)").fill(
        "Meet at the green shed; nobody has to share anything."
    )
    coordinator.get_by_role("button", name="Create project").click()
    expect(coordinator.get_by_role("heading", name=circle)).to_be_visible()
    slug = coordinator.url.rsplit("/", 1)[1]
    coordinator.get_by_role("link", name="Members").click()
    coordinator.get_by_label("Name this invitation").fill("First meeting")
    coordinator.get_by_role("button", name="Make an invitation").click()
    expect(coordinator.locator(".qr-figure svg")).to_be_visible()
    screenshot(coordinator, "invite-qr")
    link = coordinator.get_by_label("Invitation link").input_value()

    # Val joins too and offers to welcome newcomers.
    val = other()
    log_in(val, "volunteer@example.org", "demo-volunteer-1234")
    val.goto(link)
    val.get_by_role("button", name=f"Join {circle}").click()
    expect(val.get_by_text("Welcome! You are a member now.")).to_be_visible()
    val.get_by_role("button", name="I'm happy to welcome newcomers").click()

    # A members-only workday starting soon.
    day, start, end = soon_in_berlin()
    coordinator.goto(f"/projects/{slug}/workdays/new")
    coordinator.get_by_label("Title members see").fill(f"Circle potting {tag}")
    coordinator.get_by_label("Garden", exact=True).select_option(
        label="Riverside Community Garden"
    )
    coordinator.get_by_label("Date", exact=True).fill(day)
    coordinator.get_by_label("Starts").fill(start)
    coordinator.get_by_label("Ends").fill(end)
    coordinator.get_by_label("Shift name (shift 1)").fill("Potting")
    coordinator.get_by_label("From (shift 1)").fill(start)
    coordinator.get_by_label("Until (shift 1)").fill(end)
    coordinator.get_by_label("People (shift 1)").fill("6")
    expect(coordinator.get_by_label(re.compile("^Members only"))).to_be_checked()
    coordinator.get_by_role("button", name="Create the workday").click()
    expect(
        coordinator.get_by_role("heading", name=f"Circle potting {tag}")
    ).to_be_visible()
    workday_url = coordinator.url
    workday_id = int(workday_url.rsplit("/", 1)[1])

    # The newcomer follows the invitation, registers, comes back and joins.
    newcomer = other()
    newcomer.goto(link)
    expect(newcomer.get_by_text("nobody has to share anything")).to_be_visible()
    email = f"nervous-{uuid.uuid4().hex[:8]}@example.org"
    register(newcomer, f"Nell New {tag}", email)
    newcomer.goto(link)
    newcomer.get_by_role("button", name=f"Join {circle}").click()
    expect(newcomer.get_by_text("Welcome! You are a member now.")).to_be_visible()
    newcomer.goto(workday_url)
    expect(newcomer.get_by_text("Meet at the green shed")).to_be_visible()
    newcomer.get_by_text("Add a note or ask for a welcome buddy").click()
    newcomer.get_by_label("A note for the coordinators (optional)").fill(
        "A quiet task, please."
    )
    newcomer.get_by_label("I'd like someone to welcome me").check()
    newcomer.get_by_label("My welcome buddy may see my name").check()
    screenshot(newcomer, "sign-up-with-buddy")
    newcomer.get_by_role("button", name="Sign up for Potting").click()
    expect(newcomer.get_by_text("You're signed up for “Potting”")).to_be_visible()

    # The coordinator pairs Val and sees the first-timer at the gate.
    coordinator.goto(f"{workday_url}/roster")
    expect(coordinator.get_by_text("asked for a welcome buddy")).to_be_visible()
    expect(coordinator.get_by_text("A quiet task, please.")).to_be_visible()
    coordinator.get_by_label(re.compile("Welcome buddy for")).select_option(
        label="Val Volunteer"
    )
    coordinator.get_by_role("button", name="Pair").click()
    expect(
        coordinator.get_by_text("Paired: both of them have been told.")
    ).to_be_visible()
    coordinator.get_by_role("link", name="Check-in at the gate").click()
    row = coordinator.locator(".check-in-list li", has_text=f"Nell New {tag}")
    expect(row.get_by_text("first time")).to_be_visible()
    screenshot(coordinator, "check-in-first-time")
    row.get_by_role("button", name=re.compile("^Check in")).click()
    expect(coordinator.locator(".is-here", has_text=f"Nell New {tag}")).to_be_visible()
    newcomer.goto(workday_url)
    expect(newcomer.get_by_text("Someone will welcome you")).to_be_visible()
    nav(val, "My page")
    expect(val.locator("#welcoming").get_by_text(f"Nell New {tag}")).to_be_visible()

    # The newcomer sets a goal and asks Val to be their partner; Val accepts.
    nav(newcomer, "My page")
    newcomer.get_by_role("link", name="Set a goal").click()
    newcomer.get_by_label("In which project").select_option(label=circle)
    newcomer.get_by_label("Hours in all by the end date (for example 20)").check()
    newcomer.get_by_label("How many").fill("10")
    newcomer.get_by_label("Until").fill(
        (datetime.now(BERLIN).date() + timedelta(days=60)).isoformat()
    )
    newcomer.get_by_role("button", name="Set the goal").click()
    expect(newcomer.get_by_text("Your goal is set.")).to_be_visible()
    goals = newcomer.locator("#goals")
    goals.get_by_label("Ask a fellow member to be your partner").select_option(
        label="Val Volunteer"
    )
    goals.get_by_role("button", name="Ask").click()
    val.reload()
    partnering = val.locator("#partnering")
    partnering.get_by_role("button", name="Yes, gladly").click()
    expect(val.get_by_text("Thank you for being their partner.")).to_be_visible()

    # Afterwards: the coordinator thanks everyone who came.
    happened(workday_id)
    coordinator.goto(workday_url)
    coordinator.get_by_label("A thank-you for everyone who came").fill(
        f"Thank you for coming, {tag}! The pots look wonderful."
    )
    coordinator.get_by_role("button", name="Send thanks").click()
    expect(coordinator.get_by_text("Thank you for thanking them.")).to_be_visible()

    newcomer.reload()
    expect(
        newcomer.locator("#thanks").get_by_text("The pots look wonderful")
    ).to_be_visible()
    expect(newcomer.locator("#goals").get_by_text(re.compile(r"of 10"))).to_be_visible()
    screenshot(newcomer, "my-page-thanks-and-goal")
    val.reload()
    section = val.locator("#partnering")
    theirs = section.locator("li", has_text=f"Nell New {tag}")
    expect(theirs.locator("progress")).to_be_visible()
    expect(theirs.locator("progress")).not_to_have_attribute("value", "0")
    expect(section.get_by_text("Potting")).to_have_count(0)
    expect(section.get_by_text("green shed")).to_have_count(0)
    screenshot(val, "partner-sees-progress")

    # A stranger with an account sees none of it.
    stranger = other()
    log_in(stranger, "stranger@example.org", "demo-stranger-1234")
    assert stranger.goto(workday_url).status == 404
    stranger.goto(f"/projects/{slug}")
    expect(
        stranger.get_by_role("heading", name=f"Garden evening {tag}")
    ).to_be_visible()
    for secret in (circle, "Circle potting", "Nell New", "pots look wonderful"):
        for url in (f"/projects/{slug}", "/", "/calendar", "/me"):
            stranger.goto(url)
            expect(stranger.get_by_text(secret)).to_have_count(0)
    ics = stranger.request.get("/calendar.ics").text()
    assert "Circle potting" not in ics and circle not in ics
    screenshot(stranger, "stranger-project-page")

    # A stranger with an account finds none of it: not the workday, not the
    # circle's own name, not who came.
    stranger = other()
    log_in(stranger, "stranger@example.org", "demo-stranger-1234")
    assert stranger.goto(workday_url).status == 404
    for url in ("/", f"/projects/{slug}", "/calendar"):
        stranger.goto(url)
        body = stranger.locator("body")
        for secret in (
            circle,
            f"Circle potting {tag}",
            f"Nell New {tag}",
            "pots look wonderful",
        ):
            expect(body).not_to_contain_text(secret)
