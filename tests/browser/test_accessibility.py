"""axe-core on every main page, in both viewports and every language; the
sign-up journey by keyboard.

axe-core comes from the npm registry (tests/browser/package.json) and is injected
from disk: no network at run time. The context bypasses our own CSP only so the
injected script can run; the pages themselves are unchanged.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORTS, screenshot

pytestmark = pytest.mark.browser
AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"

PUBLIC_PAGES = [
    "/",
    "/calendar",
    "/projects",
    "/gardens",
    "/gardens/riverside-community-garden",
    "/login",
    "/register",
    "/register/check-email",
    "/verify",
    "/projects/saturday-garden-crew/tasks",
    "/join/demo-invite-evening-circle",
]
VOLUNTEER_PAGES = [
    "/me",
    "/my/shifts",
    "/my/tasks",
    "/my/plot",
    "/my/hours",
    "/my/calendar",
    "/profile",
    "/profile/notifications",
    "/profile/pause",
    "/me/goals/new",
    "/projects/saturday-garden-crew/celebrations",
]
COORDINATOR_PAGES = [
    "/dashboard",
    "/coordinate",
    "/projects/saturday-garden-crew",
    "/projects/saturday-garden-crew/series/new",
    "/projects/saturday-garden-crew/members",
    "/projects/saturday-garden-crew/edit",
    "/gardens/riverside-community-garden/waitlist",
    "/exports",
]


# Every page in English on both viewports, and in each other language on a
# phone (the narrow screen is where longer German words would hurt).
SETTINGS = [("desktop", "en"), ("phone", "en"), ("phone", "es"), ("phone", "de")]


@pytest.fixture(params=SETTINGS, ids=["-".join(s) for s in SETTINGS])
def axe_page(request, browser, live_server):
    viewport, language = request.param
    context = browser.new_context(
        base_url=live_server, bypass_csp=True, **VIEWPORTS[viewport]
    )
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    page = context.new_page()
    page.viewport_name = viewport if language == "en" else f"{viewport}-{language}"
    page.language = language
    yield page
    context.close()


def origin(page) -> str:
    return re.match(r"https?://[^/]+", page.url)[0]


def log_in(page, email: str, password: str) -> None:
    """By the fields' ids, so it works in every language."""
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile("/login"))
    expect(page.locator(".flashes")).to_be_visible()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact,
            targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [
        f"{v['id']} ({v['impact']}): {v['targets']}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def check(page, paths, prefix) -> None:
    found = {}
    for path in paths:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", page.language)
        name = prefix + (re.sub(r"[^a-z0-9]+", "-", path.strip("/")) or "home")
        screenshot(page, name)
        problems = serious_violations(page)
        if problems:
            found[path] = problems
    assert found == {}


def test_public_pages_have_no_serious_violations(axe_page):
    axe_page.goto("/")
    axe_page.get_by_role("link", name="Seed-saving workshop").first.click()
    workday = "/workdays/" + axe_page.url.split("/workdays/")[1]
    check(axe_page, [*PUBLIC_PAGES, workday], "a11y-")


def test_volunteer_pages_have_no_serious_violations(axe_page):
    log_in(axe_page, "volunteer@example.org", "demo-volunteer-1234")
    check(axe_page, VOLUNTEER_PAGES, "a11y-volunteer-")


def test_coordinator_pages_have_no_serious_violations(axe_page):
    log_in(axe_page, "coordinator@example.org", "demo-coord-1234")
    axe_page.goto("/")
    axe_page.get_by_role("link", name="Seed-saving workshop").first.click()
    workday = axe_page.url.split("/workdays/")[1]
    check(
        axe_page,
        [
            *COORDINATOR_PAGES,
            f"/workdays/{workday}/roster",
            f"/workdays/{workday}/check-in",
            f"/workdays/{workday}/edit",
        ],
        "a11y-coordinator-",
    )


def test_check_in_and_admin_pages_have_no_serious_violations(axe_page):
    log_in(axe_page, "coordinator@example.org", "demo-coord-1234")
    axe_page.goto("/")
    axe_page.get_by_role("link", name="Drop-in watering").first.click()
    workday = axe_page.url.split("/workdays/")[1]
    check(axe_page, [f"/workdays/{workday}/check-in"], "a11y-open-")
    # At the gate: the code on the coordinator's screen, the page it opens
    # (before scanning), and what the app shows without signal.
    code = axe_page.locator(".gate-code-link a").first.get_attribute("href")
    shift = code.split("/shifts/")[1].split("/")[0]
    check(axe_page, [code, f"/shifts/{shift}/here", "/offline"], "a11y-gate-")
    axe_page.context.clear_cookies()
    axe_page.context.add_cookies(
        [{"name": "lang", "value": axe_page.language, "url": origin(axe_page)}]
    )
    log_in(axe_page, "admin@example.org", "demo-admin-1234")
    check(
        axe_page,
        ["/admin/users", "/admin/audit", "/admin/audit?action=export", "/admin/outbox"],
        "a11y-admin-",
    )


def test_gate_screens_in_use_have_no_serious_violations(axe_page):
    """The check-in page with a change waiting to send (no signal), and the
    page a volunteer sees right after scanning the code."""
    log_in(axe_page, "coordinator@example.org", "demo-coord-1234")
    axe_page.goto("/")
    axe_page.get_by_role("link", name="Drop-in watering").first.click()
    workday = axe_page.url.split("/workdays/")[1]
    axe_page.goto(f"/workdays/{workday}/check-in")
    axe_page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    axe_page.reload()
    code = axe_page.locator(".gate-code-link a").first.get_attribute("href")
    shift = code.split("/shifts/")[1].split("/")[0]
    axe_page.context.set_offline(True)
    axe_page.locator("form[data-gate-action=check_in] button").first.click()
    expect(axe_page.locator(".waiting").first).to_be_visible()
    screenshot(axe_page, "a11y-gate-waiting")
    problems = serious_violations(axe_page)
    # Take the change back: nothing of this test reaches the server.
    axe_page.locator("button[data-pending]").first.click()
    expect(axe_page.locator(".waiting")).to_have_count(0)
    axe_page.context.set_offline(False)
    assert problems == []
    link = axe_page.request.get(f"/shifts/{shift}/code.svg").headers[
        "gardenhub-code-link"
    ]
    axe_page.goto(link)
    expect(axe_page).to_have_url(re.compile(f"/shifts/{shift}/here"))
    screenshot(axe_page, "a11y-gate-scanned")
    assert serious_violations(axe_page) == []


def press_tab_until(page, matcher, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        label = page.evaluate(
            "() => (document.activeElement.innerText || "
            "document.activeElement.getAttribute('aria-label') || "
            "document.activeElement.value || '').trim()"
        )
        if matcher(label):
            return
    raise AssertionError("never reached by Tab")


def test_sign_up_journey_by_keyboard_alone(page):
    page.goto("/login")
    press_tab_until(
        page, lambda _: page.evaluate("() => document.activeElement.id") == "email"
    )
    page.keyboard.type("volunteer@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-volunteer-1234")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Welcome back")).to_be_visible()
    page.goto("/")
    press_tab_until(page, lambda label: label == "Seed-saving workshop")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Seed-saving workshop")).to_be_visible()
    press_tab_until(page, lambda label: label.startswith(("Sign up", "Cancel my")))
    label = page.evaluate("() => document.activeElement.innerText.trim()")
    page.keyboard.press("Enter")
    if label.startswith("Sign up"):
        expect(page.get_by_text(re.compile("You're signed up for"))).to_be_visible()
        press_tab_until(page, lambda text: text.startswith("Cancel my sign-up"))
        page.keyboard.press("Enter")
    expect(page.get_by_text("The sign-up is cancelled")).to_be_visible()
