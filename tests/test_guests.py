"""Signing up without an account: a name and an address, a link that confirms
the seat, and the same link to see, cancel, add to a calendar and check in."""

import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from gardenhub.accounts.models import User
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.guests.models import GuestPass
from gardenhub.notifications.models import Notification
from gardenhub.workdays.models import Signup


@pytest.fixture
def open_workday(make_workday, make_project):
    project = make_project()
    project.join_mode = "open"
    db.session.commit()
    return make_workday(project=project, capacities=(2,))


def ask(client, shift, name="Nadia", contact="nadia@example.org", **extra):
    return client.post(
        f"/shifts/{shift.id}/guest", data={"name": name, "contact": contact, **extra}
    )


def link_sent_to(address: str) -> str:
    message = db.session.scalars(
        select(Notification)
        .where(Notification.to_address == address, Notification.kind == "guest_link")
        .order_by(Notification.id.desc())
    ).first()
    assert message is not None, f"no link to {address}"
    return re.search(r"https://gardenhub\.test(/g/\S+)", message.body_text)[1]


def signups_on(shift) -> list[Signup]:
    db.session.expire_all()
    return db.session.scalars(select(Signup).where(Signup.shift_id == shift.id)).all()


def test_the_public_workday_offers_a_sign_up_without_an_account(
    client, open_workday, make_signup
):
    page = client.get(f"/workdays/{open_workday.id}")
    shift = open_workday.shifts[0]
    assert f'href="/shifts/{shift.id}/guest"' in page.text
    assert "Set-Cookie" not in page.headers
    form = client.get(f"/shifts/{shift.id}/guest")
    assert form.status_code == 200
    assert "2 spots open." in form.text
    make_signup(shift)
    assert "1 spot open." in client.get(f"/shifts/{shift.id}/guest").text
    make_signup(shift)
    full = client.get(f"/shifts/{shift.id}/guest").text
    assert "This shift is full: confirming puts you on its waitlist." in full
    assert 'name="website"' in form.text and 'aria-hidden="true"' in form.text


