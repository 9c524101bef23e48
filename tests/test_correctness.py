"""What a first week of real use broke: one regression test per finding.

Each test names the finding it covers (issue "Correctness", points 1–27).
"""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from gardenhub import create_app
from gardenhub.accounts.models import Role, User
from gardenhub.audit import AuditEvent
from gardenhub.config import ConfigError
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.hours import reports
from gardenhub.hours import services as hours
from gardenhub.hours.models import HoursEntry
from gardenhub.notifications import delivery
from gardenhub.notifications import services as notifications
from gardenhub.notifications.models import Notification
from gardenhub.plots import services as plots
from gardenhub.plots import waitlist
from gardenhub.plots.models import OfferStatus, Plot, PlotOffer, PlotRequest
from gardenhub.tasks import services as tasks
from gardenhub.tasks.models import TaskAssignment
from gardenhub.workdays import signups
from gardenhub.workdays.models import Shift, Signup, SignupStatus, Workday
from tests.conftest import PASSWORD, clock_change_nights, future


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.coordinator, name="Cory")


@pytest.fixture
def project(make_project, coordinator):
    return make_project(coordinators=[coordinator])


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def seats(shift) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Signup.status, func.count())
        .where(Signup.shift_id == shift.id)
        .group_by(Signup.status)
    )
    return dict(rows.all())


def flashes(client) -> list[tuple[str, str]]:
    """Messages waiting for the next page (log-in's welcome left out)."""
    with client.session_transaction() as session:
        found = list(session.get("_flashes", []))
    return [f for f in found if not f[1].startswith("Welcome back")]


# 1. Check-in and hours only around the workday ----------------------------


def test_check_in_waits_for_its_window_and_says_when_it_opens(
    client, auth, coordinator, project, make_workday, make_signup
):
    workday = make_workday(project=project, days=30)
    shift = workday.shifts[0]
    signup = make_signup(shift)
    auth.login(coordinator)
    page = client.get(f"/workdays/{workday.id}/check-in").get_data(as_text=True)
    assert "Check-in opens" in page and "2 hours before the shift" in page
    assert f'action="/signups/{signup.id}/check-in"' not in page
    client.post(f"/signups/{signup.id}/check-in")
    assert "opens" in flashes(client)[0][1]
    client.post(f"/shifts/{shift.id}/walk-in", data={"name": "Early Eli"})
    assert fresh(signup).checked_in_at is None
    assert seats(shift) == {"confirmed": 1}
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Early Eli" not in dashboard


def test_check_in_closes_after_the_workday_but_hours_can_be_corrected(
    client, auth, coordinator, project, make_workday, make_signup
):
    workday = make_workday(project=project, days=0.05, hours=2)
    signup = make_signup(workday.shifts[0])
    hours.check_in(signup, actor=coordinator, now=workday.starts_at)
    late = make_signup(workday.shifts[0])
    db.session.commit()
    with pytest.raises(hours.CheckInClosed, match="closed"):
        hours.check_in(late, actor=coordinator, now=workday.ends_at + timedelta(days=1))
    db.session.rollback()
    auth.login(coordinator)
    client.post(f"/signups/{signup.id}/hours", data={"hours": "1.5"})
    assert fresh(signup).hours == Decimal("1.50")


# 2. A walk-in of a waitlisted person never overbooks ------------------------


def test_walk_in_of_a_waitlisted_person_adds_a_recorded_seat(
    client, auth, coordinator, project, make_workday, make_signup, make_user
):
    shift = make_workday(project=project, days=0.05, capacities=(2,)).shifts[0]
    make_signup(shift)
    make_signup(shift)
    carla = make_user(email="carla@example.org")
    waiting = make_signup(shift, carla)
    assert waiting.status == SignupStatus.waitlisted
    auth.login(coordinator)
    client.post(f"/shifts/{shift.id}/walk-in", data={"email": "carla@example.org"})
    assert seats(shift) == {"confirmed": 3}
    assert fresh(shift).capacity == 3
    assert fresh(waiting).checked_in_at is not None
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("shift.capacity.walk_in") == 1


