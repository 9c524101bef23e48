"""Calendar feeds, parsed as subscribers' apps would: icalendar and vobject."""

import re
from datetime import timedelta

import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar
from sqlalchemy import select

from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.feeds import cache
from gardenhub.feeds.models import FeedToken, hash_token
from gardenhub.timezones import to_local
from gardenhub.workdays import signups


@pytest.fixture(autouse=True)
def empty_feed_cache():
    cache.feeds.clear()


def parse(response):
    """Three parsers must accept the bytes (vobject, Home Assistant's strict
    `ical` and icalendar); returns the icalendar tree."""
    body = response.get_data()
    vobject.readOne(body.decode())
    IcsCalendarStream.calendar_from_ics(body.decode())
    return Calendar.from_ical(body)


def events(calendar):
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_public_feed_is_valid_rfc5545_with_calendar_properties(client, make_workday):
    make_workday()
    response = client.get("/calendar.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("inline")
    raw = response.get_data()
    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75
    calendar = parse(response)
    assert calendar["version"] == "2.0"
    assert "GardenHub" in calendar["prodid"]
    text = raw.decode()
    assert "NAME:GardenHub: all workdays\r\n" in text
    assert "X-WR-CALNAME:GardenHub: all workdays\r\n" in text
    assert "X-WR-TIMEZONE:Europe/Berlin\r\n" in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "X-PUBLISHED-TTL:PT1H\r\n" in text
    # A subscription is not an iTIP message: no METHOD (which would need an
    # ORGANIZER in every event).
    assert "METHOD" not in text


def test_event_carries_stable_uid_times_sequence_and_open_spots(
    client, make_workday, make_signup
):
    workday = make_workday(capacities=(3, 2), public_title="Garden workday")
    make_signup(workday.shifts[0])
    calendar = parse(client.get("/calendar.ics"))
    event = events(calendar)[f"workday-{workday.id}@gardenhub.test"]
    assert str(event["summary"]) == "Garden workday"
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("dtstart") == to_local(workday.starts_at, "Europe/Berlin")
    assert event.decoded("dtend") == workday.ends_at
    assert event["sequence"] == 0
    assert str(event["status"]) == "CONFIRMED"
    assert "4 spots open. Sign up: https://gardenhub.test/workdays/" in str(
        event["description"]
    )
    assert str(event["url"]) == f"https://gardenhub.test/workdays/{workday.id}"
    assert workday.garden.name in str(event["location"])
    assert [c["tzid"] for c in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_feeds_never_contain_a_person(
    client, auth, make_user, make_workday, make_signup
):
    workday = make_workday(capacities=(5,), title="Peer group session")
    volunteer = make_user(
        name="Quinn Private",
        email="quinn@example.org",
        phone="0309999",
        shows_name=True,
    )
    make_signup(workday.shifts[0], volunteer)
    auth.login(volunteer)
    token_page = client.post("/my/calendar", data={"name": "phone"})
    feed_path = re.search(
        r"https://gardenhub\.test(/feeds/[\w-]+\.ics)",
        token_page.get_data(as_text=True),
    )[1]
    for url in [
        "/calendar.ics",
        f"/gardens/{workday.garden.slug}/calendar.ics",
        f"/projects/{workday.project.slug}/calendar.ics",
        f"/workdays/{workday.id}.ics",
        feed_path,
    ]:
        text = client.get(url).get_data(as_text=True)
        assert "VEVENT" in text
        for secret in ["Quinn", "quinn@", "0309999", "ATTENDEE", "ORGANIZER"]:
            assert secret not in text, (url, secret)
    public = client.get("/calendar.ics").get_data(as_text=True)
    assert "Peer group session" not in public


def test_cancelled_workday_stays_with_status_cancelled_and_higher_sequence(
    client, auth, make_user, make_project, make_workday
):
    coordinator = make_user("coordinator")
    workday = make_workday(project=make_project(coordinators=[coordinator]))
    before = events(parse(client.get("/calendar.ics")))
    auth.login(coordinator)
    client.post(f"/workdays/{workday.id}/cancel", data={"reason": "Storm"})
    after = events(parse(client.get("/calendar.ics")))
    uid = f"workday-{workday.id}@gardenhub.test"
    assert str(after[uid]["status"]) == "CANCELLED"
    assert after[uid]["sequence"] > before[uid]["sequence"]
    assert after[uid].decoded("dtstamp") >= before[uid].decoded("dtstamp")


def test_rolling_window_keeps_recent_past_and_the_coming_year(client, make_workday):
    inside = [make_workday(days=d, public_title=f"In {d}") for d in (-30, 10, 300)]
    outside = [make_workday(days=d, public_title=f"Out {d}") for d in (-90, 400)]
    text = client.get("/calendar.ics").get_data(as_text=True)
    assert all(f"SUMMARY:{w.public_title}" in text for w in inside)
    assert not any(f"SUMMARY:{w.public_title}" in text for w in outside)


def test_bytes_are_stable_and_polls_get_304(client, make_workday):
    make_workday()
    first = client.get("/calendar.ics")
    second = client.get("/calendar.ics")
    assert first.get_data() == second.get_data()
    etag = first.headers["ETag"]
    assert not etag.startswith("W/")
    assert (
        client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304
    )
    since = client.get(
        "/calendar.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    head = client.head("/calendar.ics")
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["ETag"] == etag


def test_a_change_changes_the_etag(client, make_workday, make_signup):
    workday = make_workday()
    etag = client.get("/calendar.ics").headers["ETag"]
    make_signup(workday.shifts[0])
    response = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "4 spots open" in response.get_data(as_text=True)


def test_polling_an_unchanged_feed_does_not_serialize_again(
    client, make_workday, make_signup, monkeypatch
):
    from gardenhub.feeds import views

    calls = []
    real = views.serialize_pieces
    monkeypatch.setattr(
        views, "serialize_pieces", lambda *a: calls.append(1) or real(*a)
    )
    workday = make_workday()
    for _ in range(3):
        client.get("/calendar.ics")
    assert len(calls) == 1
    make_signup(workday.shifts[0])
    client.get("/calendar.ics")
    assert len(calls) == 2


def test_garden_project_and_workday_feeds_hold_only_their_own(
    client, make_workday, make_project
):
    first = make_workday(public_title="First garden day")
    second = make_workday(project=make_project(), public_title="Second garden day")
    garden = client.get(f"/gardens/{first.garden.slug}/calendar.ics").get_data(True)
    project = client.get(f"/projects/{second.project.slug}/calendar.ics").get_data(True)
    single = parse(client.get(f"/workdays/{first.id}.ics"))
    assert "First garden day" in garden and "Second garden day" not in garden
    assert "Second garden day" in project and "First garden day" not in project
    assert list(events(single)) == [f"workday-{first.id}@gardenhub.test"]
    assert f"NAME:GardenHub: {first.garden.name}" in garden
    assert "NAME:GardenHub: Community garden project" in project


@pytest.mark.parametrize(
    "url",
    ["/gardens/nope/calendar.ics", "/projects/nope/calendar.ics", "/workdays/999.ics"],
)
def test_unknown_feeds_are_404(client, url):
    assert client.get(url).status_code == 404


def test_text_is_escaped_and_cannot_inject_properties(client, make_workday):
    evil = "Weed, water; repeat\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil"
    workday = make_workday(public_title=evil)
    workday.garden.name = "Riverside, North; Beds"
    db.session.commit()
    response = client.get(f"/gardens/{workday.garden.slug}/calendar.ics")
    calendar = parse(response)
    assert len(calendar.walk("VEVENT")) == 1
    assert str(calendar.walk("VEVENT")[0]["summary"]) == evil.replace("\r\n", "\n")
    assert "NAME:GardenHub: Riverside\\, North\\; Beds\r\n" in response.get_data(True)
    parsed = vobject.readOne(response.get_data(True))
    assert parsed.x_wr_calname.value == "GardenHub: Riverside, North; Beds"


def test_series_times_are_right_in_an_independent_parser_across_dst(
    client, auth, make_user, make_project, make_garden
):
    coordinator = make_user("coordinator")
    project = make_project(
        coordinators=[coordinator], garden=make_garden(timezone="America/New_York")
    )
    auth.login(coordinator)
    first = (utcnow() + timedelta(days=20)).date()
    client.post(
        f"/projects/{project.slug}/series/new",
        data={
            "title": "Crew",
            "public_title": "Garden workday",
            "garden_id": project.garden_id,
            "weekdays": [str(first.weekday())],
            "interval_weeks": "1",
            "starts_on": first.isoformat(),
            "count": "30",
            "start": "09:00",
            "end": "12:00",
            "shifts-0-name": "All",
            "shifts-0-start": "09:00",
            "shifts-0-end": "12:00",
            "shifts-0-capacity": "5",
        },
    )
    text = client.get(f"/projects/{project.slug}/calendar.ics").get_data(as_text=True)
    parsed = vobject.readOne(text)
    starts = [event.dtstart.value for event in parsed.vevent_list]
    assert len(starts) == 30
    utc_hours = set()
    for start in starts:
        local = to_local(start, "America/New_York")
        assert (local.hour, local.minute) == (9, 0)
        utc_hours.add(start.utcoffset())
    assert len(utc_hours) == 2  # the series crosses a daylight-saving change


def create_token(client, name="phone") -> str:
    page = client.post("/my/calendar", data={"name": name}).get_data(as_text=True)
    return re.search(r"https://gardenhub\.test/feeds/([\w-]+)\.ics", page)[1]


def test_private_feed_lists_own_shifts_and_is_private(
    client, auth, make_user, make_workday, make_signup, make_member
):
    person = make_user()
    mine = make_workday(title="My workday")
    make_workday(title="Not mine")
    make_member(mine.project, person)
    make_signup(mine.shifts[0], person)
    auth.login(person)
    token = create_token(client)
    stored = db.session.scalars(select(FeedToken)).one()
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert len(token) >= 43  # 256 random bits, URL-safe
    response = client.get(f"/feeds/{token}.ics")
    assert "private" in response.headers["Cache-Control"]
    found = events(parse(response))
    assert list(found) == [f"shift-{mine.shifts[0].id}@gardenhub.test"]
    assert (
        str(found[f"shift-{mine.shifts[0].id}@gardenhub.test"]["summary"])
        == "Shift 1: My workday"
    )
    db.session.expire_all()
    assert stored.last_used_at is not None


def test_a_private_feed_shows_a_non_member_the_public_title(
    client, auth, make_user, make_workday, make_signup
):
    person = make_user()
    workday = make_workday(title="Circle planting", public_title="Garden workday")
    make_signup(workday.shifts[0], person)
    auth.login(person)
    token = create_token(client)
    found = events(parse(client.get(f"/feeds/{token}.ics")))
    (event,) = found.values()
    assert str(event["summary"]) == "Shift 1: Garden workday"
    assert workday.project.name not in str(event["description"])


def test_discreet_mode_uses_neutral_words(
    client, auth, make_user, make_workday, make_signup
):
    person = make_user(is_discreet=True)
    workday = make_workday(title="Recovery circle garden")
    make_signup(workday.shifts[0], person)
    auth.login(person)
    text = client.get(f"/feeds/{create_token(client)}.ics").get_data(as_text=True)
    assert "SUMMARY:Garden shift" in text
    assert "Recovery" not in text and workday.project.name not in text


def test_waitlisted_shifts_appear_as_tentative_only_when_chosen(
    client, auth, make_user, make_workday, make_signup
):
    shift = make_workday(capacities=(1,)).shifts[0]
    make_signup(shift)
    person = make_user()
    make_signup(shift, person)
    auth.login(person)
    token = create_token(client)
    assert "VEVENT" not in client.get(f"/feeds/{token}.ics").get_data(as_text=True)
    client.post(
        "/profile",
        data={"display_name": person.display_name, "feed_shows_waitlist": "y"},
    )
    event = parse(client.get(f"/feeds/{token}.ics")).walk("VEVENT")[0]
    assert str(event["status"]) == "TENTATIVE"


def test_revoked_and_unknown_tokens_get_404_and_reveal_nothing(client, auth, make_user):
    person = make_user()
    auth.login(person)
    keep, drop = create_token(client, "phone"), create_token(client, "laptop")
    dropped = db.session.scalars(
        select(FeedToken).where(FeedToken.name == "laptop")
    ).one()
    client.post(f"/my/calendar/{dropped.id}/revoke")
    gone = client.get(f"/feeds/{drop}.ics")
    assert gone.status_code == 404
    assert gone.headers["Content-Type"].startswith("text/plain")
    assert client.get("/feeds/not-a-real-token.ics").status_code == 404
    assert client.get(f"/feeds/{keep}.ics").status_code == 200
    page = client.get("/my/calendar").get_data(as_text=True)
    assert "phone" in page and "revoked" in page


def test_someone_elses_token_cannot_be_revoked(client, auth, make_user):
    owner = make_user()
    auth.login(owner)
    token = create_token(client)
    auth.logout()
    auth.login(make_user())
    row = db.session.scalars(select(FeedToken)).one()
    assert client.post(f"/my/calendar/{row.id}/revoke").status_code == 404
    assert client.get(f"/feeds/{token}.ics").status_code == 200


def test_feed_link_does_not_log_anyone_in(client, auth, make_user):
    person = make_user()
    auth.login(person)
    token = create_token(client)
    auth.logout()
    client.get(f"/feeds/{token}.ics")
    assert client.get("/my/shifts").status_code == 302


def test_pages_offer_subscribe_links_and_a_qr_code(client, make_workday):
    workday = make_workday()
    home = client.get("/").get_data(as_text=True)
    assert 'href="webcal://gardenhub.test/calendar.ics"' in home
    assert (
        "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fgardenhub.test"
        "%2Fcalendar.ics" in home
    )
    assert "https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2F" in home
    assert 'value="https://gardenhub.test/calendar.ics"' in home
    assert re.search(r"<svg [^>]*class=\"qr\"", home)
    garden = client.get(f"/gardens/{workday.garden.slug}").get_data(as_text=True)
    assert (
        f"webcal://gardenhub.test/gardens/{workday.garden.slug}/calendar.ics" in garden
    )
    page = client.get(f"/workdays/{workday.id}").get_data(as_text=True)
    assert f"/workdays/{workday.id}.ics" in page


def test_signups_service_keeps_feed_stamp_fresh(make_workday, make_user):
    shift = make_workday().shifts[0]
    now = utcnow()
    signups.sign_up(shift, make_user(), now=now)
    assert shift.seats_changed_at == now


def instants(body: bytes) -> dict[str, set]:
    """uid -> the UTC start each of three parsers reads."""
    from datetime import UTC

    found: dict[str, set] = {}
    for event in Calendar.from_ical(body).walk("VEVENT"):
        found.setdefault(str(event["uid"]), set()).add(
            event.decoded("dtstart").astimezone(UTC)
        )
    for event in vobject.readOne(body.decode()).vevent_list:
        found[event.uid.value].add(event.dtstart.value.astimezone(UTC))
    for event in IcsCalendarStream.calendar_from_ics(body.decode()).events:
        found[event.uid].add(event.dtstart.astimezone(UTC))
    return found


@pytest.mark.parametrize(
    ("zone", "first", "second"),
    [
        # 02:30 happens twice in Berlin on 31 October 2027 ...
        ("Europe/Berlin", "2027-10-31T00:30:00+00:00", "2027-10-31T01:30:00+00:00"),
        # ... and 01:45 twice on Lord Howe Island (a 30-minute change).
        (
            "Australia/Lord_Howe",
            "2027-04-03T14:45:00+00:00",
            "2027-04-03T15:15:00+00:00",
        ),
    ],
)
def test_times_in_the_hour_clocks_go_back_are_one_instant_for_every_parser(
    client, make_workday, make_garden, make_project, zone, first, second
):
    """Planning refuses such times, but a garden's zone can change under a
    workday; whatever is stored goes out so every parser reads one instant
    (in UTC), where a TZID time would be read 1 hour (or 30 minutes) apart."""
    from datetime import datetime

    project = make_project(garden=make_garden(timezone=zone))
    workdays = {}
    for when in (first, second):
        workday = make_workday(project=project, hours=1)
        start = datetime.fromisoformat(when)
        workday.starts_at, workday.ends_at = start, start + timedelta(hours=1)
        workday.shifts[0].starts_at = start
        workday.shifts[0].ends_at = start + timedelta(hours=1)
        workdays[when] = workday
    db.session.commit()
    body = client.get(f"/projects/{project.slug}/calendar.ics").get_data()
    found = instants(body)
    for when, workday in workdays.items():
        assert found[f"workday-{workday.id}@gardenhub.test"] == {
            datetime.fromisoformat(when)
        }
        single = client.get(f"/workdays/{workday.id}.ics").get_data()
        assert instants(single)[f"workday-{workday.id}@gardenhub.test"] == {
            datetime.fromisoformat(when)
        }
    assert b"DTSTART:" in body  # those starts are written in UTC


def test_control_characters_in_the_database_never_reach_a_feed(client, make_workday):
    """Forms refuse them; a row written some other way must still not break
    a subscriber (Home Assistant rejects a whole feed for one BEL)."""
    workday = make_workday(public_title="Beds\x07 and\x0b compost\x1b")
    workday.location = "Gate\x01 B"  # (PostgreSQL cannot store a NUL at all)
    db.session.commit()
    for url in ("/calendar.ics", f"/workdays/{workday.id}.ics"):
        body = client.get(url).get_data()
        assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body)
        (event,) = IcsCalendarStream.calendar_from_ics(body.decode()).events
        assert event.summary == "Beds and compost"


def test_public_feeds_vary_only_on_what_they_depend_on(
    client, auth, make_user, make_workday
):
    workday = make_workday()
    auth.login(make_user())
    token = create_token(client)
    for url in (
        "/calendar.ics",
        f"/gardens/{workday.garden.slug}/calendar.ics",
        f"/projects/{workday.project.slug}/calendar.ics",
        f"/feeds/{token}.ics",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Vary"] == "Accept-Encoding", url
        assert "Set-Cookie" not in response.headers
    # A single workday's file depends on membership (members-only ones are
    # 404 to others), so it does vary on who asks.
    single = client.get(f"/workdays/{workday.id}.ics")
    assert "Cookie" in single.headers["Vary"]


def test_feeds_are_gzip_compressed_when_asked_with_their_own_etag(client, make_workday):
    import gzip

    for days in range(2, 12):
        make_workday(days=days)
    plain = client.get("/calendar.ics")
    packed = client.get("/calendar.ics", headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) * 4 < len(plain.get_data())
    assert packed.headers["ETag"] != plain.headers["ETag"]
    again = client.get(
        "/calendar.ics",
        headers={
            "Accept-Encoding": "gzip",
            "If-None-Match": packed.headers["ETag"],
        },
    )
    assert again.status_code == 304
    refused = client.get("/calendar.ics", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def test_subscribers_get_categories_colour_place_and_a_calendar_description(
    client, auth, make_user, make_workday, make_task, make_member
):
    workday = make_workday()
    garden, project = workday.garden, workday.project
    garden.address, garden.latitude, garden.longitude = "1 Gate Lane", 52.52, 13.405
    project.colour = "#2f6b3a"
    db.session.commit()
    text = client.get(f"/projects/{project.slug}/calendar.ics").get_data(True)
    calendar = parse(client.get(f"/projects/{project.slug}/calendar.ics"))
    assert str(calendar["url"]) == f"https://gardenhub.test/projects/{project.slug}"
    assert "never shows who signed up" in str(calendar["description"])
    assert "never shows who signed up" in str(calendar["x-wr-caldesc"])
    (event,) = calendar.walk("VEVENT")
    assert [str(c) for c in event["categories"].cats] == [
        project.public_name,
        "Workday",
    ]
    assert str(event["color"]) == "darkolivegreen"  # the nearest CSS name
    assert "X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-APPLE-RADIUS=70;" in text
    assert "geo:52.52,13.405" in text
    # A person's task carries its place too.
    person = make_user()
    make_member(project, person)
    task = make_task(project=project, title="Mend the fence")
    auth.login(person)
    client.post(f"/tasks/{task.id}/claim")
    token = create_token(client)
    found = events(parse(client.get(f"/feeds/{token}.ics")))
    task_event = found[f"task-{task.id}@gardenhub.test"]
    assert str(task_event["location"]) == f"{garden.name}, 1 Gate Lane"
    assert [str(c) for c in task_event["categories"].cats][-1] == "Task"


def test_a_private_link_can_remind_before_each_confirmed_shift(
    client, auth, make_user, make_workday, make_signup, make_member
):
    person = make_user()
    workday = make_workday(title="Potting")
    later = make_workday(project=workday.project, days=5, capacities=(1,))
    make_member(workday.project, person)
    make_signup(workday.shifts[0], person)
    make_signup(later.shifts[0])  # full
    make_signup(later.shifts[0], person)  # waitlisted: no reminder
    person.feed_shows_waitlist = True
    db.session.commit()
    auth.login(person)
    page = client.post("/my/calendar", data={"name": "phone", "remind_hours": "2"})
    token = re.search(r"/feeds/([\w-]+)\.ics", page.get_data(True))[1]
    assert "2 h before" in client.get("/my/calendar").get_data(True)
    found = events(parse(client.get(f"/feeds/{token}.ics")))
    confirmed = found[f"shift-{workday.shifts[0].id}@gardenhub.test"]
    (alarm,) = confirmed.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger") == -timedelta(hours=2)
    assert str(alarm["description"]) == "Soon: Shift 1: Potting"
    waiting = found[f"shift-{later.shifts[0].id}@gardenhub.test"]
    assert waiting.walk("VALARM") == []
    # Discreet mode words it neutrally; a link without a reminder has none.
    person.is_discreet = True
    db.session.commit()
    found = events(parse(client.get(f"/feeds/{token}.ics")))
    alarm = found[f"shift-{workday.shifts[0].id}@gardenhub.test"].walk("VALARM")[0]
    assert str(alarm["description"]) == "Garden shift soon"
    plain = create_token(client, name="laptop")
    assert b"VALARM" not in client.get(f"/feeds/{plain}.ics").get_data()
    refused = client.post("/my/calendar", data={"name": "x", "remind_hours": "500"})
    assert refused.status_code == 422


def test_every_change_reaches_a_client_that_sends_only_if_modified_since(
    client, auth, make_user, make_workday, make_signup, make_member
):
    """Bytes that change always come with a later Last-Modified: also when an
    event leaves the feed, or when what changed is a garden or a project."""
    from gardenhub.workdays import signups as seats

    coordinator = make_user("coordinator")
    workday = make_workday()
    other = make_workday(days=6, project=workday.project)
    workday.project.coordinators.append(coordinator)
    person = make_user()
    make_member(workday.project, person)
    signup = make_signup(other.shifts[0], person)
    auth.login(person)
    token = create_token(client)
    private = f"/feeds/{token}.ics"
    public = "/calendar.ics"
    seen = {url: client.get(url) for url in (public, private)}

    def changed(url: str) -> bool:
        before = seen[url]
        after = client.get(
            url, headers={"If-Modified-Since": before.headers["Last-Modified"]}
        )
        if after.status_code == 304:
            assert client.get(url).get_data() == before.get_data(), url
            return False
        assert after.status_code == 200 and after.get_data() != before.get_data()
        seen[url] = after
        return True

    cache.feeds.clear()
    assert not changed(public) and not changed(private)
    # A garden's address, a project's public name: public feed.
    workday.garden.address = "2 New Road"
    db.session.commit()
    assert changed(public)
    workday.project.public_name = "Neighbourhood garden"
    db.session.commit()
    assert changed(public)
    # A sign-up cancelled: the event leaves the private feed.
    seats.cancel(signup, actor=person, now=utcnow())
    db.session.commit()
    assert changed(private)
    # A project archived: its events leave the public feed (or, upcoming
    # ones, change to cancelled).
    workday.project.is_active = False
    db.session.commit()
    assert changed(public)
    assert not changed(public) and not changed(private)


def test_a_garden_that_moves_moves_its_workdays_in_every_calendar(client, make_workday):
    """SEQUENCE rises and DTSTAMP follows when what an event shows changes,
    also when that is the garden's address or the project's public name."""
    coming = make_workday()
    done = make_workday(days=-3, project=coming.project)
    url = f"/workdays/{coming.id}.ics"

    def event_of(path, uid):
        return events(parse(client.get(path)))[uid]

    uid = f"workday-{coming.id}@gardenhub.test"
    an_hour_ago = utcnow() - timedelta(hours=1)
    coming.updated_at = coming.project.updated_at = an_hour_ago
    db.session.commit()
    before = event_of(url, uid)
    coming.garden.address = "2 New Road"
    db.session.commit()
    moved = event_of(url, uid)
    assert moved["sequence"] == before["sequence"] + 1
    assert moved.decoded("dtstamp") > before.decoded("dtstamp")
    assert "2 New Road" in str(moved["location"])
    db.session.refresh(done)
    assert done.revision == 0  # what already happened keeps its place
    coming.updated_at = an_hour_ago
    db.session.commit()
    moved = event_of(url, uid)
    coming.project.public_name = "Neighbourhood garden"
    db.session.commit()
    renamed = event_of(url, uid)
    assert renamed.decoded("dtstamp") > moved.decoded("dtstamp")


def test_a_public_feed_in_another_language_is_its_own_representation(
    client, make_workday
):
    workday = make_workday()
    url = f"/gardens/{workday.garden.slug}/calendar.ics"
    english = client.get(url)
    german = client.get(f"{url}?lang=de")
    assert german.status_code == 200
    assert german.get_data() != english.get_data()
    assert german.headers["ETag"] != english.headers["ETag"]
    assert english.headers["Content-Language"] == "en"
    assert german.headers["Content-Language"] == "de"
    # Both parse, and GardenHub's own words say which language they are in.
    calendar = parse(german)
    (event,) = calendar.walk("VEVENT")
    assert event["description"].params["LANGUAGE"] == "de"
    assert calendar["description"].params["LANGUAGE"] == "de"
    assert parse(english).walk("VEVENT")[0]["description"].params["LANGUAGE"] == "en"
    # The English ETag is no validator for the German bytes, nor the reverse.
    assert (
        client.get(
            f"{url}?lang=de", headers={"If-None-Match": english.headers["ETag"]}
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"{url}?lang=de", headers={"If-None-Match": german.headers["ETag"]}
        ).status_code
        == 304
    )
    # Alternating languages moves neither one's Last-Modified.
    again = client.get(url)
    assert again.get_data() == english.get_data()
    assert again.headers["Last-Modified"] == english.headers["Last-Modified"]
    assert client.get(f"{url}?lang=de").headers["ETag"] == german.headers["ETag"]
    # An unknown language is ignored: the garden's.
    for unknown in ("xx", "", "klingon"):
        other = client.get(f"{url}?lang={unknown}")
        assert other.get_data() == english.get_data(), unknown
        assert other.headers["ETag"] == english.headers["ETag"]
    # Spanish (and a regional tag) too, on every public feed.
    for path in (
        "/calendar.ics",
        url,
        f"/projects/{workday.project.slug}/calendar.ics",
        f"/workdays/{workday.id}.ics",
    ):
        spanish = client.get(f"{path}?lang=es-MX")
        assert spanish.headers["Content-Language"] == "es", path
        assert "DESCRIPTION;LANGUAGE=es:" in spanish.get_data(as_text=True), path
        parse(spanish)


def test_german_dates_and_words_come_from_babel_inside_the_feed_language(app):
    """What the feeds format is formatted in the feed's language (no catalogs
    yet, so words are still English; Babel's date words already follow)."""
    from datetime import date

    from gardenhub.i18n import format_day, speaking

    with app.test_request_context("/calendar.ics?lang=de"):
        from gardenhub.feeds.views import feed_language

        with speaking(feed_language("en")) as spoken:
            assert spoken == "de"
            assert format_day(date(2026, 12, 1), "full") == "Dienstag, 1. Dezember 2026"
        with speaking(feed_language("es")):
            assert "Dezember" in format_day(date(2026, 12, 1), "long")
    with (
        app.test_request_context("/calendar.ics?lang=nope"),
        speaking(feed_language("es")) as spoken,
    ):
        assert spoken == "es"
        assert format_day(date(2026, 12, 1), "long") == "1 de diciembre de 2026"


def test_a_garden_speaking_german_serves_german_by_default(app, client, make_workday):
    workday = make_workday()
    workday.garden.language = "de"
    db.session.commit()
    garden_feed = f"/gardens/{workday.garden.slug}/calendar.ics"
    for path in (
        garden_feed,
        f"/projects/{workday.project.slug}/calendar.ics",
        f"/workdays/{workday.id}.ics",
    ):
        response = client.get(path)
        assert response.headers["Content-Language"] == "de", path
        assert "DESCRIPTION;LANGUAGE=de:" in response.get_data(as_text=True)
        assert client.get(f"{path}?lang=en").headers["Content-Language"] == "en"
        assert client.get(f"{path}?lang=zz").headers["Content-Language"] == "de"
    # The feed across gardens speaks the app's language.
    assert client.get("/calendar.ics").headers["Content-Language"] == "en"
    app.config["DEFAULT_LANGUAGE"] = "es"
    assert client.get("/calendar.ics").headers["Content-Language"] == "es"
    # Read in German, the garden's page offers its feed as it is (German)
    # first, and the others with ?lang=.
    slug = workday.garden.slug
    client.set_cookie("lang", "de")
    page = client.get(f"/gardens/{slug}").get_data(as_text=True)
    assert f'value="https://gardenhub.test/gardens/{slug}/calendar.ics"' in page
    assert f"webcal://gardenhub.test/gardens/{slug}/calendar.ics?lang=en" in page
    assert f"webcal://gardenhub.test/gardens/{slug}/calendar.ics?lang=es" in page
    assert "calendar.ics?lang=de" not in page
    # Read in Spanish, the first links give the feed in Spanish.
    client.set_cookie("lang", "es")
    page = client.get(f"/gardens/{slug}").get_data(as_text=True)
    url = f"https://gardenhub.test/gardens/{slug}/calendar.ics"
    assert f'value="{url}?lang=es"' in page
    assert f'webcal://gardenhub.test/gardens/{slug}/calendar.ics"' in page
    client.delete_cookie("lang")
    # A garden switching language changes its feed's bytes and ETag.
    before = client.get(garden_feed)
    workday.garden.language = "en"
    db.session.commit()
    after = client.get(garden_feed)
    assert after.headers["Content-Language"] == "en"
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_private_feed_follows_its_owners_language(
    app, client, auth, make_user, make_workday, make_signup
):
    person = make_user(language="de")
    workday = make_workday()
    make_signup(workday.shifts[0], person)
    auth.login(person)
    token = create_token(client)
    path = f"/feeds/{token}.ics"
    german = client.get(path)
    assert german.headers["Content-Language"] == "de"
    (event,) = parse(german).walk("VEVENT")
    assert event["description"].params["LANGUAGE"] == "de"
    # `?lang=` is for public feeds; a private one follows its owner.
    assert client.get(f"{path}?lang=es").headers["Content-Language"] == "de"
    person.language = None  # no choice: the app's language
    db.session.commit()
    english = client.get(path)
    assert english.headers["Content-Language"] == "en"
    assert english.headers["ETag"] != german.headers["ETag"]
    assert english.get_data() != german.get_data()
    app.config["DEFAULT_LANGUAGE"] = "es"
    assert client.get(path).headers["Content-Language"] == "es"


def test_feeds_in_any_language_never_load_the_user(
    app, client, auth, make_user, make_workday, monkeypatch
):
    """Feeds are sessionless: picking their language reads no session."""
    workday = make_workday()
    person = make_user(language="es")
    auth.login(person)
    token = create_token(client)
    loaded = []
    manager = app.login_manager
    real = manager._user_callback
    monkeypatch.setattr(
        manager, "_user_callback", lambda *a: loaded.append(a) or real(*a)
    )
    for path in (
        "/calendar.ics",
        "/calendar.ics?lang=de",
        f"/gardens/{workday.garden.slug}/calendar.ics?lang=es",
        f"/projects/{workday.project.slug}/calendar.ics",
        f"/feeds/{token}.ics",
        f"/feeds/{token}.ics?lang=de",
        "/feeds/not-a-token.ics",
    ):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert "Cookie" not in response.headers.get("Vary", ""), path
        assert "Set-Cookie" not in response.headers, path
    assert loaded == []
    assert client.get(f"/feeds/{token}.ics").headers["Content-Language"] == "es"


def test_a_private_feed_costs_the_same_queries_for_one_project_or_many(
    client, auth, make_user, make_workday, make_signup, make_member, count_queries
):
    person = make_user()
    auth.login(person)
    token = create_token(client)

    def polled() -> int:
        with count_queries() as queries:
            assert client.get(f"/feeds/{token}.ics").status_code == 200
        return len(queries)

    first = make_workday(title="First circle")
    make_member(first.project, person)
    make_signup(first.shifts[0], person)
    polled()  # the first poll also stamps the link's first use and the feed
    one = polled()
    for days in (4, 5, 6, 7):
        other = make_workday(days=days, title=f"Circle {days}")
        make_member(other.project, person)
        make_signup(other.shifts[0], person)
    polled()  # the new bytes move the feed's Last-Modified stamp
    assert polled() == one
