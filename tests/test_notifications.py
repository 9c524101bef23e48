"""Notifications through a real SMTP server: what arrives, exactly once, on time."""

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import vobject
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar
from sqlalchemy import func, select

from gardenhub.accounts.models import Role
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.notifications import delivery
from gardenhub.notifications.models import Notification
from gardenhub.workdays import reminders, signups
from gardenhub.workdays.models import Signup


def outbox(kind=None):
    db.session.expire_all()
    query = select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return db.session.scalars(query).all()


def deliver():
    counts = delivery.deliver(now=utcnow())
    db.session.expire_all()
    return counts


def attachment(message):
    """The calendar file, read by icalendar, vobject and Home Assistant's
    strict `ical`. Every one is an iTIP message from the app's own address,
    with no feed-only properties."""
    part = next(
        p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"
    )
    body = part.get_payload(decode=True)
    vobject.readOne(body.decode())
    IcsCalendarStream.calendar_from_ics(body.decode())
    calendar = Calendar.from_ical(body)
    for feed_only in ("NAME", "X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
        assert feed_only not in calendar
    events = calendar.walk("VEVENT")
    expected = "CANCEL" if str(events[0]["status"]) == "CANCELLED" else "PUBLISH"
    assert str(calendar["method"]) == expected
    for event in events:
        assert str(event["organizer"]) == "mailto:garden@example.org"
        assert event["organizer"].params["CN"] == "GardenHub"
    return calendar


def test_signup_confirmation_arrives_with_the_feed_uid(
    client, auth, make_user, make_workday, smtp_server
):
    person = make_user(email="vee@example.org")
    shift = make_workday(title="Saturday crew").shifts[0]
    auth.login(person)
    client.post(f"/shifts/{shift.id}/signup")
    assert deliver()["sent"] == 1
    ((recipients, message),) = smtp_server.messages
    assert recipients == ["vee@example.org"]
    assert message["Subject"].startswith("You're signed up: Shift 1")
    assert (
        "https://gardenhub.test/workdays/" in message.get_body(("plain",)).get_content()
    )
    assert (
        '<a href="https://gardenhub.test/' in message.get_body(("html",)).get_content()
    )
    event = attachment(message).walk("VEVENT")[0]
    assert str(event["uid"]) == f"shift-{shift.id}@gardenhub.test"
    token = client.post("/my/calendar", data={"name": "phone"}).get_data(True)
    feed = client.get("/feeds/" + token.split("/feeds/")[1].split(".ics")[0] + ".ics")
    feed_uids = [
        str(e["uid"]) for e in Calendar.from_ical(feed.get_data()).walk("VEVENT")
    ]
    assert feed_uids == [str(event["uid"])]


def test_waitlist_offer_link_confirms_only_with_the_button(
    client, make_user, make_workday, make_signup, smtp_server
):
    shift = make_workday(capacities=(1,)).shifts[0]
    holder = make_signup(shift)
    waiting = make_signup(shift, make_user(email="wait@example.org"))
    signups.cancel(holder, actor=holder.volunteer, now=utcnow())
    db.session.commit()
    deliver()
    offers = [
        m
        for r, m in smtp_server.messages
        if r == ["wait@example.org"] and m["Subject"].startswith("A seat is free")
    ]
    assert len(offers) == 1
    text = offers[0].get_body(("plain",)).get_content()
    link = next(w for w in text.split() if "/offers/" in w)
    path = link.replace("https://gardenhub.test", "")
    page = client.get(path)
    assert "Confirm my seat" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Signup, waiting.id).status == "offered"
    client.post(path)
    assert db.session.get(Signup, waiting.id).status == "confirmed"
    assert client.get("/offers/forged-token").status_code == 404