def test_walk_in_with_a_held_offer_takes_that_seat(
    coordinator, project, make_workday, make_signup
):
    shift = make_workday(project=project, days=0.05, capacities=(1,)).shifts[0]
    first = make_signup(shift)
    second = make_signup(shift)
    second.status, second.offer_expires_at = "offered", utcnow() + timedelta(hours=1)
    first.status = "cancelled"
    db.session.commit()
    hours.walk_in(shift, email=second.volunteer.email, actor=coordinator, now=utcnow())
    db.session.commit()
    assert seats(shift) == {"confirmed": 1, "cancelled": 1}
    assert fresh(shift).capacity == 1


def test_roster_and_gate_find_the_same_guest(
    client, auth, coordinator, project, make_workday
):
    workday = make_workday(project=project, days=0.05, capacities=(3, 3))
    first, second = workday.shifts
    auth.login(coordinator)
    client.post(
        f"/shifts/{first.id}/add-guest",
        data={"name": "Gail", "email": "gail@example.org", "phone": ""},
    )
    client.post(f"/shifts/{second.id}/walk-in", data={"email": "gail@example.org"})
    guests = db.session.scalars(select(User).where(User.is_guest)).all()
    assert [g.display_name for g in guests] == ["Gail"]


# 3. No seats on two overlapping shifts --------------------------------------


def test_a_busy_person_is_passed_over_for_an_offer_and_keeps_their_place(
    app, make_workday, make_signup, make_user
):
    morning = make_workday(days=3, capacities=(1,)).shifts[0]
    other = make_workday(days=3, capacities=(5,)).shifts[0]  # same hours
    holder = make_signup(morning)
    busy, next_in_line = make_user(), make_user()
    make_signup(morning, busy)
    make_signup(morning, next_in_line)
    make_signup(other, busy)  # busy now holds an overlapping seat
    signups.cancel(holder, actor=holder.volunteer, now=utcnow())
    db.session.commit()
    db.session.expire_all()
    by_person = {
        s.volunteer_id: s.status
        for s in db.session.scalars(select(Signup).where(Signup.shift_id == morning.id))
    }
    assert by_person[busy.id] == "waitlisted"
    assert by_person[next_in_line.id] == "offered"


def test_taking_an_open_seat_that_overlaps_is_refused_like_a_sign_up(
    client, auth, make_workday, make_signup, make_user
):
    # Inside the cut-off before the shift a free seat is open to the waitlist.
    shift = make_workday(days=0.05, hours=3, capacities=(1,)).shifts[0]
    overlapping = make_workday(days=0.05, hours=3, capacities=(5,)).shifts[0]
    holder = make_signup(shift)
    person = make_user()
    waiting = make_signup(shift, person)
    make_signup(overlapping, person)
    signups.cancel(holder, actor=holder.volunteer, now=utcnow())
    db.session.commit()
    auth.login(person)
    client.post(f"/signups/{waiting.id}/confirm")
    ((category, message),) = flashes(client)
    assert category == "error"
    assert message.startswith("This overlaps “Shift 1”")
    assert message.endswith("which you are already signed up for.")
    assert fresh(waiting).status == "waitlisted"


# 4. Nothing is offered on a cancelled workday -------------------------------


def test_raising_capacity_on_a_cancelled_workday_offers_nothing(
    client, auth, coordinator, project, make_workday, make_signup
):
    workday = make_workday(project=project, capacities=(1,))
    shift = workday.shifts[0]
    make_signup(shift)
    waiting = make_signup(shift)
    auth.login(coordinator)
    client.post(f"/workdays/{workday.id}/cancel", data={"reason": "Storm"})
    signups.set_capacity(fresh(shift), 3, now=utcnow())
    db.session.commit()
    assert fresh(waiting).status == "waitlisted"
    assert not db.session.scalars(
        select(Notification).where(Notification.kind == "seat_offered")
    ).all()


# 5. Services refuse before they write; an expiry is its own step -----------


