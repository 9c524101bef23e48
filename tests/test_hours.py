"""Check-in at the gate, hours, approvals, letters, dashboard, exports, reports."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from gardenhub.accounts.models import Role
from gardenhub.audit import AuditEvent
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.hours import services
from gardenhub.hours.models import HoursEntry
from gardenhub.workdays.models import Signup


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.coordinator, name="Cory")


@pytest.fixture
def project(make_project, coordinator):
    return make_project(coordinators=[coordinator])


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def test_coordinator_checks_people_in_with_one_tap_and_undoes(
    client, auth, coordinator, project, make_workday, make_signup, make_user
):
    workday = make_workday(project=project, days=0.01, hours=3)
    signup = make_signup(workday.shifts[0], make_user(name="Robin"))
    auth.login(coordinator)
    page = client.get(f"/workdays/{workday.id}/check-in").get_data(as_text=True)
    assert "Robin" in page and "Check in" in page
    response = client.post(f"/signups/{signup.id}/check-in")
    assert response.headers["Location"].endswith(f"#signup-{signup.id}")
    assert fresh(signup).hours == Decimal("3.00")
    client.post(f"/signups/{signup.id}/undo-check-in")
    assert fresh(signup).checked_in_at is None


@pytest.mark.parametrize("who", ["volunteer", "other coordinator"])
def test_check_in_is_for_the_projects_coordinators(
    client, auth, project, make_workday, make_signup, make_user, make_project, who
):
    workday = make_workday(project=project)
    signup = make_signup(workday.shifts[0])
    person = make_user(
        Role.coordinator if who == "other coordinator" else Role.volunteer
    )
    if who == "other coordinator":
        make_project(coordinators=[person])
    auth.login(person)
    assert client.get(f"/workdays/{workday.id}/check-in").status_code == 403
    assert client.post(f"/signups/{signup.id}/check-in").status_code == 403
    assert fresh(signup).checked_in_at is None


def test_someone_not_on_the_roster_is_offered_walk_in(
    client, auth, coordinator, project, make_workday, make_signup
):
    shift = make_workday(project=project, capacities=(1,), days=0.05).shifts[0]
    make_signup(shift)
    waiting = make_signup(shift)
    auth.login(coordinator)
    page = client.post(f"/signups/{waiting.id}/check-in", follow_redirects=True)
    assert "add them as a walk-in instead" in page.get_data(as_text=True)
    assert fresh(waiting).checked_in_at is None


def test_walk_in_guest_is_checked_in_and_capacity_still_holds(
    client, auth, coordinator, project, make_workday, make_signup
):
    shift = make_workday(project=project, capacities=(1,), days=0.05).shifts[0]
    make_signup(shift)
    auth.login(coordinator)
    client.post(f"/shifts/{shift.id}/walk-in", data={"name": "Walk-in Wally"})
    db.session.expire_all()
    confirmed = [
        s for s in db.session.scalars(select(Signup)) if s.status == "confirmed"
    ]
    assert len(confirmed) == 2 and shift.capacity == 2
    wally = next(s for s in confirmed if s.volunteer.display_name == "Walk-in Wally")
    assert wally.checked_in_at is not None and wally.volunteer.is_guest
    assert (
        db.session.scalars(select(AuditEvent.action))
        .all()
        .count("shift.capacity.walk_in")
        == 1
    )


def test_credited_hours_can_be_adjusted_within_a_day(
    client, auth, coordinator, project, make_workday, make_signup
):
    signup = make_signup(make_workday(project=project, days=0.05).shifts[0])
    services.check_in(signup, actor=coordinator, now=utcnow())
    db.session.commit()
    auth.login(coordinator)
    page = client.post(
        f"/signups/{signup.id}/hours", data={"hours": "30"}, follow_redirects=True
    )
    assert "Use 0.25 to 24 hours." in page.get_data(as_text=True)
    client.post(f"/signups/{signup.id}/hours", data={"hours": "2.5"})
    assert fresh(signup).hours == Decimal("2.50")


def test_absence_is_private_to_coordinators(
    client, auth, coordinator, project, make_workday, make_signup, make_user
):
    workday = make_workday(project=project, days=-1)
    came, stayed_home = make_user(name="Came Carla"), make_user(name="Home Hugo")
    for person in (came, stayed_home):
        db.session.add(
            Signup(
                shift=workday.shifts[0],
                volunteer=person,
                status="confirmed",
                created_at=utcnow(),
            )
        )
    db.session.commit()
    services.check_in(
        db.session.scalars(select(Signup).where(Signup.volunteer_id == came.id)).one(),
        actor=coordinator,
        now=workday.starts_at,
    )
    db.session.commit()
    auth.login(coordinator)
    roster = client.get(f"/workdays/{workday.id}/roster").get_data(as_text=True)
    assert "absent" in roster and "came" in roster
    auth.logout()
    auth.login(make_user())
    for url in (f"/workdays/{workday.id}", "/", f"/projects/{project.slug}"):
        assert "absent" not in client.get(url).get_data(as_text=True)


@pytest.fixture
def volunteer_in(make_user, make_member):
    """Someone who belongs to the project: hours are logged for one's own."""

    def make(project, **fields):
        return make_member(project, make_user(**fields)).user

    return make


