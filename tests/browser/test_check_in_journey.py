"""A coordinator checks people in at the gate, then sees the dashboard."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import nav, screenshot

pytestmark = pytest.mark.browser


def test_coordinator_checks_people_in_on_the_roster(page):
    page.goto("/login")
    page.get_by_label("Email").fill("coordinator@example.org")
    page.get_by_label("Password").fill("demo-coord-1234")
    page.get_by_role("button", name="Log in").click()
    page.goto("/")
    # The demo's drop-in watering starts within the hour: check-in is open.
    page.get_by_role("link", name="Drop-in watering").first.click()
    page.get_by_role("link", name="Roster").click()
    page.get_by_role("link", name="Check-in at the gate").click()
    expect(page.get_by_role("heading", name="Check-in")).to_be_visible()
    screenshot(page, "check-in")
    buttons = page.get_by_role("button", name=re.compile(r"^Check in "))
    before = buttons.count()
    assert before > 0
    buttons.first.click()
    expect(page.get_by_role("button", name=re.compile(r"^Check in "))).to_have_count(
        before - 1
    )
    page.get_by_role("button", name=re.compile(r"Here · undo")).first.click()
    expect(page.get_by_role("button", name=re.compile(r"^Check in "))).to_have_count(
        before
    )
    workshop = page.locator(
        "section.check-in-shift", has_text="Add a walk-in to Watering"
    )
    workshop.get_by_text("Add a walk-in to Watering").click()
    guest = f"Gate Guest {page.viewport_name}"
    workshop.get_by_label("…or a guest's name").fill(guest)
    workshop.get_by_role("button", name="Add and check in").click()
    expect(page.get_by_text("Walk-in added and checked in.")).to_be_visible()
    expect(page.locator(".is-here", has_text=guest)).to_be_visible()
    nav(page, "Coordinate")
    expect(
        page.get_by_role("img", name=re.compile("Volunteer hours per month"))
    ).to_be_visible()
    screenshot(page, "dashboard")
