"""Coordinators plan workdays, series and shifts; edits, cancellation, permissions."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from gardenhub.accounts.models import Role
from gardenhub.extensions import db
from gardenhub.timezones import to_local
from gardenhub.workdays.models import Shift, Signup, Workday, WorkdaySeries
from tests.conftest import FUTURE_STEPS, future, future_date


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.coordinator, name="Casey")


@pytest.fixture
def project(make_project, make_garden, coordinator):
    return make_project(
        coordinators=[coordinator], garden=make_garden(timezone="Europe/Berlin")
    )


def workday_form(project, **overrides):
    form = {
        "title": "Saturday crew",
        "public_title": "Garden workday",
        "description": "Bring gloves",
        "garden_id": str(project.garden_id),
        "location": "",
        "day": future("2027-01-16"),
        "start": "09:00",
        "end": "12:00",
        "shifts-0-name": "Watering",
        "shifts-0-start": "09:00",
        "shifts-0-end": "10:30",
        "shifts-0-capacity": "4",
    }
    form.update(overrides)
    return form


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_coordinator_plans_a_workday_in_garden_time(client, auth, coordinator, project):
    auth.login(coordinator)
    response = client.post(
        f"/projects/{project.slug}/workdays/new",
        data=workday_form(project, is_newcomer_friendly="y"),
    )
    workday = db.session.scalars(select(Workday)).one()
    assert response.headers["Location"] == f"/workdays/{workday.id}"
    day = future_date("2027-01-16")
    assert workday.starts_at == datetime.combine(day, time(8), UTC)
    assert workday.shifts[0].ends_at == datetime.combine(day, time(9, 30), UTC)
    assert workday.public_title == "Garden workday"
    page = client.get(f"/workdays/{workday.id}").get_data(as_text=True)
    assert f"{day:%a %d %b %Y}, 09:00–12:00" in page
    assert "Newcomer-friendly" in page


def test_a_workday_starts_with_the_projects_visibility_and_can_change_it(
    client, auth, coordinator, project
):
    project.default_visibility = "members"
    db.session.commit()
    auth.login(coordinator)
    page = client.get(f"/projects/{project.slug}/workdays/new").get_data(True)
    assert '<input checked id="visibility-1" name="visibility"' in page
    client.post(
        f"/projects/{project.slug}/workdays/new",
        data=workday_form(project, visibility="members"),
    )
    workday = db.session.scalars(select(Workday)).one()
    assert workday.visibility == "members"
    response = client.post(
        f"/workdays/{workday.id}/edit",
        data=workday_form(project, visibility="nobody", scope="this"),
    )
    assert response.status_code == 422
    client.post(
        f"/workdays/{workday.id}/edit",
        data=workday_form(project, visibility="public", scope="this"),
    )
    db.session.expire_all()
    assert workday.visibility == "public"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end": "08:00"}, "The end must be after the start."),
        ({"shifts-0-end": "13:00"}, "must start and end within 09:00–12:00"),
        ({"shifts-0-capacity": "0"}, "Capacity must be between 1 and 10,000."),
        ({"shifts-0-capacity": "-3"}, "Capacity must be between 1 and 10,000."),
        ({"shifts-0-capacity": "10001"}, "Capacity must be between 1 and 10,000."),
        ({"shifts-0-name": ""}, "Add at least one shift"),
        ({"shifts-0-start": ""}, "Needed for this shift."),
        ({"garden_id": "0", "location": ""}, "Choose a garden or describe where"),
        ({"day": "not-a-date"}, "Not a valid date value."),
        ({"title": " "}, "This field is required."),
        ({"title": "x" * 121}, "Field cannot be longer than 120 characters."),
    ],
)
def test_bad_workday_input_is_explained_and_nothing_is_saved(
    client, auth, coordinator, project, overrides, message
):
    auth.login(coordinator)
    response = client.post(
        f"/projects/{project.slug}/workdays/new",
        data=workday_form(project, **overrides),
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert count(Workday) == 0


def series_form(project, **overrides):
    form = workday_form(
        project,
        weekdays=["5"],
        interval_weeks="1",
        starts_on=future("2027-03-13"),
        ends_on=future("2027-04-10"),
        count="",
    )
    form.pop("day")
    form.update(
        {
            "shifts-1-name": "Compost",
            "shifts-1-start": "10:00",
            "shifts-1-end": "12:00",
            "shifts-1-capacity": "6",
        }
    )
    form.update(overrides)
    return form


@pytest.mark.parametrize(
    ("zone", "start", "end", "before_utc_hour", "after_utc_hour"),
    [
        ("Europe/Berlin", future("2027-03-13"), future("2027-04-10"), 8, 7),
        ("America/New_York", future("2027-03-06"), future("2027-03-27"), 14, 13),
    ],
)
def test_weekly_series_keeps_local_time_across_daylight_saving(
    client,
    auth,
    coordinator,
    make_project,
    make_garden,
    zone,
    start,
    end,
    before_utc_hour,
    after_utc_hour,
):
    project = make_project(
        coordinators=[coordinator], garden=make_garden(timezone=zone)
    )
    auth.login(coordinator)
    response = client.post(
        f"/projects/{project.slug}/series/new",
        data=series_form(project, starts_on=start, ends_on=end),
    )
    assert response.status_code == 302
    workdays = db.session.scalars(select(Workday).order_by(Workday.starts_at)).all()
    assert len(workdays) in (4, 5)
    assert {to_local(w.starts_at, zone).strftime("%a %H:%M") for w in workdays} == {
        "Sat 09:00"
    }
    utc_hours = [w.starts_at.hour for w in workdays]
    assert utc_hours[0] == before_utc_hour and utc_hours[-1] == after_utc_hour
    for workday in workdays:
        assert [(s.name, s.capacity) for s in workday.shifts] == [
            ("Watering", 4),
            ("Compost", 6),
        ]
        assert to_local(workday.shifts[1].starts_at, zone).strftime("%H:%M") == "10:00"


def test_every_second_wednesday_eight_times(client, auth, coordinator, project):
    auth.login(coordinator)
    client.post(
        f"/projects/{project.slug}/series/new",
        data=series_form(
            project,
            weekdays=["2"],
            interval_weeks="2",
            starts_on=future("2027-01-01"),
            ends_on="",
            count="8",
        ),
    )
    days = [
        to_local(w.starts_at, "Europe/Berlin").date()
        for w in db.session.scalars(select(Workday).order_by(Workday.starts_at))
    ]
    assert len(days) == 8
    assert all(d.weekday() == 2 for d in days)
    assert {(b - a).days for a, b in zip(days, days[1:], strict=False)} == {14}
    series = db.session.scalars(select(WorkdaySeries)).one()
    assert series.describe() == "Every 2 weeks on Wednesday, 09:00–12:00, 8 times"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": "", "count": ""}, "Give an end date or a number of workdays."),
        ({"ends_on": future("2031-12-31")}, "at most 200 workdays"),
        ({"count": "201", "ends_on": ""}, "A series has 1 to 200 workdays."),
        ({"weekdays": []}, "Pick at least one weekday."),
        ({"ends_on": future("2027-01-01")}, "The series must end after it starts."),
    ],
)
def test_bad_series_is_refused(client, auth, coordinator, project, overrides, message):
    auth.login(coordinator)
    response = client.post(
        f"/projects/{project.slug}/series/new", data=series_form(project, **overrides)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Workday) == count(WorkdaySeries) == 0


@pytest.fixture
def weekly(client, auth, coordinator, project):
    auth.login(coordinator)
    client.post(
        f"/projects/{project.slug}/series/new",
        data=series_form(
            project, starts_on=future("2027-05-01"), ends_on=future("2027-05-29")
        ),
    )
    return db.session.scalars(select(Workday).order_by(Workday.starts_at)).all()


def edit_form(workday, **overrides):
    local = to_local(workday.starts_at, "Europe/Berlin")
    form = {
        "title": workday.title,
        "public_title": workday.public_title,
        "garden_id": str(workday.garden_id),
        "location": "",
        "day": f"{local:%Y-%m-%d}",
        "start": "09:00",
        "end": "12:00",
        "scope": "this",
    }
    form.update(overrides)
    return form


def local_starts(workdays):
    """Local starts as month-day and time, counted back to the 2027 dates the
    tests are written with (see `tests.conftest.future`)."""
    db.session.expire_all()
    back = timedelta(weeks=52 * FUTURE_STEPS)
    return [
        f"{to_local(w.starts_at, 'Europe/Berlin') - back:%m-%d %H:%M}" for w in workdays
    ]


def test_edit_only_this_occurrence(client, weekly):
    third = weekly[2]
    response = client.post(
        f"/workdays/{third.id}/edit",
        data=edit_form(
            third, title="Moved", day=future("2027-05-16"), start="10:00", end="13:00"
        ),
    )
    assert response.status_code == 302
    assert local_starts(weekly) == [
        "05-01 09:00",
        "05-08 09:00",
        "05-16 10:00",
        "05-22 09:00",
        "05-29 09:00",
    ]
    assert [w.title for w in weekly].count("Moved") == 1
    assert third.revision == 1
    shift = db.session.get(Shift, third.shifts[1].id)
    moved = to_local(shift.starts_at, "Europe/Berlin")
    assert (moved.date().isoformat(), f"{moved:%H:%M}") == (
        future("2027-05-16"),
        "11:00",
    )


def test_edit_this_and_following_splits_the_series(client, weekly):
    third = weekly[2]
    client.post(
        f"/workdays/{third.id}/edit",
        data=edit_form(
            third,
            scope="following",
            start="10:00",
            end="13:00",
            day=future("2027-06-01"),
        ),
    )
    assert local_starts(weekly) == [
        "05-01 09:00",
        "05-08 09:00",
        "05-15 10:00",
        "05-22 10:00",
        "05-29 10:00",
    ]
    first_series, second_series = db.session.scalars(
        select(WorkdaySeries).order_by(WorkdaySeries.id)
    ).all()
    assert first_series.ends_on.isoformat() == future("2027-05-14")
    assert second_series.starts_on.isoformat() == future("2027-05-15")
    assert {w.series_id for w in weekly[2:]} == {second_series.id}
    assert [w.revision for w in weekly] == [0, 0, 1, 1, 1]


def test_edit_all_upcoming(client, weekly):
    client.post(
        f"/workdays/{weekly[3].id}/edit",
        data=edit_form(
            weekly[3], scope="all", title="Renamed", start="08:00", end="11:00"
        ),
    )
    assert local_starts(weekly) == [f"05-{d:02} 08:00" for d in (1, 8, 15, 22, 29)]
    assert {w.title for w in weekly} == {"Renamed"}
    assert db.session.scalars(select(WorkdaySeries)).one().start_time.hour == 8


def test_edit_that_would_push_a_shift_outside_is_refused(client, weekly):
    response = client.post(
        f"/workdays/{weekly[0].id}/edit",
        data=edit_form(weekly[0], start="09:00", end="10:00", scope="all"),
    )
    assert response.status_code == 422
    assert "“Watering” must fit inside" in response.get_data(as_text=True)
    assert local_starts(weekly)[0] == "05-01 09:00"
    assert weekly[0].revision == 0


def test_skipping_one_date_cancels_it_and_keeps_signups(
    client, auth, weekly, make_user, make_signup
):
    second = weekly[1]
    signup = make_signup(second.shifts[0])
    response = client.post(f"/workdays/{second.id}/cancel", data={"reason": "Storm"})
    assert response.headers["Location"] == f"/workdays/{second.id}"
    db.session.expire_all()
    assert (second.status, second.revision) == ("cancelled", 1)
    assert db.session.get(Signup, signup.id).status == "confirmed"
    assert count(Workday) == 5
    page = client.get(f"/workdays/{second.id}").get_data(as_text=True)
    assert "This workday is cancelled" in page and "Storm" in page
    home = client.get("/").get_data(as_text=True)
    assert "Cancelled" in home
    auth.logout()
    auth.login(make_user())
    page = client.post(f"/shifts/{second.shifts[0].id}/signup", follow_redirects=True)
    assert "sign-ups are closed" in page.get_data(as_text=True)


PLANNING_PAGES = [
    ("get", "/projects/{slug}/workdays/new"),
    ("get", "/projects/{slug}/series/new"),
    ("get", "/projects/{slug}/edit"),
    ("get", "/workdays/{workday}/edit"),
    ("get", "/workdays/{workday}/cancel"),
    ("get", "/workdays/{workday}/roster"),
    ("get", "/workdays/{workday}/shifts/new"),
    ("get", "/shifts/{shift}/edit"),
    ("post", "/workdays/{workday}/cancel"),
    ("post", "/projects/{slug}/archive"),
]


@pytest.mark.parametrize(("method", "url"), PLANNING_PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("volunteer", 403),
        ("other coordinator", 403),
        ("coordinator", 200),
        ("admin", 200),
    ],
)
def test_planning_permissions(
    client,
    auth,
    make_user,
    make_project,
    make_workday,
    coordinator,
    project,
    method,
    url,
    who,
    expected,
):
    workday = make_workday(project=project)
    people = {
        "volunteer": make_user(),
        "coordinator": coordinator,
        "admin": make_user(Role.admin),
    }
    if who == "other coordinator":
        people[who] = make_user(Role.coordinator)
        make_project(coordinators=[people[who]])
    if who != "anonymous":
        auth.login(people[who])
    target = url.format(
        slug=project.slug, workday=workday.id, shift=workday.shifts[0].id
    )
    response = getattr(client, method)(target)
    if expected == 200 and method == "post":
        expected = 302
    assert response.status_code == expected
    if expected == 302 and who == "anonymous":
        assert response.headers["Location"].startswith("/login")
    db.session.expire_all()
    if expected == 403:
        assert (workday.status, project.is_active) == ("scheduled", True)


def test_coordinator_creates_a_project_and_coordinates_it(
    client, auth, coordinator, make_garden
):
    garden = make_garden()
    auth.login(coordinator)
    response = client.post(
        "/projects/new",
        data={
            "name": "Recovery Month Clean-up",
            "garden_id": str(garden.id),
            "timezone": "Europe/Berlin",
            "colour": "#336699",
        },
    )
    # The URL carries the neutral public name, never the group's own name.
    assert response.headers["Location"] == "/projects/community-garden-project"
    page = client.get("/projects/community-garden-project").get_data(as_text=True)
    assert "Plan a recurring workday" in page


def test_volunteer_cannot_create_projects(client, auth, make_user):
    auth.login(make_user())
    assert client.post("/projects/new", data={"name": "X"}).status_code == 403


def test_archived_project_leaves_the_home_page(
    client, auth, coordinator, project, make_workday
):
    make_workday(project=project, title="Hidden soon", public_title="Hidden soon")
    assert "Hidden soon" in client.get("/").get_data(as_text=True)
    auth.login(coordinator)
    client.post(f"/projects/{project.slug}/archive", data={"archived": "1"})
    assert "Hidden soon" not in client.get("/").get_data(as_text=True)


def test_archiving_cancels_upcoming_workdays_everywhere_and_tells_people(
    client, auth, coordinator, project, make_workday, make_user, make_signup
):
    from icalendar import Calendar

    from gardenhub.notifications.models import Notification
    from gardenhub.workdays.models import Workday

    coming = make_workday(project=project, public_title="Bulb planting")
    past = make_workday(project=project, days=-3)
    person = make_user()
    make_signup(coming.shifts[0], person)
    auth.login(coordinator)
    client.post(f"/projects/{project.slug}/archive", data={"archived": "1"})
    db.session.expire_all()
    assert db.session.get(Workday, coming.id).status == "cancelled"
    assert db.session.get(Workday, past.id).status != "cancelled"
    (told,) = db.session.scalars(
        select(Notification).where(Notification.kind == "workday_cancelled")
    )
    assert told.user_id == person.id
    for url in (
        "/calendar.ics",
        f"/projects/{project.slug}/calendar.ics",
        f"/workdays/{coming.id}.ics",
    ):
        (event,) = [
            e
            for e in Calendar.from_ical(client.get(url).get_data()).walk("VEVENT")
            if str(e["uid"]).startswith(f"workday-{coming.id}@")
        ]
        assert str(event["status"]) == "CANCELLED", url
    # Off the lists, as before.
    assert "Bulb planting" not in client.get("/").get_data(as_text=True)


def test_admin_creates_a_garden_and_bad_timezone_is_refused(client, auth, make_user):
    auth.login(make_user(Role.admin))
    bad = client.post(
        "/gardens/new", data={"name": "Plot Land", "timezone": "Mars/Base"}
    )
    assert bad.status_code == 422
    good = client.post(
        "/gardens/new", data={"name": "Plot Land", "timezone": "America/New_York"}
    )
    assert good.headers["Location"] == "/gardens/plot-land"


def test_coordinators_cannot_create_gardens(client, auth, coordinator):
    auth.login(coordinator)
    assert client.get("/gardens/new").status_code == 403