def test_confirming_a_run_out_offer_writes_nothing_then_the_expiry_is_kept(
    client, auth, make_workday, make_signup
):
    shift = make_workday(capacities=(1,)).shifts[0]
    holder = make_signup(shift)
    late = make_signup(shift)
    after = make_signup(shift)
    signups.cancel(holder, actor=holder.volunteer, now=utcnow())
    db.session.commit()
    offer = fresh(late)
    offer.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(signups.OfferUnavailable, match="expired"):
        signups.confirm(fresh(late), person=late.volunteer, now=utcnow())
    assert not db.session.dirty and not db.session.new
    db.session.rollback()
    auth.login(late.volunteer)
    client.post(f"/signups/{late.id}/confirm")
    assert "expired" in flashes(client)[0][1]
    assert fresh(late).status == "expired"
    assert fresh(after).status == "offered"


def test_accepting_a_run_out_plot_offer_writes_nothing_then_it_moves_on(
    client, auth, make_user, make_garden, coordinator
):
    garden = make_garden()
    plot = Plot(garden=garden, label="A1", size=10, x=0, y=0)
    db.session.add(plot)
    first, second = make_user(), make_user()
    for person in (first, second):
        waitlist.request_plot(
            garden,
            person,
            min_size=None,
            needs_accessible=False,
            notes=None,
            now=utcnow(),
        )
    made = waitlist.offer(plot, None, actor=coordinator, now=utcnow())
    made.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(waitlist.WaitlistError, match="expired"):
        waitlist.accept(fresh(made), person=first, now=utcnow())
    assert not db.session.dirty and not db.session.new
    db.session.rollback()
    auth.login(first)
    client.post(f"/plot-offers/{made.id}/accept")
    assert "expired" in flashes(client)[0][1]
    assert fresh(made).status == OfferStatus.expired
    offers = db.session.scalars(
        select(PlotOffer).where(PlotOffer.status == OfferStatus.open)
    ).all()
    assert [o.request.requester_id for o in offers] == [second.id]


# 6. "Today" is the garden's date --------------------------------------------


def test_renewal_deadline_is_the_gardens_date_not_utcs(make_user, make_garden):
    garden = make_garden(timezone="Pacific/Auckland")
    plot = Plot(garden=garden, label="A1", size=10, x=0, y=0)
    db.session.add(plot)
    gardener = make_user()
    now = datetime(2027, 3, 1, 11, 30, tzinfo=UTC)  # 2 March, 00:30 in Auckland
    season = plots.Season("2027", date(2027, 1, 1), date(2027, 6, 30))
    assignment = plots.assign(plot, gardener, season, actor=None, now=now)
    plots.open_renewals(
        garden,
        plots.Season("2028", date(2027, 7, 1), date(2027, 12, 31)),
        date(2027, 3, 1),
        actor=None,
        today=date(2027, 2, 1),
    )
    db.session.commit()
    # 1 March is over in Auckland (UTC still says 1 March).
    with pytest.raises(plots.PlotError, match="not open"):
        plots.renew(assignment, person=gardener, now=now)


def test_dashboard_months_follow_the_gardens_calendar(coordinator, project, make_user):
    # 23:30 UTC on 31 January is 00:30 on 1 February in Berlin.
    starts = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)
    workday = Workday(
        project=project,
        garden=project.garden,
        title="Night walk",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        shifts=[
            Shift(
                name="Walk",
                capacity=2,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
            )
        ],
    )
    db.session.add(workday)
    db.session.add(
        Signup(
            shift=workday.shifts[0],
            volunteer=make_user(),
            status="confirmed",
            checked_in_at=starts,
            hours=Decimal(2),
        )
    )
    db.session.commit()
    months = reports.monthly_figures(
        {project.id},
        now=datetime(2027, 2, 10, tzinfo=UTC),
        zone="Europe/Berlin",
        months=2,
    )
    assert [(m["month"], m["hours"]) for m in months] == [
        ("Jan 2027", 0),
        ("Feb 2027", 2),
    ]


# 7. Times that a clock change skips or repeats are refused ------------------


def workday_form(project, **overrides) -> dict:
    form = {
        "title": "Night watering",
        "public_title": "Garden workday",
        "garden_id": str(project.garden_id),
        "day": future("2027-10-31"),
        "start": "02:30",
        "end": "04:00",
        "shifts-0-name": "Watering",
        "shifts-0-start": "02:30",
        "shifts-0-end": "04:00",
        "shifts-0-capacity": "3",
    }
    form.update(overrides)
    return form


