"""Newcomers: the first-time mark, what to expect, a welcome buddy, and notes
for the coordinators that are erased after the workday."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from gardenhub.accounts.models import Role
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.notifications.models import Notification
from gardenhub.workdays.models import Signup
from tests.conftest import PASSWORD


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.coordinator, name="Cora Coord")


@pytest.fixture
def circle(make_project, coordinator):
    project = make_project(coordinators=[coordinator], name="Thursday Circle")
    project.what_to_expect = "Wear boots. Nobody has to share anything."
    db.session.commit()
    return project


def messages(kind: str) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Notification).where(Notification.kind == kind))
    )


def signup_of(person) -> Signup:
    db.session.expire_all()
    return db.session.scalars(
        select(Signup).where(Signup.volunteer_id == person.id)
    ).one()


def test_a_first_shift_is_marked_for_coordinators_only(
    client, auth, make_user, circle, coordinator, make_workday, make_signup, make_member
):
    regular = make_user(name="Rae Regular", shows_name=True)
    newcomer = make_user(name="Nia New", shows_name=True)
    for person in (regular, newcomer):
        make_member(circle, person)
    earlier = make_workday(project=circle, days=-7)
    earlier_signup = Signup(
        shift=earlier.shifts[0],
        volunteer=regular,
        status="confirmed",
        created_at=utcnow() - timedelta(days=9),
    )
    db.session.add(earlier_signup)
    db.session.commit()
    workday = make_workday(project=circle, days=0.05)
    make_signup(workday.shifts[0], regular)
    make_signup(workday.shifts[0], newcomer)
    auth.login(coordinator)
    for url in (f"/workdays/{workday.id}/roster", f"/workdays/{workday.id}/check-in"):
        page = client.get(url).get_data(as_text=True)
        assert page.count("first time</span>") == 1, url
        row = page[page.index("Nia New") :][:400]
        assert "first time" in row
    auth.logout()
    auth.login(regular)
    assert "first time" not in client.get(f"/workdays/{workday.id}").get_data(True)


def test_a_newcomer_is_told_what_to_expect_and_others_are_not(
    client, auth, make_user, circle, make_workday, make_member
):
    workday = make_workday(project=circle)
    newcomer = make_user()
    make_member(circle, newcomer)
    auth.login(newcomer)
    assert "Wear boots." in client.get(f"/workdays/{workday.id}").get_data(True)
    client.post(f"/shifts/{workday.shifts[0].id}/signup")
    (confirmation,) = messages("signup_confirmed")
    assert "first time" in confirmation.body_text
    assert "Wear boots." in confirmation.body_text
    later = make_workday(project=circle, days=10)
    workday.starts_at -= timedelta(days=30)  # the first one is behind them now
    for shift in workday.shifts:
        shift.starts_at -= timedelta(days=30)
        shift.ends_at -= timedelta(days=30)
    workday.ends_at -= timedelta(days=30)
    db.session.commit()
    client.post(f"/shifts/{later.shifts[0].id}/signup")
    second = [m for m in messages("signup_confirmed") if m.id != confirmation.id]
    assert "Wear boots." not in second[0].body_text


def test_a_coordinator_pairs_a_buddy_who_sees_the_name_only_if_agreed(
    client, auth, make_user, circle, coordinator, make_workday, make_member
):
    buddy = make_user(name="Bo Buddy")
    make_member(circle, buddy, welcomes_newcomers=True)
    newcomer = make_user(name="Nia New")
    make_member(circle, newcomer)
    workday = make_workday(project=circle)
    auth.login(newcomer)
    client.post(
        f"/shifts/{workday.shifts[0].id}/signup",
        data={"wants_buddy": "y", "note": "A quiet task please"},
    )
    signup = signup_of(newcomer)
    assert signup.wants_buddy and not signup.buddy_sees_name
    auth.logout()
    auth.login(coordinator)
    roster = client.get(f"/workdays/{workday.id}/roster").get_data(True)
    assert "asked for a welcome buddy" in roster and "A quiet task please" in roster
    client.post(f"/signups/{signup.id}/buddy", data={"buddy": buddy.id})
    assert signup_of(newcomer).buddy_id == buddy.id
    (paired,) = messages("buddy_paired")
    assert paired.user_id == buddy.id
    assert "A newcomer" in paired.body_text and "Nia New" not in paired.body_text
    assert "A quiet task please" not in paired.body_text
    (found,) = messages("buddy_found")
    assert found.user_id == newcomer.id
    auth.logout()
    # The buddy sees the pairing on their page, without the name.
    auth.login(buddy)
    page = client.get("/me").get_data(True)
    assert "A newcomer" in page and "Nia New" not in page
    auth.logout()
    # Agreeing later lets the buddy see the name.
    auth.login(newcomer)
    client.post(
        f"/signups/{signup.id}/details",
        data={"wants_buddy": "y", "buddy_sees_name": "y", "note": ""},
    )
    assert signup_of(newcomer).note is None
    auth.logout()
    auth.login(buddy)
    assert "Nia New" in client.get("/me").get_data(True)


def test_either_side_ends_a_pairing_and_the_other_is_told_only_that(
    client, auth, make_user, circle, coordinator, make_workday, make_member
):
    buddy = make_user()
    make_member(circle, buddy, welcomes_newcomers=True)
    newcomer = make_user()
    make_member(circle, newcomer)
    workday = make_workday(project=circle)
    auth.login(newcomer)
    client.post(f"/shifts/{workday.shifts[0].id}/signup", data={"wants_buddy": "y"})
    signup = signup_of(newcomer)
    auth.logout()
    auth.login(coordinator)
    client.post(f"/signups/{signup.id}/buddy", data={"buddy": buddy.id})
    auth.logout()
    auth.login(buddy)
    client.post(f"/signups/{signup.id}/buddy/end")
    assert signup_of(newcomer).buddy_id is None
    (ended,) = messages("buddy_ended")
    assert ended.user_id == newcomer.id
    assert "ended" in ended.body_text
    # The newcomer still wants one, so the coordinator may pair again.
    assert signup_of(newcomer).wants_buddy
    # Someone else cannot end or even see it.
    auth.logout()
    auth.login(make_user())
    assert client.post(f"/signups/{signup.id}/buddy/end").status_code == 404


def test_pairing_refuses_people_who_did_not_offer_and_people_who_did_not_ask(
    client, auth, make_user, circle, coordinator, make_workday, make_member
):
    unwilling = make_user()
    make_member(circle, unwilling)
    newcomer = make_user()
    make_member(circle, newcomer)
    workday = make_workday(project=circle)
    auth.login(newcomer)
    client.post(f"/shifts/{workday.shifts[0].id}/signup")
    signup = signup_of(newcomer)
    auth.logout()
    auth.login(coordinator)
    response = client.post(f"/signups/{signup.id}/buddy", data={"buddy": unwilling.id})
    assert response.status_code == 302
    assert signup_of(newcomer).buddy_id is None
    assert messages("buddy_paired") == []


def test_a_note_over_the_limit_is_refused_and_nothing_is_signed_up(
    client, auth, make_user, circle, make_workday, make_member
):
    person = make_user()
    make_member(circle, person)
    workday = make_workday(project=circle)
    auth.login(person)
    client.post(f"/shifts/{workday.shifts[0].id}/signup", data={"note": "x" * 301})
    assert db.session.scalars(select(Signup)).all() == []
    with client.session_transaction() as session:
        assert any("300 characters" in m for _, m in session["_flashes"])


def test_sign_up_notes_are_for_coordinators_and_erased_after_the_workday(
    client, auth, runner, make_user, circle, coordinator, make_workday, make_member
):
    person = make_user(shows_name=True)
    fellow = make_user(shows_name=True)
    for someone in (person, fellow):
        make_member(circle, someone)
    workday = make_workday(project=circle)
    auth.login(person)
    client.post(
        f"/shifts/{workday.shifts[0].id}/signup",
        data={"note": "Spade and gloves from home"},
    )
    auth.logout()
    auth.login(fellow)
    assert "Spade and gloves" not in client.get(f"/workdays/{workday.id}").get_data(
        True
    )
    auth.logout()
    auth.login(coordinator)
    assert "Spade and gloves" in client.get(f"/workdays/{workday.id}/roster").get_data(
        True
    )
    assert "Spade and gloves" not in client.get(
        f"/exports/workdays/{workday.id}/roster.csv"
    ).get_data(True)
    result = runner.invoke(args=["signups", "erase-notes"])
    assert "0 sign-up notes erased" in result.output
    workday.starts_at -= timedelta(days=12)
    workday.ends_at -= timedelta(days=12)
    db.session.commit()
    result = runner.invoke(args=["signups", "erase-notes"])
    assert "1 sign-up note erased" in result.output
    assert signup_of(person).note is None


def test_deleting_an_account_erases_its_notes_and_pairings(
    client, auth, make_user, circle, coordinator, make_workday, make_member
):
    buddy = make_user()
    make_member(circle, buddy, welcomes_newcomers=True)
    newcomer = make_user()
    make_member(circle, newcomer)
    workday = make_workday(project=circle)
    auth.login(newcomer)
    client.post(
        f"/shifts/{workday.shifts[0].id}/signup",
        data={"wants_buddy": "y", "note": "first time nerves"},
    )
    signup = signup_of(newcomer)
    auth.logout()
    auth.login(coordinator)
    client.post(f"/signups/{signup.id}/buddy", data={"buddy": buddy.id})
    auth.logout()
    auth.login(buddy)
    client.post("/me/delete", data={"password": PASSWORD})
    assert signup_of(newcomer).buddy_id is None
