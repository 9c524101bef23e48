"""A newcomer registers, sees their profile, logs out and back in."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import emailed_link, nav, register, screenshot

pytestmark = pytest.mark.browser


def test_newcomer_registers_and_sees_profile(page):
    email = f"newcomer-{uuid.uuid4().hex[:8]}@example.org"
    page.goto("/")
    screenshot(page, "home")
    nav(page, "Join")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name shown in GardenHub").fill("Nova Newcomer")
    page.get_by_label("Password").fill("a long password")
    screenshot(page, "register")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    screenshot(page, "check-email")
    page.goto(emailed_link(email, "confirm_email"))
    page.get_by_role("button", name="Confirm and log in").click()
    expect(page.get_by_text("Your account is ready")).to_be_visible()

    nav(page, "Profile")
    expect(page.get_by_label("Name shown in GardenHub")).to_have_value("Nova Newcomer")
    expect(page.get_by_label("Show my name to fellow volunteers")).not_to_be_checked()
    screenshot(page, "profile")

    nav(page, "Log out", role="button")
    expect(page.get_by_text("You are logged out")).to_be_visible()
    nav(page, "Log in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("a long password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome back, Nova Newcomer")).to_be_visible()


def test_registration_errors_are_summed_up_and_shown_next_to_fields(page):
    page.goto("/register")
    page.get_by_label("Email").fill("someone@example.org")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create my account").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("link")).to_have_count(2)
    summary.get_by_role("link", name="Password: Use 8 to 128 characters.").click()
    expect(page.get_by_label("Password")).to_be_focused()
    expect(page.get_by_text("Tell us what to call you.").first).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("someone@example.org")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")


def test_a_known_address_gets_the_same_answer(page):
    page.goto("/register")
    page.get_by_label("Email").fill("volunteer@example.org")
    page.get_by_label("Name shown in GardenHub").fill("Someone Else")
    page.get_by_label("Password").fill("a long password")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert "/login" in emailed_link("volunteer@example.org", "registration_attempt")


def test_join_from_a_workday_comes_back_to_it(page):
    page.goto("/")
    page.get_by_role("link", name="Seed-saving workshop").first.click()
    workday = page.url
    register(
        page, "Jo Joiner", f"jo-{uuid.uuid4().hex[:8]}@example.org", from_page=True
    )
    assert page.url == workday
    expect(page.get_by_role("heading", name="Seed-saving workshop")).to_be_visible()