NEXT_YEAR = utcnow().year + 1
FORWARD, BACK = clock_change_nights("Europe/Berlin", NEXT_YEAR)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (BACK, f"02:30 on {BACK:%a %d %b %Y} happens twice in Europe/Berlin"),
        (FORWARD, f"02:30 on {FORWARD:%a %d %b %Y} does not exist in Europe/Berlin"),
    ],
)
def test_ambiguous_and_missing_local_times_are_refused(
    client, auth, coordinator, project, day, message
):
    auth.login(coordinator)
    response = client.post(
        f"/projects/{project.slug}/workdays/new",
        data=workday_form(project, day=day.isoformat()),
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Workday.id))) == 0


def test_a_series_names_the_night_its_time_falls_in_a_clock_change(
    client, auth, coordinator, project
):
    auth.login(coordinator)
    form = workday_form(
        project,
        starts_on=(BACK - timedelta(weeks=4)).isoformat(),
        count="8",
        weekdays="6",
        interval_weeks="1",
    )
    del form["day"]
    response = client.post(f"/projects/{project.slug}/series/new", data=form)
    assert response.status_code == 422
    assert f"{BACK:%d %b %Y} happens twice" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Workday.id))) == 0


# 8. Deleting an account leaves no identity behind ---------------------------


def test_deletion_cancels_and_scrubs_messages_notes_and_task_places(
    client, auth, make_user, make_workday, make_signup, make_garden, make_task
):
    person = make_user(name="Dee Leted", email="dee@example.org")
    make_signup(make_workday(title="Dee's workday").shifts[0], person)
    garden = make_garden()
    waitlist.request_plot(
        garden,
        person,
        min_size=None,
        needs_accessible=False,
        notes="I live at Elm Street 5",
        now=utcnow(),
    )
    task = make_task(people_needed=2)
    tasks.claim(task, person, now=utcnow())
    db.session.add(
        HoursEntry(
            volunteer_id=person.id,
            project=task.project,
            worked_on=utcnow().date(),
            hours=2,
            description="Weeding with my sponsor Pat",
        )
    )
    db.session.commit()
    queued = db.session.scalars(select(Notification)).all()
    assert queued and all(m.status == "queued" for m in queued)
    auth.login(person)
    client.post("/me/delete", data={"password": PASSWORD})
    db.session.expire_all()
    for message in db.session.scalars(select(Notification)):
        if message.user_id == person.id:
            assert message.status == "cancelled"
            assert message.to_address is None
            assert "Dee" not in message.subject + message.body_text
            assert message.attachment is None
    assert db.session.scalars(select(PlotRequest)).one().notes is None
    assert "sponsor" not in db.session.scalars(select(HoursEntry)).one().description
    assignment = db.session.scalars(select(TaskAssignment)).one()
    assert assignment.released_at is not None
    delivery_counts = delivery.deliver(now=utcnow())
    assert delivery_counts["sent"] == 0


def test_retention_treats_someone_called_former_volunteer_like_anyone(
    runner, make_user, make_workday
):
    person = make_user(name="Former volunteer")
    old = make_workday(days=-200)
    db.session.add(Signup(shift=old.shifts[0], volunteer=person, status="confirmed"))
    message = Notification(
        user_id=person.id,
        to_address=person.email,
        kind="reminder",
        subject="Your shift",
        body_text="Hello",
        body_html="Hello",
        status="sent",
        created_at=utcnow() - timedelta(days=200),
    )
    db.session.add(message)
    db.session.commit()
    result = runner.invoke(args=["privacy", "retention"])
    assert result.output.startswith("1 rows older than 180 days")
    assert "1 old messages deleted" in result.output
    db.session.expire_all()
    assert db.session.scalars(select(Signup)).one().volunteer_id != person.id
    assert db.session.scalars(select(Notification)).all() == []


# 9. The funder report suppresses every figure of a small cell ---------------


