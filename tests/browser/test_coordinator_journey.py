"""A coordinator plans a weekly series, edits one occurrence, cancels another."""

import re

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import future_date

pytestmark = pytest.mark.browser


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def test_coordinator_plans_edits_and_cancels(page):
    title = f"Herb bed crew {page.viewport_name}"
    log_in(page, "coordinator@example.org", "demo-coord-1234")
    page.goto("/projects/saturday-garden-crew")
    page.get_by_role("link", name="Plan a recurring workday").click()
    page.get_by_label("Title members see").fill(title)
    page.get_by_label("Wed").check()
    first = future_date("2027-06-02")  # a Wednesday
    page.get_by_label("First date").fill(first.isoformat())
    page.get_by_label("…or number of workdays").fill("4")
    page.get_by_label("Starts").fill("17:00")
    page.get_by_label("Ends").fill("19:00")
    page.get_by_label("Shift name (shift 1)").fill("Planting")
    page.get_by_label("From (shift 1)").fill("17:00")
    page.get_by_label("Until (shift 1)").fill("18:00")
    page.get_by_label("People (shift 1)").fill("4")
    page.get_by_label("Shift name (shift 2)").fill("Watering")
    page.get_by_label("From (shift 2)").fill("18:00")
    page.get_by_label("Until (shift 2)").fill("19:00")
    page.get_by_label("People (shift 2)").fill("2")
    screenshot(page, "new-series")
    page.get_by_role("button", name="Create the series").click()
    expect(
        page.get_by_text(
            "Every Wednesday, 17:00–19:00, 4 times: the workdays are planned."
        )
    ).to_be_visible()

    page.goto("/?project=saturday-garden-crew")
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_text("0 of 4 filled")).to_be_visible()
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Starts").fill("17:30")
    page.get_by_label("Ends").fill("19:30")
    page.get_by_label("Only this workday").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved (1 workday)")).to_be_visible()
    expect(
        page.get_by_text(f"{format_date(first, 'EEE d MMM y', 'en_GB')}, 17:30–19:30")
    ).to_be_visible()

    page.goto(f"/calendar?month={first:%Y-%m}")
    page.get_by_role("link", name=re.compile(f"17:00 {title}")).first.click()
    page.get_by_role("link", name="Cancel workday").click()
    page.get_by_label("Reason (shown to members)").fill("Rain forecast")
    page.get_by_role("button", name="Cancel the workday").click()
    expect(page.get_by_text("This workday is cancelled.")).to_be_visible()
    screenshot(page, "workday-cancelled")
