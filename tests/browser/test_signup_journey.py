"""A newcomer finds a workday from the home page, signs up, sees it, cancels."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import nav, register, screenshot

pytestmark = pytest.mark.browser


def newcomer(page, name: str) -> None:
    register(page, name, f"{uuid.uuid4().hex[:10]}@example.org")


def test_newcomer_signs_up_for_a_shift_and_cancels(page):
    newcomer(page, "Nia Newcomer")
    page.goto("/")
    screenshot(page, "home-logged-in")
    page.get_by_role("link", name="Seed-saving workshop").first.click()
    expect(page.get_by_role("heading", name="Seed-saving workshop")).to_be_visible()
    screenshot(page, "workday")
    page.get_by_role("button", name="Sign up for Workshop").click()
    expect(page.get_by_text("You're signed up for “Workshop”")).to_be_visible()

    nav(page, "My page")
    page.get_by_role("link", name="All my shifts").click()
    item = page.locator(".workday-item", has_text="Workshop")
    expect(item.get_by_text("Confirmed")).to_be_visible()
    screenshot(page, "my-shifts")
    item.get_by_role("button", name=re.compile("Cancel")).click()
    expect(page.get_by_text("The sign-up is cancelled")).to_be_visible()
    expect(page.get_by_text("You have no upcoming shifts")).to_be_visible()


def test_full_shift_offers_the_waitlist(page):
    newcomer(page, "Wes Waitlist")
    page.goto("/")
    # Not a member of the crew: the public title, never the group's own.
    expect(page.get_by_text("Saturday Garden Crew")).to_have_count(0)
    page.get_by_role("link", name="Community garden workday").first.click()
    shift = page.locator(".shift", has_text="Morning watering")
    expect(shift.get_by_text("3 of 3 filled")).to_be_visible()
    shift.get_by_role("button", name="Join the waitlist").click()
    expect(
        page.get_by_text(re.compile(r"on the waitlist \(number \d\)"))
    ).to_be_visible()
    screenshot(page, "workday-waitlisted")