def test_funder_report_hides_the_hours_of_a_small_cell_on_the_page_and_in_csv(
    client, auth, coordinator, project, make_workday, make_user
):
    workday = make_workday(project=project, days=-3)
    signup = Signup(shift=workday.shifts[0], volunteer=make_user(), status="confirmed")
    db.session.add(signup)
    db.session.flush()
    hours.check_in(signup, actor=coordinator, now=workday.starts_at)
    hours.set_hours(signup, Decimal("7.25"), actor=coordinator)
    db.session.commit()
    auth.login(coordinator)
    today = utcnow().date()
    query = f"starts_on={today - timedelta(days=30)}&ends_on={today}&project_id=0"
    page = client.get(f"/reports/funders?{query}").get_data(as_text=True)
    assert "&lt;5" in page and "7.25" not in page
    response = client.get(f"/reports/funders.csv?{query}")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["project", "month", "volunteers", "hours", "workdays held"]
    assert rows[1][2:4] == ["<5", "suppressed"]
    assert "7.25" not in response.get_data(as_text=True)


# 11–14. Bad input is a 4xx or a form error, never a 500 ---------------------


@pytest.mark.parametrize(
    "url",
    [
        "/gardens/%00",
        "/projects/a%00b",
        "/calendar?month=%00",
        "/?garden=x%00",
        "/offers/%00",
        "/feeds/%00.ics",
    ],
)
def test_a_nul_in_an_address_is_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "control characters" in response.get_data(as_text=True)


def test_a_nul_in_a_login_email_saves_nothing_and_answers_400(client):
    response = client.post("/login", data={"email": "a\x00@b.org", "password": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("value", "ok"),
    [("Tea\x07 time", False), ("Tea\ntime", False), ("Tea\x1b[31m", False)],
)
def test_single_line_fields_refuse_line_breaks_and_controls(
    client, auth, coordinator, project, value, ok
):
    auth.login(coordinator)
    response = client.post(
        f"/projects/{project.slug}/tasks/new",
        data={
            "title": value,
            "people_needed": "1",
            "priority": "normal",
            "workday_id": "0",
        },
    )
    assert response.status_code == 422
    assert "Use one line of plain text" in response.get_data(as_text=True)


def test_text_areas_keep_line_breaks_and_tabs_but_not_controls(
    client, auth, coordinator, project
):
    auth.login(coordinator)
    data = {
        "title": "Compost",
        "people_needed": "1",
        "priority": "normal",
        "workday_id": "0",
    }
    refused = client.post(
        f"/projects/{project.slug}/tasks/new",
        data={**data, "description": "Bring\x00 gloves\x0b"},
    )
    assert refused.status_code == 400  # the NUL never reaches a form
    refused = client.post(
        f"/projects/{project.slug}/tasks/new",
        data={**data, "description": "Bring\x0bgloves"},
    )
    assert refused.status_code == 422
    assert "Remove the control characters" in refused.get_data(as_text=True)
    saved = client.post(
        f"/projects/{project.slug}/tasks/new",
        data={**data, "description": "Bring:\n\tgloves\r\n\tspade"},
    )
    assert saved.status_code == 302


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30])
def test_ids_past_the_database_range_are_404(client, auth, coordinator, huge):
    auth.login(coordinator)
    for url in (f"/workdays/{huge}", f"/plots/{huge}", f"/workdays/{huge}.ics"):
        assert client.get(url).status_code == 404
    assert client.post(f"/shifts/{huge}/signup").status_code == 404


