"""Sign-ups through HTTP: capacity, waitlist, offers, cancellation, overlap."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.timezones import to_local
from gardenhub.workdays import signups
from gardenhub.workdays.models import Signup, SignupStatus


def statuses(shift):
    db.session.expire_all()
    return [
        s.status
        for s in db.session.scalars(
            select(Signup).where(Signup.shift_id == shift.id).order_by(Signup.id)
        )
    ]


def test_volunteer_signs_up_with_one_button(client, auth, make_user, make_workday):
    workday = make_workday(capacities=(2,))
    shift = workday.shifts[0]
    auth.login(make_user())
    response = client.post(f"/shifts/{shift.id}/signup")
    assert response.headers["Location"] == f"/workdays/{workday.id}"
    page = client.get(f"/workdays/{workday.id}").get_data(as_text=True)
    assert "signed up for “Shift 1”" in page
    assert "You&#39;re signed up" in page
    assert "1 of 2 filled" in page
    assert statuses(shift) == ["confirmed"]


def test_full_shift_puts_volunteer_on_waitlist_with_position(
    client, auth, make_user, make_workday, make_signup
):
    shift = make_workday(capacities=(1,)).shifts[0]
    make_signup(shift)
    make_signup(shift)  # first on the waitlist
    auth.login(make_user())
    response = client.post(f"/shifts/{shift.id}/signup", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "on the waitlist (number 2)" in page
    assert "On the waitlist: number 2" in page
    assert "waitlist: 2" in page
    assert statuses(shift) == ["confirmed", "waitlisted", "waitlisted"]


def test_signing_up_twice_is_refused(client, auth, make_user, make_workday):
    shift = make_workday().shifts[0]
    auth.login(make_user())
    client.post(f"/shifts/{shift.id}/signup")
    page = client.post(f"/shifts/{shift.id}/signup", follow_redirects=True)
    assert "already signed up" in page.get_data(as_text=True)
    assert statuses(shift) == ["confirmed"]


def test_database_allows_only_one_active_signup_per_person_and_shift(
    make_user, make_workday
):
    shift = make_workday().shifts[0]
    person = make_user()
    for _ in range(2):
        db.session.add(Signup(shift=shift, volunteer=person, status="confirmed"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_cancelled_signup_can_be_renewed(client, auth, make_user, make_workday):
    shift = make_workday().shifts[0]
    auth.login(make_user())
    client.post(f"/shifts/{shift.id}/signup")
    signup_id = db.session.scalars(select(Signup.id)).one()
    client.post(f"/signups/{signup_id}/cancel")
    client.post(f"/shifts/{shift.id}/signup")
    assert statuses(shift) == ["cancelled", "confirmed"]


@pytest.mark.parametrize("days", [-1, -0.01])
def test_past_or_started_shift_is_closed(client, auth, make_user, make_workday, days):
    shift = make_workday(days=days).shifts[0]
    auth.login(make_user())
    page = client.post(f"/shifts/{shift.id}/signup", follow_redirects=True)
    assert "already started" in page.get_data(as_text=True)
    assert statuses(shift) == []


def test_cancelled_workday_is_closed(client, auth, make_user, make_workday):
    shift = make_workday(status="cancelled").shifts[0]
    auth.login(make_user())
    page = client.post(f"/shifts/{shift.id}/signup", follow_redirects=True)
    assert "cancelled, so sign-ups are closed" in page.get_data(as_text=True)
    assert statuses(shift) == []


def test_unknown_shift_is_404(client, auth, make_user):
    auth.login(make_user())
    assert client.post("/shifts/999/signup").status_code == 404


def test_anonymous_signup_goes_to_login(client, make_workday):
    shift = make_workday().shifts[0]
    response = client.post(f"/shifts/{shift.id}/signup")
    assert response.headers["Location"].startswith("/login")
    assert statuses(shift) == []


def test_volunteer_cannot_cancel_someone_elses_signup(
    client, auth, make_user, make_workday, make_signup
):
    shift = make_workday().shifts[0]
    other = make_signup(shift)
    auth.login(make_user())
    assert client.post(f"/signups/{other.id}/cancel").status_code == 403
    assert client.post(f"/signups/{other.id}/confirm").status_code == 403
    assert statuses(shift) == ["confirmed"]


def test_cancelling_offers_the_seat_to_the_first_waitlisted(
    client, auth, make_user, make_workday, make_signup
):
    shift = make_workday(capacities=(1,), days=3).shifts[0]
    leaver = make_user()
    make_signup(shift, leaver)
    first, second = make_user(), make_user()
    make_signup(shift, first)
    make_signup(shift, second)
    auth.login(leaver)
    client.post(f"/signups/{shift.signups[0].id}/cancel")
    assert statuses(shift) == ["cancelled", "offered", "waitlisted"]
    offer = db.session.scalars(select(Signup).where(Signup.status == "offered")).one()
    window = offer.offer_expires_at - offer.offered_at
    assert window == timedelta(hours=12)

    auth.logout()
    auth.login(first)
    page = client.get(f"/workdays/{shift.workday_id}").get_data(as_text=True)
    assert "A seat is held for you" in page
    response = client.post(f"/signups/{offer.id}/confirm", follow_redirects=True)
    assert "is yours" in response.get_data(as_text=True)
    assert statuses(shift) == ["cancelled", "confirmed", "waitlisted"]


def test_offer_window_is_shortened_to_the_time_left(
    make_user, make_workday, make_signup
):
    now = utcnow()
    shift = make_workday(capacities=(1,), days=0.25).shifts[0]  # starts in 6 hours
    holder = make_signup(shift, now=now)
    make_signup(shift, now=now)
    signups.cancel(holder, actor=holder.volunteer, now=now)
    offer = db.session.scalars(select(Signup).where(Signup.status == "offered")).one()
    assert offer.offer_expires_at == shift.starts_at


def test_expired_offer_passes_to_the_next_person(runner, make_workday, make_signup):
    now = utcnow()
    shift = make_workday(capacities=(1,), days=5).shifts[0]
    holder = make_signup(shift, now=now)
    first = make_signup(shift, now=now)
    make_signup(shift, now=now)
    signups.cancel(holder, actor=holder.volunteer, now=now)
    db.session.commit()
    first.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["signups", "expire-offers"])
    assert "1 expired offer passed on" in result.output
    assert statuses(shift) == ["cancelled", "expired", "offered"]


def test_expired_offer_cannot_be_confirmed(client, auth, make_workday, make_signup):
    now = utcnow()
    shift = make_workday(capacities=(1,), days=5).shifts[0]
    holder = make_signup(shift, now=now)
    first = make_signup(shift, now=now)
    signups.cancel(holder, actor=holder.volunteer, now=now)
    first.offer_expires_at = now - timedelta(minutes=1)
    db.session.commit()
    auth.login(first.volunteer)
    page = client.post(f"/signups/{first.id}/confirm", follow_redirects=True)
    assert "expired" in page.get_data(as_text=True)
    assert statuses(shift) == ["cancelled", "expired"]


def test_inside_the_cutoff_a_freed_seat_is_open_to_anyone(
    client, auth, make_user, make_workday, make_signup
):
    shift = make_workday(capacities=(1,), days=1 / 24).shifts[0]  # in one hour
    holder = make_signup(shift)
    waiting = make_signup(shift)
    signups.cancel(holder, actor=holder.volunteer, now=utcnow())
    db.session.commit()
    assert statuses(shift) == ["cancelled", "waitlisted"]
    auth.login(waiting.volunteer)
    page = client.get(f"/workdays/{shift.workday_id}").get_data(as_text=True)
    assert "Take the open seat" in page
    client.post(f"/signups/{waiting.id}/confirm")
    assert statuses(shift) == ["cancelled", "confirmed"]


def test_overlapping_shift_is_refused_with_its_name(
    client, auth, make_user, make_workday
):
    first = make_workday(capacities=(3,)).shifts[0]
    second = make_workday(capacities=(3,)).shifts[0]
    second.name = "Compost turning"
    db.session.commit()
    auth.login(make_user())
    client.post(f"/shifts/{second.id}/signup")
    page = client.post(f"/shifts/{first.id}/signup", follow_redirects=True)
    assert "overlaps “Compost turning”" in page.get_data(as_text=True)
    assert statuses(first) == []


def test_lowering_capacity_below_seats_taken_is_refused(
    client, auth, make_user, make_project, make_workday, make_signup
):
    coordinator = make_user("coordinator")
    workday = make_workday(
        project=make_project(coordinators=[coordinator]), capacities=(3,)
    )
    shift = workday.shifts[0]
    make_signup(shift)
    make_signup(shift)
    auth.login(coordinator)
    local = to_local(shift.starts_at, "Europe/Berlin")
    form = {
        "name": "Shift 1",
        "start": f"{local:%H:%M}",
        "end": f"{local + timedelta(hours=3):%H:%M}",
        "capacity": "1",
    }
    response = client.post(f"/shifts/{shift.id}/edit", data=form)
    assert response.status_code == 422
    assert "cannot go below 2" in response.get_data(as_text=True)
    db.session.expire_all()
    assert shift.capacity == 3

    form["capacity"] = "4"
    make_signup(shift)
    make_signup(shift)  # waitlisted
    assert client.post(f"/shifts/{shift.id}/edit", data=form).status_code == 302
    assert statuses(shift) == ["confirmed", "confirmed", "confirmed", "offered"]


def test_coordinator_signs_up_a_guest_and_capacity_still_applies(
    client, auth, make_user, make_project, make_workday, make_signup
):
    coordinator = make_user("coordinator")
    workday = make_workday(
        project=make_project(coordinators=[coordinator]), capacities=(1,)
    )
    shift = workday.shifts[0]
    make_signup(shift)
    auth.login(coordinator)
    response = client.post(
        f"/shifts/{shift.id}/add-guest",
        data={"name": "Walk-in Wanda", "phone": "0170 1234567"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Walk-in Wanda is on the waitlist" in page
    assert "0170 1234567" in page
    assert statuses(shift) == ["confirmed", "waitlisted"]


def test_coordinator_signs_up_an_existing_person_by_email(
    client, auth, make_user, make_project, make_workday
):
    coordinator = make_user("coordinator")
    person = make_user(email="pat@example.org")
    workday = make_workday(project=make_project(coordinators=[coordinator]))
    auth.login(coordinator)
    client.post(
        f"/shifts/{workday.shifts[0].id}/add-person", data={"email": "PAT@example.org"}
    )
    signup = db.session.scalars(select(Signup)).one()
    assert (signup.volunteer_id, signup.added_by_id) == (person.id, coordinator.id)
    assert signup.status == SignupStatus.confirmed


def test_coordinator_of_another_project_cannot_add_people(
    client, auth, make_user, make_project, make_workday
):
    outsider = make_user("coordinator")
    make_project(coordinators=[outsider])
    shift = make_workday().shifts[0]
    auth.login(outsider)
    response = client.post(f"/shifts/{shift.id}/add-guest", data={"name": "X"})
    assert response.status_code == 403
    assert statuses(shift) == []
