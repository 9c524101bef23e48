"""Reads an iCalendar text on stdin with libical 3 (Evolution's parser), runs
its RFC 5545/5546 restriction check, and prints JSON: the errors libical
reports, and each event's UID with its start and end as UTC instants.

Run with Debian's /usr/bin/python3 (python3-gi and gir1.2-ical-3.0), not the
project's virtualenv."""

import json
import sys
from datetime import UTC, datetime

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as ical  # noqa: E402


def errors_in(component) -> list[str]:
    found = []
    prop = component.get_first_property(ical.PropertyKind.XLICERROR_PROPERTY)
    while prop is not None:
        found.append(prop.get_xlicerror())
        prop = component.get_next_property(ical.PropertyKind.XLICERROR_PROPERTY)
    child = component.get_first_component(ical.ComponentKind.ANY_COMPONENT)
    while child is not None:
        found += errors_in(child)
        child = component.get_next_component(ical.ComponentKind.ANY_COMPONENT)
    return found


def instant(when) -> str:
    zone = when.get_timezone()
    if when.is_date():
        return f"{when.get_year():04}-{when.get_month():02}-{when.get_day():02}"
    seconds = when.as_timet_with_zone(zone) if zone else when.as_timet()
    return datetime.fromtimestamp(seconds, UTC).isoformat()


root = ical.Component.new_from_string(sys.stdin.read())
parse_errors = errors_in(root)
ical.restriction_check(root)
events = []
event = root.get_first_component(ical.ComponentKind.VEVENT_COMPONENT)
while event is not None:
    events.append(
        {
            "uid": event.get_uid(),
            "summary": event.get_summary(),
            "start": instant(event.get_dtstart()),
            "end": instant(event.get_dtend()),
        }
    )
    event = root.get_next_component(ical.ComponentKind.VEVENT_COMPONENT)
print(json.dumps({"errors": sorted(set(errors_in(root))), "events": events}))