def test_a_guest_confirms_from_the_link_and_only_then_holds_a_seat(
    client, open_workday
):
    shift = open_workday.shifts[0]
    response = ask(client, shift)
    assert response.headers["Location"] == f"/shifts/{shift.id}/guest/sent"
    assert signups_on(shift) == [], "asking holds nothing"
    guest = db.session.scalar(select(User).where(User.email == "nadia@example.org"))
    assert guest.is_guest and guest.display_name == "Nadia"
    link = link_sent_to("nadia@example.org")

    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "Confirm my seat" in page.text
    assert "Members' workday" not in page.text, "the public title only"

    client.post(f"{link}/confirm")
    client.post(f"{link}/confirm")  # twice: still one sign-up
    (signup,) = signups_on(shift)
    assert (signup.volunteer_id, signup.status) == (guest.id, "confirmed")
    page = client.get(link)
    assert "You have a seat" in page.text and "Cancel my seat" in page.text
    # It never logs anyone in.
    assert client.get("/me").status_code == 302

    ics = client.get(f"{link}.ics")
    assert ics.headers["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(ics.data).walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("Shift 1")

    client.post(f"{link}/cancel")
    assert signups_on(shift)[0].status == "cancelled"
    assert "Confirm my seat" in client.get(link).text


def test_asking_twice_sends_a_fresh_link_and_duplicates_nothing(client, open_workday):
    shift = open_workday.shifts[0]
    ask(client, shift)
    first = link_sent_to("nadia@example.org")
    ask(client, shift, name="Someone else", contact="  NADIA@example.org ")
    second = link_sent_to("nadia@example.org")
    assert first != second
    assert client.get(first).status_code == 404, "the old link is retired"
    client.post(f"{second}/confirm")
    ask(client, shift)
    third = link_sent_to("nadia@example.org")
    assert (
        "you already have a seat"
        in db.session.scalars(
            select(Notification.body_text).order_by(Notification.id.desc())
        ).first()
    )
    assert db.session.scalar(select(func.count(User.id))) == 1
    assert db.session.scalar(select(func.count(GuestPass.id))) == 1
    assert len(signups_on(shift)) == 1
    guest = db.session.scalar(select(User))
    assert guest.display_name == "Nadia", "a name is never changed from outside"
    assert client.get(third).status_code == 200


def test_an_account_holder_gets_the_link_for_themselves(
    client, open_workday, make_user
):
    person = make_user(name="Real Name", email="real@example.org")
    shift = open_workday.shifts[0]
    ask(client, shift, name="Impostor", contact="real@example.org")
    link = link_sent_to("real@example.org")
    client.post(f"{link}/confirm")
    (signup,) = signups_on(shift)
    assert signup.volunteer_id == person.id
    assert db.session.get(User, person.id).display_name == "Real Name"


def test_a_full_shift_puts_the_confirming_guest_on_the_waitlist(
    client, open_workday, make_user, make_signup
):
    shift = open_workday.shifts[0]
    for _ in range(2):
        make_signup(shift, make_user())
    ask(client, shift)
    link = link_sent_to("nadia@example.org")
    client.post(f"{link}/confirm")
    assert "you are on its waitlist" in client.get(link).text
    mine = [s for s in signups_on(shift) if s.volunteer.email == "nadia@example.org"]
    assert [s.status for s in mine] == ["waitlisted"]
    assert "On the waitlist" in client.get(link).text


def test_the_link_ends_with_the_shift(client, open_workday):
    shift = open_workday.shifts[0]
    ask(client, shift)
    link = link_sent_to("nadia@example.org")
    client.post(f"{link}/confirm")
    # As if the shift were over: the link's end is the shift's end.
    (guest_pass,) = db.session.scalars(select(GuestPass))
    assert guest_pass.expires_at == shift.ends_at
    guest_pass.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(link)
    assert page.status_code == 410
    assert "This link ended with the shift" in page.text
    client.post(f"{link}/cancel")
    assert signups_on(shift)[0].status == "confirmed", "an ended link changes nothing"
    assert client.get(f"{link}.ics").status_code == 404
    assert client.get("/g/not-a-real-link").status_code == 404


def test_a_guest_checks_themselves_in_during_the_window(
    client, make_workday, make_project
):
    project = make_project()
    project.join_mode = "open"
    db.session.commit()
    soon = make_workday(project=project, days=0.02, hours=2)  # in half an hour
    shift = soon.shifts[0]
    ask(client, shift)
    link = link_sent_to("nadia@example.org")
    client.post(f"{link}/confirm")
    page = client.get(link)
    assert "I'm here" in page.text
    client.post(f"{link}/here")
    (signup,) = signups_on(shift)
    assert signup.checked_in_at is not None
    assert signup.checked_in_by_id == signup.volunteer_id
    assert "Checked in" in client.get(link).text


def test_members_only_and_not_open_workdays_take_no_guests(
    client, make_workday, make_project
):
    closed = make_workday()  # a project that takes requests
    members = make_workday(visibility="members")
    members.project.join_mode = "open"
    db.session.commit()
    for workday in (closed, members):
        shift = workday.shifts[0]
        assert client.get(f"/shifts/{shift.id}/guest").status_code == 404
        assert ask(client, shift).status_code == 404
        assert 'href="/shifts/' not in client.get(f"/workdays/{workday.id}").text
    assert db.session.scalar(select(func.count(Notification.id))) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"contact": "not an address"}, "Enter an email address"),
        ({"contact": "x@"}, "Enter a valid email address."),
        ({"contact": ""}, "We need somewhere to send your link."),
        ({"name": ""}, "Tell us what to call you."),
        ({"name": "x" * 81}, "Field cannot be longer than 80 characters."),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(
    client, open_workday, data, message
):
    response = ask(client, open_workday.shifts[0], **data)
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_a_bot_filling_the_honeypot_is_told_the_same_and_nothing_happens(
    client, open_workday
):
    shift = open_workday.shifts[0]
    response = ask(client, shift, website="http://spam.example")
    assert response.headers["Location"] == f"/shifts/{shift.id}/guest/sent"
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 0


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_a_flood_from_one_address_is_stopped(client, open_workday):
    shift = open_workday.shifts[0]
    answers = [
        ask(client, shift, contact=f"n{i}@example.org").status_code for i in range(100)
    ]
    assert answers[:10] == [302] * 10
    assert set(answers[10:]) == {429}
    assert db.session.scalar(select(func.count(Notification.id))) == 10


@pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_ENABLED": True, "GUEST_BURST_PER_ADDRESS": "100 per minute"}],
)
def test_one_destination_gets_few_links(client, open_workday):
    shift = open_workday.shifts[0]
    answers = [ask(client, shift).status_code for _ in range(5)]
    assert answers == [302, 302, 302, 429, 429]
    assert db.session.scalar(select(func.count(Notification.id))) == 3


def test_retention_forgets_links_and_guests_who_never_confirmed(
    client, runner, make_workday, make_project
):
    project = make_project()
    project.join_mode = "open"
    db.session.commit()
    workday = make_workday(project=project, capacities=(3, 3))
    first, second = workday.shifts
    ask(client, first, name="Never Came", contact="never@example.org")
    ask(client, first, name="Did Come", contact="came@example.org")
    client.post(f"{link_sent_to('came@example.org')}/confirm")
    ask(client, second, name="Did Come", contact="came@example.org")
    for guest_pass in db.session.scalars(select(GuestPass)):
        if guest_pass.shift_id == first.id:
            guest_pass.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    result = runner.invoke(args=["privacy", "retention"])
    assert "1 guests who never confirmed a link forgotten" in result.output
    db.session.expire_all()
    never = db.session.scalar(select(User).where(User.display_name == "Never Came"))
    assert never is None
    assert db.session.scalar(select(func.count(User.id)).where(User.is_pseudonym))
    came = db.session.scalar(select(User).where(User.email == "came@example.org"))
    assert came is not None, "a guest with a sign-up stays until retention's days"
    remaining = db.session.scalars(select(GuestPass)).all()
    assert [p.shift_id for p in remaining] == [second.id]
    assert not db.session.scalars(
        select(Notification).where(Notification.to_address == "never@example.org")
    ).all(), "their link's message keeps no address"


