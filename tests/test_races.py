"""Races through HTTP: the loser gets the same friendly answer as the one who
came second in a queue, and every rule that counts still holds.

Each racer is a test client of its own, so every request has its own app
context, session and database connection and commits for real. Runs on SQLite
in `make test` (BEGIN IMMEDIATE makes writers take turns) and on PostgreSQL in
`.ci/run`, where the row locks and unique indexes do the work.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gardenhub.accounts.models import Role, User
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.guests.models import GuestPass
from gardenhub.hours.models import HoursEntry
from gardenhub.notifications.models import Notification
from gardenhub.plots import waitlist
from gardenhub.plots.models import Plot, PlotOffer, PlotRequest
from gardenhub.projects.models import Project


def race(app, requests: list[tuple]) -> list[tuple[int, str, list]]:
    """Send each (user or None, method, url, data) at the same moment; data
    `{"json": body}` is sent as JSON.

    Returns (status, body, flashes) per request, in the order given."""
    start = threading.Barrier(len(requests))
    requests = [
        (user and user.session_token, method, url, data)
        for user, method, url, data in requests
    ]
    # Reading the tokens began a transaction; on SQLite it holds the write
    # lock, so end it before the racers start.
    db.session.commit()

    def send(request):
        token, method, url, data = request
        client = app.test_client()
        if token is not None:
            with client.session_transaction() as session:
                session["_user_id"] = token
                session["_fresh"] = True
        start.wait(timeout=60)
        body = (
            {"json": data["json"]} if data and set(data) == {"json"} else {"data": data}
        )
        response = client.open(url, method=method, **body)
        with client.session_transaction() as session:
            flashes = list(session.get("_flashes", []))
        return response.status_code, response.get_data(as_text=True), flashes

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        results = list(pool.map(send, requests))
    db.session.expire_all()
    for status, body, _ in results:
        assert status < 500, body
    return results


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.coordinator)


@pytest.fixture
def garden(make_garden, coordinator):
    garden = make_garden()
    garden.coordinators.append(coordinator)
    db.session.commit()
    return garden


def test_a_double_clicked_plot_request_is_one_request(app, garden, make_user):
    person = make_user()
    data = {"notes": "", "min_size": ""}
    results = race(app, [(person, "POST", f"/gardens/{garden.slug}/request", data)] * 2)
    assert sorted(status for status, _, _ in results) == [302, 422]
    refused = next(body for status, body, _ in results if status == 422)
    assert "You are already on this garden&#39;s waitlist." in refused
    assert count(PlotRequest) == 1


def test_two_registrations_of_one_address_get_the_same_answer(app):
    """As when someone registers twice in a row: one account, and the link to
    confirm it sent each time."""
    data = {"email": "twin@example.org", "display_name": "Twin", "password": "x" * 10}
    results = race(app, [(None, "POST", "/register", data)] * 2)
    assert [r[:1] for r in results] == [(302,), (302,)]
    assert count(User) == 1
    kinds = sorted(db.session.scalars(select(Notification.kind)))
    assert kinds == ["confirm_email", "confirm_email"]


def test_two_projects_with_one_public_name_both_get_a_slug(app, make_user):
    racers = [make_user(Role.coordinator) for _ in range(2)]
    data = {
        "name": "Crew",
        "public_name": "Garden crew",
        "timezone": "Europe/Berlin",
        "colour": "#2f6b3a",
        "garden_id": "0",
    }
    results = race(app, [(person, "POST", "/projects/new", data) for person in racers])
    assert [status for status, _, _ in results] == [302, 302]
    slugs = sorted(db.session.scalars(select(Project.slug)))
    assert slugs == ["garden-crew", "garden-crew-2"]


def plot_form(label: str, x: int) -> dict:
    return {
        "label": label,
        "kind": "raised_bed",
        "size": "10",
        "size_unit": "m²",
        "x": str(x),
        "y": "0",
        "width": "2",
        "height": "2",
    }


def test_two_plots_with_one_label_save_once(app, garden, coordinator):
    url = f"/gardens/{garden.slug}/plots/new"
    results = race(
        app,
        [
            (coordinator, "POST", url, plot_form("A1", 0)),
            (coordinator, "POST", url, plot_form("a1", 5)),
        ],
    )
    assert sorted(status for status, _, _ in results) == [302, 422]
    refused = next(body for status, body, _ in results if status == 422)
    assert "This garden already has a plot" in refused
    assert count(Plot) == 1


def test_two_plots_on_one_map_spot_save_once(app, garden, coordinator):
    url = f"/gardens/{garden.slug}/plots/new"
    results = race(
        app,
        [
            (coordinator, "POST", url, plot_form("A1", 0)),
            (coordinator, "POST", url, plot_form("B1", 1)),
        ],
    )
    assert sorted(status for status, _, _ in results) == [302, 422]
    refused = next(body for status, body, _ in results if status == 422)
    assert "That spot overlaps plot" in refused
    assert count(Plot) == 1


def test_two_plots_offered_to_one_request_make_one_offer(
    app, garden, coordinator, make_user
):
    plots = [
        Plot(garden=garden, label=f"P{n}", size=10, x=n * 3, y=0) for n in range(2)
    ]
    db.session.add_all(plots)
    request = waitlist.request_plot(
        garden,
        make_user(),
        min_size=None,
        needs_accessible=False,
        notes=None,
        now=utcnow(),
    )
    db.session.commit()
    results = race(
        app,
        [
            (coordinator, "POST", f"/plots/{plot.id}/offer", {"request_id": request.id})
            for plot in plots
        ],
    )
    flashes = sorted(flash for _, _, flashes in results for flash in flashes)
    assert [category for category, _ in flashes] == ["error", "success"]
    assert flashes[0][1] == "That request is not waiting for this garden."
    assert count(PlotOffer) == 1


def test_eight_twenty_hour_entries_on_one_day_store_at_most_24(
    app, make_user, make_project, make_member
):
    person = make_user()
    project = make_project()
    make_member(project, person)
    day = (utcnow() - timedelta(days=2)).date().isoformat()
    data = {
        "project_id": str(project.id),
        "worked_on": day,
        "hours": "20",
        "description": "Long day",
    }
    results = race(app, [(person, "POST", "/my/hours", data)] * 8)
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [302] + [422] * 7
    assert all(
        "That makes more than 24 hours on one day." in body
        for status, body, _ in results
        if status == 422
    )
    assert db.session.scalar(select(func.sum(HoursEntry.hours))) == 20


def test_an_invitation_for_three_admits_exactly_three_of_eight(
    app, make_user, make_project
):
    from gardenhub.projects import membership
    from gardenhub.projects.models import Membership

    coordinator = make_user(Role.coordinator)
    project = make_project(coordinators=[coordinator])
    project.join_mode = "invitation"
    invite, secret = membership.create_invite(
        project,
        label="Open evening",
        days=7,
        max_uses=3,
        actor=coordinator,
        now=utcnow(),
    )
    db.session.commit()
    people = [make_user() for _ in range(8)]
    results = race(app, [(p, "POST", f"/join/{secret}", {}) for p in people])
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [302] * 3 + [410] * 5
    assert all("used up" in body for status, body, _ in results if status == 410)
    assert (
        db.session.scalar(
            select(func.count(Membership.id)).where(
                Membership.project_id == project.id, Membership.status == "member"
            )
        )
        == 3
    )
    db.session.refresh(invite)
    assert invite.uses == 3


def test_two_guest_sign_ups_of_one_address_get_the_same_answer(app, make_workday):
    """A double-clicked "Send me the link": one guest, one link (the newer
    one), and both see "check your messages"."""
    workday = make_workday()
    workday.project.join_mode = "open"
    db.session.commit()
    shift = workday.shifts[0]
    data = {"name": "Nadia", "contact": "nadia@example.org"}
    results = race(app, [(None, "POST", f"/shifts/{shift.id}/guest", data)] * 2)
    assert [status for status, _, _ in results] == [302, 302]
    assert count(User) == 1
    assert count(GuestPass) == 1
    assert count(Notification, Notification.kind == "guest_link") == 2


def test_one_queued_check_in_sent_twice_at_once_counts_once(
    app, make_project, make_workday, make_signup, make_user
):
    """A phone retrying on a flaky line while its first try is still on its
    way, and a second coordinator checking the same person in: one check-in,
    and the twin gets the first answer."""
    from gardenhub.hours.models import GateAction
    from gardenhub.workdays.models import Signup

    coordinators = [make_user(Role.coordinator) for _ in range(2)]
    workday = make_workday(
        project=make_project(coordinators=coordinators), days=0.04, capacities=(4,)
    )
    signup = make_signup(workday.shifts[0])
    url = f"/workdays/{workday.id}/check-in/sync"
    action = {"key": "k" * 36, "kind": "check_in", "signup": signup.id}
    other = {**action, "key": "o" * 36}
    results = race(
        app,
        [
            (coordinators[0], "POST", url, {"json": {"actions": [action]}}),
            (coordinators[0], "POST", url, {"json": {"actions": [action]}}),
            (coordinators[1], "POST", url, {"json": {"actions": [other]}}),
        ],
    )
    assert [status for status, _, _ in results] == [200, 200, 200]
    assert all("checked in" in body for _, body, _ in results)
    assert count(Signup, Signup.checked_in_at.is_not(None)) == 1
    assert count(GateAction) == 2


def test_two_scanners_for_the_last_seat_get_one_seat(
    app, make_project, make_workday, make_signup, make_user
):
    from gardenhub.hours import gate
    from gardenhub.workdays.models import Signup

    shift = make_workday(project=make_project(), days=0.04, capacities=(1,)).shifts[0]
    code = gate.code_for(shift, utcnow())
    racers = [make_user() for _ in range(2)]
    clients = []
    for person in racers:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = person.session_token
            session["_fresh"] = True
        client.get(f"/c/{code}")
        clients.append(client)
    url = f"/shifts/{shift.id}/here"
    db.session.commit()
    start = threading.Barrier(2)

    def tap(client):
        start.wait(timeout=60)
        response = client.post(url, follow_redirects=True)
        return response.status_code, response.get_data(as_text=True)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(tap, clients))
    db.session.expire_all()
    assert [status for status, _ in results] == [200, 200]
    bodies = sorted(body for _, body in results)
    assert sum("This shift is full" in body for body in bodies) == 1
    assert count(Signup, Signup.status == "confirmed") == 1
    assert db.session.get(type(shift), shift.id).capacity == 1
