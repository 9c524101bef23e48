"""A neighbour sees the garden map; a volunteer requests a plot and sees their place."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import nav, register, screenshot

pytestmark = pytest.mark.browser


def test_neighbour_sees_the_map_without_names(page):
    page.goto("/gardens/riverside-community-garden")
    expect(
        page.get_by_role("group", name=re.compile("Map of Riverside"))
    ).to_be_visible()
    expect(page.get_by_role("link", name="Plot A1, assigned")).to_be_visible()
    expect(
        page.get_by_role("table", name="Plots of Riverside Community Garden")
    ).to_be_visible()
    assert "(demo)" not in page.content()
    screenshot(page, "garden-map")


def test_volunteer_requests_a_plot_and_sees_their_place(page):
    register(page, "Pia Plotseeker", f"{uuid.uuid4().hex[:10]}@example.org")
    page.goto("/gardens/riverside-community-garden")
    page.get_by_role("link", name="Request a plot").click()
    page.get_by_label("I need an accessible").check()
    page.get_by_role("button", name="Join the waitlist").click()
    expect(
        page.get_by_text(re.compile(r"You are on the waitlist for Riverside"))
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"You are number \d+ in line"))).to_be_visible()
    screenshot(page, "my-plot")
    nav(page, "My page")
    page.get_by_role("link", name="My plot and waitlist").click()
    page.get_by_role("button", name="Leave the waitlist").click()
    expect(page.get_by_text("You have left the waitlist.")).to_be_visible()