# --- by text message -------------------------------------------------------


@pytest.fixture
def gateway(app):
    """Texts through the self-hosted gateway, answered by a local server that
    speaks its API (see tests/test_sms.py)."""
    from tests.test_sms import SECRET, GatewayApi

    server = GatewayApi()
    app.config.update(
        SMS_BACKEND="gateway",
        SMS_GATEWAY_URL=server.url,
        SMS_GATEWAY_USERNAME="sms",
        SMS_GATEWAY_PASSWORD="gateway-password",
        SMS_GATEWAY_WEBHOOK_SECRET=SECRET,
        SMS_TIMEOUT_SECONDS=2,
    )
    yield server
    server.stop()


def texts_to(number: str) -> list[Notification]:
    db.session.expire_all()
    return db.session.scalars(
        select(Notification)
        .where(Notification.channel == "sms", Notification.to_address == number)
        .order_by(Notification.id)
    ).all()


def test_a_neighbour_with_only_a_phone_confirms_and_cancels_from_a_text(
    client, open_workday, gateway
):
    from gardenhub.notifications import delivery
    from tests.test_sms import gateway_post

    shift = open_workday.shifts[0]
    assert ask(client, shift, name="Tomás", contact="0170 7654321").status_code == 302
    assert signups_on(shift) == []
    (text,) = texts_to("+491707654321")
    assert text.kind == "guest_link"
    link = re.search(r"https://gardenhub\.test(/g/\S+)", text.body_text)[1]
    # A day on: past anyone's quiet hours, whatever the time of this run.
    delivery.deliver(now=utcnow() + timedelta(days=1))
    (sent,) = gateway.requests
    body = sent["body"].decode()
    assert "+491707654321" in body and "/g/" in body

    client.post(f"{link}/confirm")
    (signup,) = signups_on(shift)
    assert signup.status == "confirmed"
    assert [t.kind for t in texts_to("+491707654321")] == [
        "guest_link",
        "signup_confirmed",
    ], "the confirmation goes by text too"
    client.post(f"{link}/cancel")
    assert signups_on(shift)[0].status == "cancelled"

    # STOP: no more texts, not even a new link.
    assert gateway_post(client, "+491707654321", "STOP").status_code == 204
    guest = db.session.scalar(select(User).where(User.phone == "+491707654321"))
    assert guest.sms_opted_out_at is not None
    before = len(texts_to("+491707654321"))
    ask(client, shift, name="Tomás", contact="0170 7654321")
    assert len(texts_to("+491707654321")) == before


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("0170 123", "not a valid phone number"),
        ("+44 7911 123456", "Germany"),
        ("0900 1234567", "premium"),
        ("030 1234567", "mobile"),
    ],
)
def test_numbers_we_cannot_text_are_refused(
    client, open_workday, gateway, number, message
):
    response = ask(client, open_workday.shifts[0], contact=number)
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_without_texts_set_up_a_number_is_explained(client, open_workday):
    response = ask(client, open_workday.shifts[0], contact="0170 7654321")
    assert response.status_code == 422
    assert "sign-up by text message is not set up here" in response.text


def test_a_guest_keeps_their_history_by_registering_with_the_same_address(
    client, open_workday, auth
):
    shift = open_workday.shifts[0]
    ask(client, shift)
    client.post(f"{link_sent_to('nadia@example.org')}/confirm")
    guest = db.session.scalar(select(User).where(User.email == "nadia@example.org"))

    client.post(
        "/register",
        data={
            "email": "nadia@example.org",
            "display_name": "Nadia R.",
            "password": "a long password",
        },
    )
    message = db.session.scalars(
        select(Notification)
        .where(Notification.kind == "registration_attempt")
        .order_by(Notification.id.desc())
    ).first()
    reset = re.search(
        r"https://gardenhub\.test(/password/reset/\S+)", message.body_text
    )
    assert reset, "the message sets a password in one step"
    client.post(reset[1], data={"new_password": "my own long password"})

    db.session.expire_all()
    (account,) = db.session.scalars(select(User)).all()
    assert account.id == guest.id and not account.is_guest
    assert [s.volunteer_id for s in signups_on(shift)] == [guest.id]
    response = client.post(
        "/login",
        data={"email": "nadia@example.org", "password": "my own long password"},
    )
    assert response.status_code == 302
    shifts = client.get("/my/shifts").text
    assert "Shift 1" in shifts, "their sign-up is on My shifts"