def log(client, project, **overrides):
    form = {
        "project_id": str(project.id),
        "worked_on": (utcnow().date() - timedelta(days=2)).isoformat(),
        "hours": "3",
        "description": "Built the compost bin",
    }
    form.update(overrides)
    return client.post("/my/hours", data=form)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"hours": "25"}, "Use 0.25 to 24 hours."),
        ({"hours": "-1"}, "Use 0.25 to 24 hours."),
        (
            {"worked_on": (utcnow().date() + timedelta(days=30)).isoformat()},
            "The date is in the future.",
        ),
        ({"worked_on": "0001-01-01"}, "Pick a date between"),
        ({"worked_on": "9999-12-31"}, "Pick a date between"),
        ({"hours": "sNaN"}, "Enter a number."),
        ({"hours": "NaN"}, "Enter a number."),
        ({"hours": "Infinity"}, "Enter a number."),
        ({"description": "Weeding\x07"}, "Use one line of plain text"),
        ({"description": ""}, "This field is required."),
    ],
)
def test_bad_logged_hours_are_refused(
    volunteer_in, client, auth, make_user, project, overrides, message
):
    auth.login(volunteer_in(project))
    response = log(client, project, **overrides)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(HoursEntry)).first() is None


def test_more_than_24_hours_on_one_day_is_refused(
    volunteer_in, client, auth, make_user, project
):
    auth.login(volunteer_in(project))
    assert log(client, project, hours="20").status_code == 302
    response = log(client, project, hours="5")
    assert "more than 24 hours on one day" in response.get_data(as_text=True)


def test_logged_hours_count_once_approved_and_never_by_yourself(
    volunteer_in, client, auth, make_user, coordinator, project
):
    volunteer = volunteer_in(project)
    auth.login(volunteer)
    log(client, project, hours="12")
    entry = db.session.scalars(select(HoursEntry)).one()
    assert "0 hours</strong> counted" in client.get("/my/hours").get_data(as_text=True)
    assert client.post(f"/hours-entries/{entry.id}/approve").status_code == 403
    auth.logout()
    auth.login(coordinator)
    assert "Built the compost bin" in client.get("/coordinate/hours").get_data(True)
    client.post(f"/hours-entries/{entry.id}/approve")
    auth.logout()
    auth.login(volunteer)
    page = client.get("/my/hours").get_data(as_text=True)
    assert "12 hours</strong> counted" in page and "🌱 10 hours" in page