def test_cancelled_workday_reaches_everyone_with_a_cancelled_event(
    client,
    auth,
    make_user,
    make_project,
    make_workday,
    make_signup,
    make_member,
    smtp_server,
):
    coordinator = make_user(Role.coordinator)
    project = make_project(coordinators=[coordinator])
    workday = make_workday(project=project, capacities=(1,))
    member = make_member(project, make_user(email="a@example.org")).user
    stranger = make_user(email="b@example.org")
    make_signup(workday.shifts[0], member)
    make_signup(workday.shifts[0], stranger)  # waitlisted
    auth.login(coordinator)
    client.post(f"/workdays/{workday.id}/cancel", data={"reason": "Storm warning"})
    deliver()
    cancelled = {
        tuple(r): m
        for r, m in smtp_server.messages
        if m["Subject"].startswith("Cancelled:")
    }
    assert set(cancelled) == {("a@example.org",), ("b@example.org",)}
    event = attachment(cancelled[("a@example.org",)]).walk("VEVENT")[0]
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] == 1
    assert (
        "Storm warning"
        in cancelled[("a@example.org",)].get_body(("plain",)).get_content()
    )
    # The reason is for members: someone who only signed up for the public
    # workday hears that it is cancelled, not why.
    assert (
        "Storm warning"
        not in cancelled[("b@example.org",)].get_body(("plain",)).get_content()
    )


def test_time_change_tells_volunteers(
    client, auth, make_user, make_project, make_workday, make_signup
):
    coordinator = make_user(Role.coordinator)
    workday = make_workday(project=make_project(coordinators=[coordinator]))
    make_signup(workday.shifts[0])
    auth.login(coordinator)
    local = workday.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    client.post(
        f"/workdays/{workday.id}/edit",
        data={
            "title": workday.title,
            "public_title": workday.public_title,
            "garden_id": workday.garden_id,
            "day": f"{local:%Y-%m-%d}",
            "start": f"{local + timedelta(hours=1):%H:%M}",
            "end": f"{local + timedelta(hours=4):%H:%M}",
            "scope": "this",
        },
    )
    assert [n.kind for n in outbox("workday_changed")] == ["workday_changed"]
    client.post(
        f"/workdays/{workday.id}/edit",
        data={
            "title": "Only the title",
            "public_title": workday.public_title,
            "garden_id": workday.garden_id,
            "day": f"{local:%Y-%m-%d}",
            "start": f"{local + timedelta(hours=1):%H:%M}",
            "end": f"{local + timedelta(hours=4):%H:%M}",
            "scope": "this",
        },
    )
    assert len(outbox("workday_changed")) == 1


def test_delivery_is_exactly_once_even_with_two_workers(
    app, make_user, make_workday, make_signup, smtp_server
):
    shift = make_workday(capacities=(30,)).shifts[0]
    for _ in range(12):
        make_signup(shift)
    start = threading.Barrier(2)

    def worker():
        start.wait(timeout=30)
        with app.app_context():
            delivery.deliver(now=utcnow())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deliver()
    assert len(smtp_server.messages) == 12
    assert len({tuple(r) for r, _ in smtp_server.messages}) == 12
    assert {n.status for n in outbox()} == {"sent"}


def test_smtp_down_keeps_the_message_with_its_error(
    client, auth, app, make_user, make_workday
):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens
    person = make_user()
    auth.login(person)
    response = client.post(f"/shifts/{make_workday().shifts[0].id}/signup")
    assert response.status_code == 302
    counts = deliver()
    assert counts == {"sent": 0, "retry": 1, "failed": 0}
    (message,) = outbox()
    assert message.status == "queued" and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at > utcnow()
    assert deliver() == {"sent": 0, "retry": 0, "failed": 0}  # backing off


