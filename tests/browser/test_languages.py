"""A Spanish-speaking newcomer on a phone: register, sign up, cancel, subscribe.

Every label the test looks for is the Spanish catalog's translation of the
English, so the test fails if the page shows English (or a string the catalog
does not translate).
"""

import re
import sqlite3
import uuid
from pathlib import Path

import pytest
from babel.support import Translations
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.conftest import (
    LIVE_DATABASE,
    VIEWPORTS,
    emailed_link,
    nav,
    screenshot,
)

pytestmark = pytest.mark.browser
I18N = Path(__file__).parents[2] / "gardenhub" / "translations"
SPANISH = Translations.load(str(I18N), ["es"])


def es(text: str, **values) -> str:
    translated = SPANISH.gettext(text)
    assert translated != text, f"no Spanish for {text!r}"
    return translated % values if values else translated


@pytest.fixture
def phone_in_spanish(browser, live_server):
    context = browser.new_context(
        base_url=live_server, locale="es-ES", **VIEWPORTS["phone"]
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.viewport_name = "phone-es"
    yield page
    context.close()


def newest_message(address: str) -> tuple[str, str]:
    with sqlite3.connect(LIVE_DATABASE["path"]) as connection:
        return connection.execute(
            "select kind, subject from notification where to_address = ? "
            "order by id desc limit 1",
            (address,),
        ).fetchone()


def test_a_spanish_speaking_newcomer_signs_up_cancels_and_subscribes(
    phone_in_spanish, live_server
):
    page = phone_in_spanish
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".main-nav")).to_contain_text(es("Workdays"))
    screenshot(page, "es-home")

    # Register from the header, as a newcomer would; the email is in Spanish.
    email = f"{uuid.uuid4().hex[:10]}@example.org"
    nav(page, es("Join"))
    page.get_by_label(es("Email")).fill(email)
    page.get_by_label(es("Name shown in GardenHub")).fill("Lucía")
    page.get_by_label(es("Password")).fill("a long password")
    page.get_by_role("button", name=es("Create my account")).click()
    expect(page.get_by_role("heading", name=es("Check your email"))).to_be_visible()
    assert newest_message(email) == (
        "confirm_email",
        es("Confirm your GardenHub account"),
    )
    page.goto(emailed_link(email, "confirm_email"))
    page.get_by_role("button", name=es("Confirm and log in")).click()
    expect(
        page.get_by_text(es("Welcome to GardenHub! Your account is ready."))
    ).to_be_visible()

    # Sign up for the workshop; the confirmation email speaks Spanish too.
    page.goto("/")
    page.get_by_role("link", name="Seed-saving workshop").first.click()
    when = page.locator("dd").first
    expect(when).to_have_text(re.compile(r"^(lun|mar|mié|jue|vie|sáb|dom), \d+ "))
    shift = page.locator(".shift", has_text="Workshop")
    shift.get_by_role(
        "button", name=es("Sign up") + " " + es("for %(shift)s", shift="Workshop")
    ).click()
    expect(
        page.get_by_text(
            es("You're signed up for “%(shift)s”. Thank you!", shift="Workshop")
        )
    ).to_be_visible()
    kind, subject = newest_message(email)
    assert kind == "signup_confirmed"
    assert subject != "" and not re.search(r"\b(You|your|signed)\b", subject)
    screenshot(page, "es-signed-up")

    # Cancel from the same page.
    page.get_by_role(
        "button",
        name=es("Cancel my sign-up") + " " + es("for %(shift)s", shift="Workshop"),
    ).click()
    expect(
        page.get_by_text(es("The sign-up is cancelled. Thanks for letting us know."))
    ).to_be_visible()

    # Subscribe from the home page: the links give the feed in Spanish.
    page.goto("/")
    page.get_by_text(es("Subscribe to all workdays in your calendar")).click()
    address = page.locator("#subscribe-url").input_value()
    assert address.endswith("?lang=es")
    webcal = page.get_by_role("link", name=es("Apple, Outlook desktop, Thunderbird"))
    expect(webcal.first).to_have_attribute("href", re.compile(r"^webcal://.*lang=es$"))
    feed = page.request.get(address)
    assert feed.ok
    assert feed.headers["content-language"] == "es"
    calendar = Calendar.from_ical(feed.body())
    assert str(calendar["X-WR-CALNAME"]) == es("GardenHub: all workdays")
    screenshot(page, "es-subscribe")
