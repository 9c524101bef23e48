"""A neighbour finds the subscribe links; a volunteer makes and revokes a feed link."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import nav, screenshot

pytestmark = pytest.mark.browser


def test_neighbour_sees_subscribe_links_and_qr_code(page, live_server):
    page.goto("/calendar")
    box = page.locator("details.subscribe")
    box.locator("> summary").click()
    host = live_server.split("://", 1)[1]
    expect(
        box.get_by_role("link", name="Apple, Outlook desktop, Thunderbird")
    ).to_have_attribute("href", f"webcal://{host}/calendar.ics")
    expect(box.get_by_role("link", name="Add to Google Calendar")).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/calendar/r\?cid=webcal")
    )
    expect(box.get_by_role("link", name="Add to Outlook.com")).to_have_attribute(
        "href", re.compile(r"^https://outlook\.live\.com/calendar/0/addfromweb\?url=")
    )
    expect(box.get_by_label("Or copy the address into any calendar app")).to_have_value(
        f"{live_server}/calendar.ics"
    )
    expect(box.locator("svg.qr")).to_be_visible()
    expect(box.get_by_role("button", name="Copy")).to_be_visible()
    screenshot(page, "month-subscribe")
    feed = page.request.get(f"{live_server}/calendar.ics")
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "BEGIN:VEVENT" in feed.text()


def test_volunteer_creates_a_private_feed_link_and_revokes_it(page, live_server):
    page.goto("/login")
    page.get_by_label("Email").fill("volunteer@example.org")
    page.get_by_label("Password").fill("demo-volunteer-1234")
    page.get_by_role("button", name="Log in").click()
    nav(page, "My page")
    page.get_by_role("link", name="All my shifts").click()
    page.get_by_role("link", name="Put my shifts in my calendar").click()
    device = f"phone {uuid.uuid4().hex[:6]}"
    page.get_by_label("Name this link").fill(device)
    page.get_by_role("button", name="Create link").click()
    expect(page.get_by_text(f"Your new link “{device}” is ready.")).to_be_visible()
    url = page.get_by_label("Or copy the address into any calendar app").input_value()
    assert re.fullmatch(rf"{live_server}/feeds/[\w-]{{43}}\.ics", url)
    screenshot(page, "my-calendar")
    assert page.request.get(url).status == 200

    row = page.locator("tr", has_text=device)
    row.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.get_by_text(f"The feed link “{device}” is revoked")).to_be_visible()
    expect(page.locator("tr", has_text=device).get_by_text("revoked")).to_be_visible()
    assert page.request.get(url).status == 404