def test_without_smtp_messages_stay_in_the_admin_outbox(
    client, auth, runner, make_user, make_workday
):
    admin, person = make_user(Role.admin), make_user()
    auth.login(person)
    client.post(f"/shifts/{make_workday().shifts[0].id}/signup")
    result = runner.invoke(args=["outbox", "deliver"])
    assert "messages stay in the outbox" in result.output
    assert client.get("/admin/outbox").status_code == 403
    auth.logout()
    auth.login(admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "You&#39;re signed up" in page and person.email in page
    (message,) = outbox()
    assert client.get(f"/admin/outbox/{message.id}").status_code == 200


def test_outbox_deliver_command_sends(
    runner, make_user, make_workday, make_signup, smtp_server
):
    make_signup(make_workday().shifts[0])
    result = runner.invoke(args=["outbox", "deliver"])
    assert "sent 1" in result.output
    runner.invoke(args=["outbox", "deliver"])
    assert len(smtp_server.messages) == 1


def reminder_setup(
    make_user, make_workday, make_signup, *, hours_ahead: float, **person
):
    start = utcnow() + timedelta(hours=hours_ahead)
    workday = make_workday(days=hours_ahead / 24)
    signup = make_signup(workday.shifts[0], make_user(**person))
    db.session.commit()
    return signup, start


def test_reminder_goes_out_once_however_often_the_command_runs(
    runner, make_user, make_workday, make_signup
):
    reminder_setup(
        make_user,
        make_workday,
        make_signup,
        hours_ahead=20,
        quiet_start=time(0),
        quiet_end=time(0),
    )
    far = make_signup(make_workday(days=3).shifts[0])  # too early for a reminder
    for _ in range(3):
        runner.invoke(args=["reminders", "send"])
    assert len(outbox("reminder")) == 1
    assert far.reminded_at is None


def test_concurrent_reminder_runs_send_once(app, make_user, make_workday, make_signup):
    reminder_setup(
        make_user,
        make_workday,
        make_signup,
        hours_ahead=5,
        quiet_start=time(0),
        quiet_end=time(0),
    )
    start = threading.Barrier(3)

    def run():
        start.wait(timeout=30)
        with app.app_context():
            reminders.send_due(now=utcnow())
            db.session.commit()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outbox("reminder")) == 1


def test_quiet_hours_delay_a_reminder_until_they_end(
    make_user, make_workday, make_signup
):
    signup, _ = reminder_setup(make_user, make_workday, make_signup, hours_ahead=30)
    zone = ZoneInfo("Europe/Berlin")
    shift_local = signup.shift.starts_at.astimezone(zone)
    night = datetime.combine(shift_local.date() - timedelta(days=1), time(23), zone)
    morning = datetime.combine(shift_local.date(), time(8, 5), zone)
    if morning >= signup.shift.starts_at:  # the shift itself is early: use the eve
        morning = datetime.combine(
            shift_local.date() - timedelta(days=1), time(20), zone
        )
    assert reminders.send_due(now=night) == 0
    assert reminders.send_due(now=morning) == 1
    assert reminders.send_due(now=morning + timedelta(minutes=10)) == 0


def test_muted_kinds_are_not_sent_but_confirmations_are(
    client, auth, make_user, make_workday, make_signup
):
    person = make_user(quiet_start=time(0), quiet_end=time(0))
    auth.login(person)
    client.post(
        "/profile/notifications",
        data={
            "receive": ["signup_confirmed"],
            "quiet_start": "00:00",
            "quiet_end": "00:00",
        },
    )
    db.session.expire_all()
    assert "reminder" in person.muted_notifications
    assert "signup_confirmed" not in person.muted_notifications
    shift = make_workday(days=0.5).shifts[0]
    client.post(f"/shifts/{shift.id}/signup")
    reminders.send_due(now=utcnow())
    assert [n.kind for n in outbox()] == ["signup_confirmed"]


def test_discreet_mode_keeps_names_out_of_messages(
    make_user, make_workday, make_signup
):
    person = make_user(is_discreet=True)
    make_signup(make_workday(title="Recovery circle garden").shifts[0], person)
    (message,) = outbox()
    assert message.subject == "Your garden shift is confirmed"
    assert "Recovery" not in message.body_text
    assert "Garden shift" in message.body_text


