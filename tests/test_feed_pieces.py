"""Public feeds are assembled from serialized events kept by what each
depends on (gardenhub/feeds/views.py `_public_pieces`): after any series of
changes the bytes are exactly a full build's, and one sign-up re-serializes
one event."""

import random

import pytest
from icalendar import Calendar

from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.feeds import views as feed_views
from gardenhub.feeds.cache import feeds
from gardenhub.workdays import signups
from gardenhub.workdays.models import Signup, SignupStatus

FEEDS = ("/calendar.ics", "/calendar.ics?lang=de")


@pytest.fixture
def world(make_project, make_garden, make_workday):
    gardens = [make_garden(), make_garden(timezone="America/New_York")]
    projects = [make_project(garden=garden) for garden in gardens for _ in range(2)]
    workdays = [
        make_workday(project=project, days=days, capacities=(3, 2))
        for project in projects
        for days in (1, 4, 9)
    ]
    return gardens, projects, workdays


def full_build(client, path: str) -> bytes:
    feeds.clear()
    return client.get(path).get_data()


def test_random_changes_keep_the_bytes_of_a_full_build(
    client, world, make_user, make_signup
):
    gardens, projects, workdays = world
    people = [make_user() for _ in range(6)]
    pick = random.Random(22)

    def sign_up():
        shift = pick.choice(pick.choice(workdays).shifts)
        person = pick.choice(people)
        if signups.active_signup(shift, person) is None:
            make_signup(shift, person)

    def cancel():
        active = db.session.scalars(
            db.select(Signup).where(Signup.status == SignupStatus.confirmed)
        ).all()
        if active:
            signup = pick.choice(active)
            signups.cancel(signup, actor=signup.volunteer, now=utcnow())

    def capacity():
        shift = pick.choice(pick.choice(workdays).shifts)
        signups.set_capacity(shift, pick.randint(1, 6), now=utcnow())

    def retitle():
        workday = pick.choice(workdays)
        workday.public_title = f"Workday {pick.randint(1, 999)}"
        workday.touch(utcnow())

    def rename_project():
        pick.choice(projects).public_name = f"Circle {pick.randint(1, 999)}"

    def move_garden():
        pick.choice(gardens).address = f"{pick.randint(1, 99)} Orchard Lane"

    def hide():
        workday = pick.choice(workdays)
        workday.visibility = "members" if workday.visibility == "public" else "public"
        workday.touch(utcnow())

    changes = [sign_up, cancel, capacity, retitle, rename_project, move_garden, hide]
    for path in FEEDS:
        client.get(path)  # every piece cached before the first change
    for _ in range(40):
        pick.choice(changes)()
        db.session.commit()
        served = {path: client.get(path).get_data() for path in FEEDS}
        for path in FEEDS:
            assert served[path] == full_build(client, path), path
            client.get(path)  # the full build warmed the cache: warm it again
            Calendar.from_ical(served[path])


def test_one_sign_up_loads_and_serializes_one_event(
    client, world, make_signup, count_queries, monkeypatch
):
    _gardens, _projects, workdays = world
    client.get("/calendar.ics")
    serialized = []
    original = feed_views.piece
    monkeypatch.setattr(
        feed_views, "piece", lambda event: serialized.append(event) or original(event)
    )
    make_signup(workdays[2].shifts[0])
    with count_queries() as queries:
        body = client.get("/calendar.ics").get_data(as_text=True)
    assert [event.uid.split("@")[0] for event in serialized] == [
        f"workday-{workdays[2].id}"
    ]
    assert "4 spots open" in body
    # The stamps, the one workday and its seats, the Last-Modified stamp.
    assert len(queries) <= 5, queries
