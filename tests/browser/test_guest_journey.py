"""A neighbour without an account signs up from the public page on a phone,
confirms from the emailed link, adds the shift to a calendar and cancels."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import emailed_link, screenshot

pytestmark = pytest.mark.browser


def test_a_neighbour_signs_up_without_an_account(browser, live_server):
    from tests.browser.conftest import VIEWPORTS

    context = browser.new_context(base_url=live_server, **VIEWPORTS["phone"])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.viewport_name = "phone"
    email = f"{uuid.uuid4().hex[:10]}@example.org"

    page.goto("/")
    page.get_by_role("link", name="Seed-saving workshop").first.click()
    shift = page.locator(".shift", has_text="Workshop")
    shift.get_by_role("link", name=re.compile("^Sign up without an account")).click()
    expect(
        page.get_by_role("heading", name="Sign up without an account")
    ).to_be_visible()
    screenshot(page, "guest-form")
    page.get_by_label("Your name").fill("Nadia")
    page.get_by_label("Email address or mobile number").fill(email)
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("heading", name="Check your messages")).to_be_visible()

    page.goto(emailed_link(email, "guest_link"))
    expect(page.get_by_role("heading", name="Your garden shift")).to_be_visible()
    page.get_by_role("button", name="Confirm my seat").click()
    expect(page.get_by_text("Your seat is confirmed. See you there!")).to_be_visible()
    expect(page.get_by_text("You have a seat")).to_be_visible()
    screenshot(page, "guest-link-confirmed")
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    assert download.value.suggested_filename.endswith(".ics")

    page.get_by_role("button", name="Cancel my seat").click()
    expect(page.get_by_text("The sign-up is cancelled")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm my seat")).to_be_visible()
    # The link never logged anyone in.
    page.goto("/me")
    expect(page).to_have_url(re.compile("/login"))
    context.close()