def test_coordinator_message_gives_each_recipient_their_own_copy(
    client, auth, make_user, make_project, make_workday, make_signup, smtp_server
):
    coordinator = make_user(Role.coordinator, email="coord@example.org")
    workday = make_workday(project=make_project(coordinators=[coordinator]))
    people = [make_user(email=f"v{n}@example.org") for n in range(3)]
    for person in people:
        make_signup(workday.shifts[0], person)
    deliver()
    smtp_server.messages.clear()
    auth.login(coordinator)
    response = client.post(
        f"/workdays/{workday.id}/message",
        data={
            "recipients": "0",
            "subject": "Bring gloves",
            "body": "It will be muddy.",
            "reply_to": "coord@example.org",
        },
    )
    assert response.status_code == 302
    deliver()
    assert sorted(r[0] for r, _ in smtp_server.messages) == [p.email for p in people]
    for recipients, message in smtp_server.messages:
        assert message["Reply-To"] == "coord@example.org"
        assert message["To"] == recipients[0]
        raw = message.as_string()
        assert all(p.email not in raw for p in people if p.email != recipients[0])


def test_volunteer_cannot_message_a_workday(client, auth, make_user, make_workday):
    auth.login(make_user())
    assert client.post(f"/workdays/{make_workday().id}/message").status_code == 403