def test_coordinator_cannot_approve_their_own_hours(
    volunteer_in, client, auth, coordinator, project
):
    auth.login(coordinator)
    log(client, project)
    entry = db.session.scalars(select(HoursEntry)).one()
    page = client.post(f"/hours-entries/{entry.id}/approve", follow_redirects=True)
    assert "cannot approve your own hours" in page.get_data(as_text=True)
    assert fresh(entry).status == "pending"


def test_letter_is_made_and_verified_publicly_with_totals_only(
    client, auth, make_user, coordinator, project, make_workday, make_signup
):
    volunteer = make_user(name="Lettie Letter")
    signup = make_signup(make_workday(project=project, days=0.01).shifts[0], volunteer)
    services.check_in(signup, actor=coordinator, now=utcnow())
    db.session.commit()
    auth.login(volunteer)
    today = utcnow().date()
    response = client.post(
        "/my/hours/letter",
        data={
            "starts_on": (today - timedelta(days=30)).isoformat(),
            "ends_on": (today + timedelta(days=1)).isoformat(),
        },
    )
    letter_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 hours" in letter_page and "Lettie Letter" in letter_page
    assert project.name not in letter_page  # the volunteer chose discretion
    code = letter_page.split("Verification code: ")[1][:10]
    auth.logout()
    verified = client.get(f"/verify?code={code.lower()}").get_data(as_text=True)
    assert "Genuine." in verified and "3 volunteer hours" in verified
    assert "Lettie" not in verified and project.name not in verified
    forged = client.get("/verify?code=AAAAAAAAAA")
    assert forged.status_code == 404 and "No letter has this code" in forged.get_data(
        True
    )
    auth.login(make_user())
    assert client.get(response.headers["Location"]).status_code == 404


def test_a_letter_from_an_organisation_carries_it_and_the_vouching_coordinator(
    client,
    auth,
    make_user,
    coordinator,
    project,
    make_project,
    make_workday,
    make_signup,
):
    auth.login(coordinator)
    form = client.get(f"/projects/{project.slug}/edit").get_data(as_text=True)
    assert 'name="vouch"' in form
    data = {
        "name": project.name,
        "public_name": project.public_name,
        "timezone": project.timezone,
        "colour": project.colour,
        "garden_id": str(project.garden_id or 0),
        "join_mode": "request",
        "default_visibility": "public",
        "org_name": "Riverside Recovery Trust",
        "org_address": "1 Mill Lane, Leeds",
        "org_contact": "office@riverside.example",
        "vouch": "y",
    }
    client.post(f"/projects/{project.slug}/edit", data=data)
    db.session.expire_all()
    assert project.vouched_by_id == coordinator.id
    auth.logout()
    volunteer = make_user(name="Lettie Letter")
    here = make_signup(make_workday(project=project, days=0.01).shifts[0], volunteer)
    services.check_in(here, actor=coordinator, now=utcnow())
    elsewhere = make_signup(
        make_workday(days=-0.3).shifts[0],
        volunteer,
        now=utcnow() - timedelta(days=1),
    )
    services.check_in(elsewhere, actor=make_user(Role.admin), now=utcnow())
    db.session.commit()
    auth.login(volunteer)
    assert "Riverside Recovery Trust" in client.get("/my/hours").get_data(True)
    today = utcnow().date()
    response = client.post(
        "/my/hours/letter",
        data={
            "starts_on": (today - timedelta(days=30)).isoformat(),
            "ends_on": (today + timedelta(days=1)).isoformat(),
            "project_id": str(project.id),
        },
    )
    letter_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Riverside Recovery Trust" in letter_page and "1 Mill Lane" in letter_page
    assert "office@riverside.example" in letter_page
    assert "Vouched for by <strong>" + coordinator.display_name in letter_page
    assert "3 hours" in letter_page  # only this organisation's hours, not 6
    code = letter_page.split("Verification code: ")[1][:10]
    auth.logout()
    verified = client.get(f"/verify?code={code}").get_data(as_text=True)
    assert "Riverside Recovery Trust" in verified and "3 volunteer hours" in verified
    assert coordinator.display_name not in verified and "Lettie" not in verified
    # Another coordinator unticking the box does not take the first one's name off.
    other = make_user(Role.coordinator)
    project.coordinators.append(other)
    db.session.commit()
    auth.login(other)
    client.post(f"/projects/{project.slug}/edit", data=data | {"vouch": ""})
    db.session.expire_all()
    assert project.vouched_by_id == coordinator.id