def test_an_offer_to_a_request_id_past_the_range_is_refused(
    client, auth, coordinator, make_garden
):
    garden = make_garden()
    garden.coordinators.append(coordinator)
    plot = Plot(garden=garden, label="A1", size=10, x=0, y=0)
    db.session.add(plot)
    db.session.commit()
    auth.login(coordinator)
    response = client.post(f"/plots/{plot.id}/offer", data={"request_id": 2**40})
    assert response.status_code == 302
    assert flashes(client)[0] == ("error", "Nobody waiting matches this plot.")


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2026-13", "x"])
def test_the_month_view_falls_back_to_this_month(client, month):
    response = client.get(f"/calendar?month={month}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("kind", "ends_on", "message"),
    [
        ("hours", "9999-12-31", "Pick a date between"),
        ("signups", "0001-01-01", "Pick a date between"),
    ],
)
def test_exports_refuse_dates_out_of_range_with_a_message(
    client, auth, coordinator, project, kind, ends_on, message
):
    auth.login(coordinator)
    response = client.get(
        f"/exports?kind={kind}&starts_on=2026-01-01&ends_on={ends_on}"
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    report = client.get(f"/reports/funders?starts_on=2026-01-01&ends_on={ends_on}")
    assert report.status_code == 422 and message in report.get_data(as_text=True)


def test_planning_refuses_years_outside_the_window(client, auth, coordinator, project):
    auth.login(coordinator)
    for day in ("0001-01-02", "9999-12-30"):
        response = client.post(
            f"/projects/{project.slug}/workdays/new",
            data=workday_form(
                project,
                day=day,
                start="09:00",
                end="12:00",
                **{"shifts-0-start": "09:00", "shifts-0-end": "12:00"},
            ),
        )
        assert response.status_code == 422
        assert "Pick a date between" in response.get_data(as_text=True)
    series = workday_form(
        project,
        starts_on="2027-01-02",
        ends_on="9999-12-31",
        weekdays="5",
        start="09:00",
        end="12:00",
        **{"shifts-0-start": "09:00", "shifts-0-end": "12:00"},
    )
    del series["day"]
    response = client.post(f"/projects/{project.slug}/series/new", data=series)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Workday.id))) == 0


@pytest.mark.parametrize("value", ["sNaN", "NaN", "-Infinity", "nan", "inf"])
def test_non_numbers_in_number_fields_are_form_errors(
    client, auth, make_user, make_garden, value
):
    garden = make_garden()
    auth.login(make_user())
    response = client.post(
        f"/gardens/{garden.slug}/request", data={"min_size": value, "notes": ""}
    )
    assert response.status_code == 422
    assert "Enter a number." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PlotRequest.id))) == 0


# 15. A subject that cannot be sent fails alone ------------------------------


def test_a_message_that_cannot_be_built_fails_alone(app, make_user, smtp_server):
    person = make_user()
    good = notifications.queue(person, "password_reset", reset_url="https://x/r")
    bad = notifications.queue(person, "password_reset", reset_url="https://x/r")
    db.session.commit()
    bad.subject = "Hello\r\nBcc: everyone@example.org"  # written past the input
    db.session.commit()
    counts = delivery.deliver(now=utcnow() + timedelta(minutes=1))
    assert counts == {"sent": 1, "retry": 0, "failed": 1}
    assert fresh(bad).status == "failed"
    assert fresh(bad).last_error.startswith("Could not be built")
    assert fresh(good).status == "sent"
    assert len(smtp_server.messages) == 1


def test_subjects_are_one_line_by_construction(make_user, make_workday, make_signup):
    workday = make_workday(title="Beds\r\nBcc: x@example.org")
    make_signup(workday.shifts[0])
    subject = db.session.scalars(select(Notification.subject)).one()
    assert "\n" not in subject and "\r" not in subject
    long = notifications.one_line("word " * 100, 200)
    assert len(long) == 200 and long.endswith("…")


# 17. Links follow the address being served in development -------------------


def test_development_links_follow_the_port_being_served(tmp_path, make_workday):
    app = create_app(
        {
            "ENV": "development",
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'dev.sqlite'}",
        }
    )
    with app.app_context():
        db.create_all()
    page = app.test_client().get("/", base_url="http://127.0.0.1:8123")
    body = page.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()
    assert "webcal://127.0.0.1:8123/calendar.ics" in body
    assert ":5000" not in body


def test_production_needs_a_base_url(tmp_path):
    with pytest.raises(ConfigError, match="GARDENHUB_BASE_URL"):
        create_app({"SECRET_KEY": "x", "ENV": "production"})


def test_feed_urls_and_descriptions_use_the_base_url(client, make_workday):
    make_workday()
    feed = Calendar.from_ical(client.get("/calendar.ics").get_data())
    event = feed.walk("VEVENT")[0]
    assert str(event["url"]).startswith("https://gardenhub.test/workdays/")


# 22. An error summary above a long form --------------------------------------


def test_a_refused_form_starts_with_a_summary_linking_to_each_field(
    client, auth, coordinator, project
):
    auth.login(coordinator)
    response = client.post(
        f"/projects/{project.slug}/workdays/new",
        data=workday_form(
            project,
            day=future("2027-06-01"),
            start="09:00",
            end="12:00",
            title="",
            **{"shifts-0-capacity": "0"},
        ),
    )
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page
    assert page.index("error-summary") < page.index('name="title"')
    assert 'href="#title"' in page and 'href="#shifts-0-capacity"' in page
    assert "/static/js/errors.js" in page