def test_password_reset_link_works_once(client, make_user, smtp_server):
    person = make_user(email="forgetful@example.org")
    known = client.post(
        "/password/forgot",
        data={"email": "forgetful@example.org"},
        follow_redirects=True,
    ).get_data(as_text=True)
    unknown = client.post(
        "/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "If an account uses that email" in known and "If an account uses" in unknown
    deliver()
    ((recipients, message),) = smtp_server.messages
    link = next(
        w
        for w in message.get_body(("plain",)).get_content().split()
        if "/password/reset/" in w
    )
    path = link.replace("https://gardenhub.test", "")
    assert (
        client.post(path, data={"new_password": "brand new words"}).status_code == 302
    )
    db.session.expire_all()
    assert person.check_password("brand new words")
    assert client.get(path).status_code == 400  # used: the hash changed
    assert client.get("/password/reset/forged").status_code == 400


def test_password_reset_link_expires(client, app, make_user):
    make_user(email="slow@example.org")
    client.post("/password/forgot", data={"email": "slow@example.org"})
    link = outbox("password_reset")[0].body_text.split("/password/reset/")[1].split()[0]
    app.config["PASSWORD_RESET_SECONDS"] = -1
    assert client.get(f"/password/reset/{link}").status_code == 400


def test_task_and_plot_messages(make_user, make_task, make_garden):
    from gardenhub.plots import waitlist
    from gardenhub.plots.models import Plot
    from gardenhub.tasks import services as tasks

    coordinator = make_user(Role.coordinator)
    tasks.assign(
        make_task(title="Water bed C"), make_user(), actor=coordinator, now=utcnow()
    )
    garden = make_garden()
    plot = Plot(garden=garden, label="A1", size=5, x=0, y=0)
    db.session.add(plot)
    waitlist.request_plot(
        garden,
        make_user(),
        min_size=None,
        needs_accessible=False,
        notes=None,
        now=utcnow(),
    )
    waitlist.offer(plot, None, actor=coordinator, now=utcnow())
    db.session.commit()
    assert [n.subject for n in outbox()] == [
        "Task for you: Water bed C",
        "A garden plot is offered to you",
    ]
    assert db.session.scalar(select(func.count(Notification.id))) == 2


def test_email_calendars_follow_a_moved_shift_and_a_cancelled_sign_up(
    client, auth, make_user, make_workday, smtp_server
):
    """Who added a shift from the confirmation gets the update, and the
    removal, the same way, with the same UID."""
    coordinator = make_user(Role.coordinator)
    person = make_user(email="vee@example.org")
    workday = make_workday(hours=4)
    workday.project.coordinators.append(coordinator)
    db.session.commit()
    shift = workday.shifts[0]
    uid = f"shift-{shift.id}@gardenhub.test"
    auth.login(person)
    client.post(f"/shifts/{shift.id}/signup")
    auth.logout()
    auth.login(coordinator)
    zone = ZoneInfo(workday.timezone)
    start = shift.starts_at.astimezone(zone) + timedelta(hours=1)
    response = client.post(
        f"/shifts/{shift.id}/edit",
        data={
            "name": shift.name,
            "start": f"{start:%H:%M}",
            "end": f"{start + timedelta(hours=2):%H:%M}",
            "capacity": "5",
        },
    )
    assert response.status_code == 302
    auth.logout()
    auth.login(person)
    signup = db.session.scalars(select(Signup)).one()
    client.post(f"/signups/{signup.id}/cancel")
    deliver()
    by_subject = {m["Subject"]: m for _, m in smtp_server.messages}
    changed = next(m for s, m in by_subject.items() if s.startswith("Changed:"))
    event = attachment(changed).walk("VEVENT")[0]
    assert str(event["uid"]) == uid and event["sequence"] >= 1
    assert event.decoded("dtstart").astimezone(zone).hour == start.hour
    cancelled = by_subject["Cancelled sign-up: Shift 1"]
    calendar = attachment(cancelled)
    assert str(calendar["method"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == uid and str(event["status"]) == "CANCELLED"
    assert "you cancelled your sign-up" in cancelled.get_body(("plain",)).get_content()


def test_messages_speak_the_recipients_language_or_else_the_gardens(
    client, auth, make_user, make_project, make_workday, make_signup
):
    from babel.dates import get_day_names, get_month_names

    coordinator = make_user(Role.coordinator, language="en")
    project = make_project(coordinators=[coordinator])
    project.garden.language = "de"
    db.session.commit()
    workday = make_workday(project=project)
    german = make_user(email="de@example.org", language="de")
    english = make_user(email="en@example.org", language="en")
    undecided = make_user(email="none@example.org", language=None)
    for person in (german, english, undecided):
        make_signup(workday.shifts[0], person)
    # An English-speaking coordinator's request sends the cancellations.
    auth.login(coordinator)
    client.post(f"/workdays/{workday.id}/cancel", data={"reason": "Storm"})

    day = workday.starts_at.astimezone(ZoneInfo(workday.timezone)).date()
    weekday = day.weekday()
    in_german = f"{get_day_names('abbreviated', locale='de_DE')[weekday]}, {day.day}."
    in_english = (
        f"{get_day_names('abbreviated', locale='en_GB')[weekday]} {day.day} "
        f"{get_month_names('abbreviated', locale='en_GB')[day.month]}"
    )
    by_address = {}
    for message in outbox():
        by_address.setdefault(message.to_address, {})[message.kind] = message
    assert all(
        set(kinds) == {"signup_confirmed", "workday_cancelled"}
        for kinds in by_address.values()
    )
    for address, speaks in [
        ("de@example.org", "de"),  # their own choice
        ("en@example.org", "en"),  # their own choice, over the garden's
        ("none@example.org", "de"),  # no choice: the garden's language
    ]:
        expected, other = (
            (in_german, in_english) if speaks == "de" else (in_english, in_german)
        )
        confirmed = by_address[address]["signup_confirmed"]
        cancelled = by_address[address]["workday_cancelled"]
        assert expected in confirmed.subject
        assert other not in confirmed.subject
        for message in (confirmed, cancelled):
            assert expected in message.body_text, (address, message.body_text)
            assert other not in message.body_text
            assert f'<html lang="{speaks}">' in message.body_html
            assert expected in message.body_html
