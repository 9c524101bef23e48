"""Every feed kind and every emailed calendar file, read by five independent
parsers: Mozilla's ical.js (Thunderbird), libical 3 (Evolution; with its
RFC 5545/5546 restriction check), icalendar, vobject and Home Assistant's
strict `ical`. Each must read it without a complaint, and all five must agree
on every event's start and end, across New York, Berlin, Lord Howe (a
30-minute change) and Kathmandu (+05:45), including the hour clocks go back.
"""

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.notifications import delivery

pytestmark = pytest.mark.browser
HERE = Path(__file__).parent
ZONES = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu"]
# Instants whose local time happens twice (the hour clocks go back).
REPEATED = {
    "Europe/Berlin": datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
    "America/New_York": datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
    "Australia/Lord_Howe": datetime(2027, 4, 3, 14, 45, tzinfo=UTC),
}


def _utc(value) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()  # an all-day date


def with_ical_js(text: str) -> dict:
    out = subprocess.run(
        ["node", str(HERE / "ical_expand.cjs")],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE,
    )
    found = {}
    for e in json.loads(out.stdout)["events"]:
        if e["all_day"]:
            found[e["uid"]] = (e["local_start"][:10], None)
        else:
            found[e["uid"]] = tuple(
                t.replace(".000Z", "Z") for t in (e["utc_start"], e["utc_end"])
            )
    return found


