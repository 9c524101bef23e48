"""The VEVENT as icalendar's own components write it: the reference that
`gardenhub.calendar.ical.vevent_ical` (which writes the same lines without
building components) is checked against."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Event, vCalAddress, vText, vUri

from gardenhub.calendar.ical import (
    FeedEvent,
    Organizer,
    _language,
    _moment,
    css_colour,
)
from gardenhub.i18n import _


def _vevent(item: FeedEvent, organizer: Organizer | None = None) -> Event:
    zone = ZoneInfo(item.timezone)
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", item.changed_at)
    event.add("last-modified", item.changed_at)
    event.add("created", item.created_at)
    event.add("sequence", item.sequence)
    if item.all_day is not None:
        event.add("dtstart", item.all_day)
        event.add("dtend", item.all_day + timedelta(days=1))
    else:
        event.add("dtstart", _moment(item.starts_at, zone))
        event.add("dtend", _moment(item.ends_at, zone))
    event.add("summary", item.summary)
    event.add("status", item.status)
    transparent = item.status == "CANCELLED" or item.all_day is not None
    event.add("transp", "TRANSPARENT" if transparent else "OPAQUE")
    spoken = _language(item.language)
    if item.description:
        event.add("description", item.description, parameters=spoken)
    if item.location:
        event.add("location", item.location)
    if item.geo:
        event.add("geo", item.geo)
        # Apple Maps opens the right spot, named as the place.
        latitude, longitude = item.geo
        event.add(
            "x-apple-structured-location",
            vUri(f"geo:{latitude},{longitude}"),
            parameters={
                "VALUE": "URI",
                "X-TITLE": item.location or _("Garden"),
                "X-APPLE-RADIUS": "70",
            },
        )
    if item.categories:
        event.add("categories", list(item.categories))
    if item.colour and (name := css_colour(item.colour)):
        event.add("color", name)
    if item.url:
        event.add("url", item.url)
    if item.alarm is not None:
        alarm = Alarm()
        alarm.add("uid", f"alarm-{item.uid}")
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -item.alarm)
        alarm.add(
            "description",
            item.alarm_text or item.summary,
            parameters=spoken if item.alarm_text else None,
        )
        event.add_component(alarm)
    if organizer is not None:
        address = vCalAddress(f"mailto:{organizer.email}")
        address.params["CN"] = vText(organizer.name)
        event.add("organizer", address)
    return event