def test_dashboard_shows_unfilled_shifts_and_charts(
    client, auth, coordinator, project, make_workday, make_signup
):
    workday = make_workday(project=project, capacities=(4,), days=3)
    make_signup(workday.shifts[0])
    past = make_workday(project=project, capacities=(2,), days=-3)
    db.session.add(
        Signup(
            shift=past.shifts[0],
            volunteer=coordinator,
            status="confirmed",
            created_at=utcnow(),
        )
    )
    db.session.commit()
    auth.login(coordinator)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "needs 3" in page
    assert 'aria-label="Fill rate of past shifts per month:' in page
    assert "50%" in page


def test_dashboard_is_for_coordinators(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/dashboard").status_code == 403


def test_exports_neutralise_formulas_and_are_audited(
    client, auth, coordinator, project, make_workday, make_signup, make_user
):
    workday = make_workday(project=project)
    make_signup(
        workday.shifts[0], make_user(name='=HYPERLINK("http://x")', phone="+49 30 1234")
    )
    auth.login(coordinator)
    response = client.get(f"/exports/workdays/{workday.id}/roster.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert rows[1][3] == "'+49 30 1234"
    assert db.session.scalars(select(AuditEvent.action)).all() == ["export"]


def test_exports_are_for_the_projects_coordinators_only(
    client, auth, project, make_workday, make_user, make_project, make_signup
):
    workday = make_workday(project=project)
    make_signup(workday.shifts[0], make_user(name="Private Pat"))
    outsider = make_user(Role.coordinator)
    make_project(coordinators=[outsider])
    auth.login(outsider)
    assert client.get(f"/exports/workdays/{workday.id}/roster.csv").status_code == 403
    today = utcnow().date()
    period = (
        f"starts_on={today - timedelta(days=5)}&ends_on={today + timedelta(days=9)}"
    )
    text = client.get(f"/exports?kind=signups&{period}").get_data(as_text=True)
    assert "Private Pat" not in text
    auth.logout()
    auth.login(make_user())
    assert client.get(f"/exports?kind=signups&{period}").status_code == 403


def test_funder_report_hides_small_counts(
    client, auth, coordinator, project, make_workday, make_user
):
    small = make_workday(project=project, days=-40)
    big = make_workday(project=project, days=-5, capacities=(10,))
    for workday, people in ((small, 2), (big, 6)):
        for _ in range(people):
            signup = Signup(
                shift=workday.shifts[0],
                volunteer=make_user(),
                status="confirmed",
                created_at=utcnow(),
            )
            db.session.add(signup)
            db.session.flush()
            services.check_in(signup, actor=coordinator, now=workday.starts_at)
    db.session.commit()
    auth.login(coordinator)
    today = utcnow().date()
    page = client.get(
        f"/reports/funders?starts_on={today - timedelta(days=60)}&ends_on={today}"
    ).get_data(as_text=True)
    assert "&lt;5" in page
    assert '<td data-label="Volunteers">6</td>' in page


def test_my_page_gathers_everything(client, auth, make_user):
    auth.login(make_user())
    page = client.get("/me").get_data(as_text=True)
    for heading in ("My shifts", "My tasks", "My plot", "My hours"):
        assert heading in page


def test_hours_are_logged_only_for_a_project_you_belong_to(
    client, auth, make_user, project
):
    auth.login(make_user())
    page = client.get("/my/hours").get_data(as_text=True)
    assert project.name not in page and "for a project you belong to" in page
    response = log(client, project)
    assert response.status_code == 422
    assert db.session.scalars(select(HoursEntry)).first() is None