def with_libical(text: str) -> dict:
    out = subprocess.run(
        ["/usr/bin/python3", str(HERE / "libical_read.py")],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["errors"] == [], result["errors"]
    found = {}
    for e in result["events"]:
        if len(e["start"]) == 10:
            found[e["uid"]] = (e["start"], None)
        else:
            found[e["uid"]] = tuple(
                _utc(datetime.fromisoformat(t)) for t in (e["start"], e["end"])
            )
    return found


def with_icalendar(text: str) -> dict:
    found = {}
    for e in Calendar.from_ical(text).walk("VEVENT"):
        start = e.decoded("dtstart")
        end = None if not isinstance(start, datetime) else _utc(e.decoded("dtend"))
        found[str(e["uid"])] = (_utc(start), end)
    return found


def with_vobject(text: str) -> dict:
    found = {}
    for e in vobject.readOne(text).vevent_list:
        start = e.dtstart.value
        end = None if not isinstance(start, datetime) else _utc(e.dtend.value)
        found[e.uid.value] = (_utc(start), end)
    return found


def with_home_assistant(text: str) -> dict:
    found = {}
    for e in IcsCalendarStream.calendar_from_ics(text).events:
        start = e.dtstart
        end = None if not isinstance(start, datetime) else _utc(e.dtend)
        found[e.uid] = (_utc(start), end)
    return found


PARSERS = [
    with_ical_js,
    with_libical,
    with_icalendar,
    with_vobject,
    with_home_assistant,
]


def agree(text: str) -> dict:
    """What all five read; fails when any complains or any disagrees."""
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    readings = {parser.__name__: parser(text) for parser in PARSERS}
    first = readings["with_icalendar"]
    assert first, "no events"
    for name, reading in readings.items():
        assert reading == first, (name, reading, first)
    return first


@pytest.fixture
def world(make_user, make_project, make_garden, make_workday, make_member):
    """A project per zone, each with an ordinary workday and (where the zone
    has one) a workday in its repeated hour, written as a garden whose zone
    changed would leave it; a member signed up everywhere."""
    coordinator = make_user("coordinator", email="cora@example.org")
    person = make_user(email="vee@example.org")
    projects = []
    for n, zone in enumerate(ZONES):
        garden = make_garden(timezone=zone)
        garden.address, garden.latitude, garden.longitude = "1 Gate Lane", 52.5, 13.4
        project = make_project(coordinators=[coordinator], garden=garden)
        make_member(project, person)
        ordinary = make_workday(
            project=project, days=9 + n, public_title="Beds\x07 & compost; weekly, too"
        )
        days = [ordinary]
        if zone in REPEATED:
            repeated = make_workday(project=project, days=20, hours=1)
            start = REPEATED[zone]
            for row in (repeated, repeated.shifts[0]):
                row.starts_at, row.ends_at = start, start + timedelta(hours=1)
            days.append(repeated)
        projects.append((project, days))
    db.session.commit()
    return coordinator, person, projects


def test_every_feed_kind_reads_the_same_in_five_parsers(client, auth, world, make_task):
    from gardenhub.tasks import services as tasks

    coordinator, person, projects = world
    auth.login(person)
    for _, days in projects:
        for workday in days:
            assert (
                client.post(f"/shifts/{workday.shifts[0].id}/signup").status_code == 302
            )
    task = make_task(project=projects[0][0], title="Fix the gate\x1b")
    tasks.claim(task, person, now=utcnow())
    db.session.commit()
    db.session.expire_all()
    from gardenhub.workdays.models import Signup

    mine = db.session.query(Signup).filter_by(volunteer_id=person.id).all()
    assert [s.status for s in mine] == ["confirmed"] * 7
    page = client.post(
        "/my/calendar", data={"name": "phone", "remind_hours": "2"}
    ).get_data(True)
    token = re.search(r"/feeds/([\w-]+)\.ics", page)[1]
    feeds = ["/calendar.ics", f"/feeds/{token}.ics"]
    for project, days in projects:
        feeds += [
            f"/projects/{project.slug}/calendar.ics",
            f"/gardens/{project.garden.slug}/calendar.ics",
        ]
        feeds += [f"/workdays/{w.id}.ics" for w in days]
    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200, url
        read = agree(response.get_data(as_text=True))
        for _, days in projects:
            for workday in days:
                uid = f"workday-{workday.id}@gardenhub.test"
                if uid in read:
                    assert read[uid][0] == _utc(workday.starts_at), url
    private = agree(client.get(f"/feeds/{token}.ics").get_data(as_text=True))
    for zone, start in REPEATED.items():
        assert _utc(start) in {s for s, _ in private.values()}, zone
    assert f"task-{task.id}@gardenhub.test" in private
    assert "BEGIN:VALARM" in client.get(f"/feeds/{token}.ics").get_data(as_text=True)


def test_every_emailed_calendar_file_reads_the_same_in_five_parsers(
    client, auth, world, smtp_server
):
    coordinator, person, projects = world
    auth.login(person)
    for _, days in projects:
        for workday in days:
            client.post(f"/shifts/{workday.shifts[0].id}/signup")
    auth.logout()
    auth.login(coordinator)
    cancelled = projects[1][1][1]  # Berlin's repeated hour
    client.post(f"/workdays/{cancelled.id}/cancel", data={"reason": "Storm"})
    # Kathmandu's shift starts half an hour later: a change, by email.
    moved = projects[3][1][0].shifts[0]
    zone = ZoneInfo("Asia/Kathmandu")
    start = moved.starts_at.astimezone(zone) + timedelta(minutes=30)
    client.post(
        f"/shifts/{moved.id}/edit",
        data={
            "name": moved.name,
            "start": f"{start:%H:%M}",
            "end": f"{moved.ends_at.astimezone(zone):%H:%M}",
            "capacity": "5",
        },
    )
    delivery.deliver(now=utcnow())
    files = [
        part.get_payload(decode=True).decode()
        for _, message in smtp_server.messages
        for part in message.iter_attachments()
        if part.get_content_type() == "text/calendar"
    ]
    assert len(files) == 9  # seven confirmations, a cancellation, a change
    for text in files:
        read = agree(text)
        assert len(read) == 1
    assert sum("METHOD:CANCEL" in text for text in files) == 1
    changed = [text for text in files if "SEQUENCE:1" in text and "CANCEL" not in text]
    (read,) = [agree(text) for text in changed]
    assert list(read.values())[0][0] == _utc(start)