# 23. Dates the wrong way round say so ---------------------------------------


def test_backwards_dates_say_what_is_wrong(client, auth, coordinator, project):
    auth.login(coordinator)
    for url in ("/exports?kind=hours&", "/reports/funders?"):
        response = client.get(f"{url}starts_on=2026-06-01&ends_on=2026-05-01")
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "The end date is before the start date" in page
        assert "No hours in this period" not in page


# 24. Planning in the past is refused ----------------------------------------


def test_a_workday_in_the_past_is_refused(client, auth, coordinator, project):
    auth.login(coordinator)
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    response = client.post(
        f"/projects/{project.slug}/workdays/new",
        data=workday_form(
            project,
            day=yesterday,
            start="09:00",
            end="12:00",
            **{"shifts-0-start": "09:00", "shifts-0-end": "12:00"},
        ),
    )
    assert response.status_code == 422
    assert "already passed" in response.get_data(as_text=True)
    assert "open for sign-ups" not in response.get_data(as_text=True)


# 25. Admin pages: readable audit trail, filters, pages ----------------------


def test_audit_trail_says_what_each_row_is_about_and_filters(
    client, auth, make_user, coordinator, project, make_workday
):
    admin = make_user(Role.admin, name="Ada")
    workday = make_workday(project=project, title="Bean day")
    auth.login(coordinator)
    client.post(f"/workdays/{workday.id}/cancel", data={"reason": "Rain"})
    client.get(f"/exports/workdays/{workday.id}/roster.csv")
    auth.logout()
    auth.login(admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "localproxy" not in page
    assert f'<a href="/workdays/{workday.id}">Bean day' in page
    assert "Cory" in page
    only = client.get(f"/admin/audit?actor={coordinator.id}&action=workday.cancel")
    text = only.get_data(as_text=True)
    assert '<td data-label="Action">workday.cancel</td>' in text
    assert '<td data-label="Action">export</td>' not in text
    later = client.get("/admin/audit?starts_on=2099-01-01").get_data(as_text=True)
    assert "Nothing matches." in later or "Pick a date between" in later


def test_admin_lists_are_paginated(client, auth, make_user):
    admin = make_user(Role.admin)
    for n in range(60):
        make_user(name=f"Member {n:02d}")
    auth.login(admin)
    first = client.get("/admin/users").get_data(as_text=True)
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second
    assert client.get("/admin/users?page=99").status_code == 200
    assert client.get("/admin/outbox?page=x").status_code == 200


# 27. "Message everyone" counts only the people it reaches -------------------


def test_message_everyone_says_how_many_it_cannot_reach(
    client, auth, coordinator, project, make_workday, make_signup
):
    workday = make_workday(project=project)
    shift = workday.shifts[0]
    for _ in range(3):
        make_signup(shift)
    auth.login(coordinator)
    client.post(f"/shifts/{shift.id}/add-guest", data={"name": "No Mail Nia"})
    client.post(
        f"/workdays/{workday.id}/message",
        data={
            "recipients": "0",
            "subject": "Bring water",
            "body": "It will be hot.",
            "reply_to": coordinator.email,
        },
    )
    messages = [message for _, message in flashes(client)]
    assert "on its way to 3 people" in messages[-2]
    assert messages[-1].startswith("1 person with a seat won't get it by email")


def test_links_made_by_cron_jobs_are_absolute(
    runner, make_workday, make_signup, make_user
):
    """Outside a request (the reminder job) links still come from url_for and
    the base URL."""
    workday = make_workday(days=0.5)
    no_quiet_hours = make_user(quiet_start=time(0), quiet_end=time(0))
    make_signup(workday.shifts[0], no_quiet_hours)
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    reminder = db.session.scalars(
        select(Notification).where(Notification.kind == "reminder")
    ).one()
    assert f"https://gardenhub.test/workdays/{workday.id}" in reminder.body_text
    assert "https://gardenhub.test/profile/notifications" in reminder.body_text
