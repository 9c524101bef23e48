"""A coordinator assigns a task; a volunteer claims another and marks it done."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import nav, screenshot

pytestmark = pytest.mark.browser


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def test_coordinator_assigns_and_volunteer_claims_and_finishes(
    page, browser, live_server
):
    suffix = uuid.uuid4().hex[:6]
    log_in(page, "coordinator@example.org", "demo-coord-1234")
    nav(page, "Coordinate")
    page.get_by_role("link", name="Needs attention").click()
    expect(page.get_by_role("link", name="Bring 20 tomato seedlings")).to_be_visible()
    screenshot(page, "needs-attention")

    for title in (f"Sweep the path {suffix}", f"Label the beds {suffix}"):
        page.goto("/projects/saturday-garden-crew/tasks/new")
        page.get_by_label("What needs doing").fill(title)
        page.get_by_role("button", name="Add task").click()
        expect(page.get_by_text("The task is on the board.")).to_be_visible()
    page.get_by_label("Person's email").fill("volunteer@example.org")
    page.get_by_role("button", name="Assign").click()
    expect(
        page.get_by_text(f"Val Volunteer is on “Label the beds {suffix}”")
    ).to_be_visible()
    screenshot(page, "task")

    volunteer = browser.new_page(base_url=live_server, viewport=page.viewport_size)
    log_in(volunteer, "volunteer@example.org", "demo-volunteer-1234")
    volunteer.goto("/projects/saturday-garden-crew/tasks")
    volunteer.get_by_role("link", name=f"Sweep the path {suffix}").click()
    volunteer.get_by_role("button", name="I'll do it").click()
    expect(volunteer.get_by_text("is yours")).to_be_visible()
    nav(volunteer, "My page")
    volunteer.get_by_role("link", name="All my tasks").click()
    expect(
        volunteer.get_by_role("link", name=f"Label the beds {suffix}")
    ).to_be_visible()
    volunteer.get_by_role("link", name=f"Sweep the path {suffix}").click()
    volunteer.get_by_label("Note (optional)").fill("Swept and weeded")
    volunteer.get_by_role("button", name="Mark as done").click()
    expect(volunteer.get_by_text(re.compile("is done. Well done!"))).to_be_visible()
    volunteer.close()

    page.goto("/projects/saturday-garden-crew/tasks?status=done")
    expect(page.get_by_role("link", name=f"Sweep the path {suffix}")).to_be_visible()
    screenshot(page, "task-board")
