"""Feeds as Mozilla's ical.js reads them (Thunderbird, many web calendars).

ical.js misreads the comma-separated RDATE lists that icalendar's
add_missing_timezones() writes; our own VTIMEZONEs must give the right UTC
instant for every event, in summer and in winter.
"""

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gardenhub.db import utcnow
from gardenhub.timezones import to_local

pytestmark = pytest.mark.browser
SCRIPT = Path(__file__).with_name("ical_expand.cjs")


def ical_js(text: str) -> dict:
    result = subprocess.run(
        ["node", str(SCRIPT)],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=SCRIPT.parent,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_ical_js_reads_every_occurrence_at_the_right_instant(
    client, auth, make_user, make_project, make_garden, zone
):
    coordinator = make_user("coordinator")
    project = make_project(
        coordinators=[coordinator], garden=make_garden(timezone=zone)
    )
    auth.login(coordinator)
    first = (utcnow() + timedelta(days=7)).date()
    response = client.post(
        f"/projects/{project.slug}/series/new",
        data={
            "title": "Crew",
            "public_title": "Garden, workday; weekly",
            "garden_id": project.garden_id,
            "weekdays": [str(first.weekday())],
            "interval_weeks": "1",
            "starts_on": first.isoformat(),
            "count": "52",
            "start": "09:00",
            "end": "12:00",
            "shifts-0-name": "All",
            "shifts-0-start": "09:00",
            "shifts-0-end": "12:00",
            "shifts-0-capacity": "5",
        },
    )
    assert response.status_code == 302
    feed = ical_js(client.get(f"/projects/{project.slug}/calendar.ics").get_data(True))
    assert feed["name"] == "GardenHub: Community garden project"
    assert feed["refresh"] == "PT1H"
    assert len(feed["events"]) == 52
    offsets = set()
    for event in feed["events"]:
        assert event["tzid"] == zone
        assert event["summary"] == "Garden, workday; weekly"
        assert event["local_start"].endswith("T09:00:00")
        instant = datetime.fromisoformat(event["utc_start"].replace("Z", "+00:00"))
        local = to_local(instant.astimezone(UTC), zone)
        assert (local.hour, local.minute) == (9, 0), event
        offsets.add(local.utcoffset())
    assert len(offsets) == 2  # a year of Saturdays crosses both DST changes
