"""Pure iCalendar serializer: events in, RFC 5545 bytes out; no request, no session.

Everything in the output comes from the data (stamps are the rows' last
changes, not the request time), so the bytes stay the same between polls and
calendar apps see no spurious updates.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration, vText

from gardenhub.calendar.vtimezone import vtimezone

PRODID = "-//GardenHub//Community garden workdays//EN"


def uid_host(base_url: str) -> str:
    """The host part of every UID: stable, and never personal data."""
    return urlsplit(base_url).hostname or "gardenhub"


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    summary: str
    starts_at: datetime  # aware UTC
    ends_at: datetime
    timezone: str
    sequence: int
    changed_at: datetime  # DTSTAMP and LAST-MODIFIED
    created_at: datetime
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE or CANCELLED
    description: str = ""
    location: str = ""
    url: str = ""
    geo: tuple[float, float] | None = None
    # A whole day (a task's due date) instead of starts_at/ends_at times.
    all_day: date | None = None


@dataclass(frozen=True)
class FeedInfo:
    name: str
    timezone: str
    refresh: timedelta
    description: str = ""


def serialize(info: FeedInfo, events: Iterable[FeedEvent]) -> bytes:
    events = list(events)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar leaves these unescaped and mis-types the TTL unless told.
    calendar.add("name", vText(info.name))
    calendar.add("x-wr-calname", vText(info.name))
    if info.description:
        calendar.add("x-wr-caldesc", vText(info.description))
    calendar.add("x-wr-timezone", info.timezone)
    calendar.add(
        "refresh-interval", vDuration(info.refresh), parameters={"VALUE": "DURATION"}
    )
    calendar.add("x-published-ttl", vDuration(info.refresh))
    zones = sorted({info.timezone} | {event.timezone for event in events})
    years = sorted(
        {e.starts_at.year for e in events} | {e.ends_at.year for e in events}
    )
    first, last = (years[0] - 1, years[-1] + 1) if years else (2000, 2000)
    if events:
        for zone in zones:
            calendar.add_component(vtimezone(zone, first, last))
    for event in events:
        calendar.add_component(_vevent(event))
    return calendar.to_ical()


def _vevent(item: FeedEvent) -> Event:
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
        event.add("dtstart", item.starts_at.astimezone(zone))
        event.add("dtend", item.ends_at.astimezone(zone))
    event.add("summary", item.summary)
    event.add("status", item.status)
    transparent = item.status == "CANCELLED" or item.all_day is not None
    event.add("transp", "TRANSPARENT" if transparent else "OPAQUE")
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.geo:
        event.add("geo", item.geo)
    if item.url:
        event.add("url", item.url)
    return event
