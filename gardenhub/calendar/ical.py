"""Pure iCalendar serializer: events in, RFC 5545 bytes out; no request, no session.

Everything in the output comes from the data (stamps are the rows' last
changes, not the request time), so the bytes stay the same between polls and
calendar apps see no spurious updates.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import webcolors
from icalendar import Alarm, Calendar, Event, vCalAddress, vDuration, vText, vUri

from gardenhub.calendar.vtimezone import vtimezone_ical
from gardenhub.i18n import _

PRODID = "-//GardenHub//Community garden workdays//EN"
# Everything but tab and line breaks: no parser has to guess what a BEL or an
# ESC in a title means (Home Assistant rejects the whole feed).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    return CONTROL.sub("", text)


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
    categories: tuple[str, ...] = ()
    colour: str = ""  # "#rrggbb"; written as the nearest CSS colour name
    alarm: timedelta | None = None  # a reminder this long before the start
    alarm_text: str = ""
    # The language of the words GardenHub wrote (description, reminder):
    # their LANGUAGE parameter. Titles are people's own words and carry none.
    language: str = ""


@dataclass(frozen=True)
class FeedInfo:
    name: str
    timezone: str
    refresh: timedelta
    description: str = ""
    url: str = ""
    language: str = ""  # of the description (the LANGUAGE parameter)


@dataclass(frozen=True)
class Organizer:
    """Who an emailed calendar file is from: the app's own address, never a
    person (RFC 5546 requires an ORGANIZER in an iTIP message)."""

    email: str
    name: str = "GardenHub"


@dataclass(frozen=True)
class Piece:
    """One VEVENT, serialized, with what the calendar around it needs: its
    zone and years (for the VTIMEZONE blocks). A feed is its pieces joined,
    so a piece can be kept and reused while its event stays the same."""

    ical: bytes
    timezone: str
    years: tuple[int, int]


def piece(event: FeedEvent, organizer: "Organizer | None" = None) -> Piece:
    return Piece(
        ical=_to_ical(_vevent(_cleaned(event), organizer)),
        timezone=event.timezone,
        years=(event.starts_at.year, event.ends_at.year),
    )


FOLD_AT = 75  # octets: icalendar folds a line once it reaches this many


def _to_ical(component) -> bytes:
    """`component.to_ical()`, faster: most lines are short, and only a long
    one is handed to icalendar's folding (which looks at every character)."""
    out = []
    for line in component.content_lines():
        if line:
            encoded = line.encode()
            out.append(encoded if len(encoded) < FOLD_AT else line.to_ical())
            out.append(b"\r\n")
    return b"".join(out)


def serialize(info: FeedInfo, events: Iterable[FeedEvent]) -> bytes:
    """A subscription feed. Not an iTIP message, so no METHOD."""
    return serialize_pieces(info, [piece(event) for event in events])


def serialize_pieces(info: FeedInfo, pieces: list[Piece]) -> bytes:
    """The feed of these already serialized events: the same bytes as
    `serialize` of the events they were made from."""
    calendar = _calendar()
    # icalendar leaves these unescaped and mis-types the TTL unless told.
    calendar.add("name", vText(clean(info.name)))
    calendar.add("x-wr-calname", vText(clean(info.name)))
    if info.description:
        spoken = _language(info.language)
        calendar.add("description", vText(clean(info.description)), parameters=spoken)
        calendar.add("x-wr-caldesc", vText(clean(info.description)), parameters=spoken)
    if info.url:
        calendar.add("url", vUri(info.url), parameters={"VALUE": "URI"})
    calendar.add("x-wr-timezone", info.timezone)
    calendar.add(
        "refresh-interval", vDuration(info.refresh), parameters={"VALUE": "DURATION"}
    )
    calendar.add("x-published-ttl", vDuration(info.refresh))
    return _assemble(calendar, info.timezone, pieces)


def serialize_message(event: FeedEvent, organizer: Organizer) -> bytes:
    """One event for an email attachment: an iTIP message. A cancellation is
    METHOD:CANCEL, anything else METHOD:PUBLISH; both carry the organizer the
    method requires and none of a feed's calendar-level properties."""
    calendar = _calendar()
    calendar.add("method", "CANCEL" if event.status == "CANCELLED" else "PUBLISH")
    return _finish(calendar, event.timezone, [event], organizer=organizer)


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def _finish(
    calendar: Calendar,
    zone: str,
    events: list[FeedEvent],
    *,
    organizer: Organizer | None = None,
) -> bytes:
    return _assemble(calendar, zone, [piece(event, organizer) for event in events])


END = b"END:VCALENDAR\r\n"


def _assemble(calendar: Calendar, zone: str, pieces: list[Piece]) -> bytes:
    """What `calendar.to_ical()` would write with a VTIMEZONE per zone (for
    the years the events span, and one either side) and the events added, in
    that order: icalendar writes a component's lines, then each
    subcomponent's, then its END line."""
    zones = sorted({zone} | {p.timezone for p in pieces})
    years = sorted({year for p in pieces for year in p.years})
    first, last = (years[0] - 1, years[-1] + 1) if years else (2000, 2000)
    head = calendar.to_ical()
    parts = [head.removesuffix(END)]
    if pieces:
        parts += [vtimezone_ical(name, first, last) for name in zones]
    parts += [p.ical for p in pieces]
    parts.append(END)
    return b"".join(parts)


def _language(code: str) -> dict[str, str] | None:
    """The LANGUAGE parameter (RFC 5545 3.2.10) of text written in `code`."""
    return {"LANGUAGE": code} if code else None


def _cleaned(event: FeedEvent) -> FeedEvent:
    return replace(
        event,
        summary=clean(event.summary),
        description=clean(event.description),
        location=clean(event.location),
        url=clean(event.url),
        categories=tuple(clean(c).replace(",", " ") for c in event.categories if c),
        alarm_text=clean(event.alarm_text),
    )


@lru_cache(maxsize=256)
def css_colour(hex_colour: str) -> str | None:
    """RFC 7986 COLOR takes a CSS3 colour name: the nearest one."""
    try:
        red, green, blue = webcolors.hex_to_rgb(hex_colour)
    except ValueError:
        return None

    def distance(name: str) -> float:
        """The "redmean" weighting: closer to what the eye sees than plain RGB
        (a garden green stays a green, not a grey)."""
        other = webcolors.name_to_rgb(name)
        mean = (other.red + red) / 2
        return (
            (2 + mean / 256) * (other.red - red) ** 2
            + 4 * (other.green - green) ** 2
            + (2 + (255 - mean) / 256) * (other.blue - blue) ** 2
        )

    return min(webcolors.names("css3"), key=distance)


def ambiguous(local: datetime) -> bool:
    """Whether this wall-clock time happens twice (the hour clocks go back):
    parsers disagree on which one a TZID time means, so such times go out in
    UTC, which every parser reads the same."""
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset()


def _moment(when: datetime, zone: ZoneInfo) -> datetime:
    local = when.astimezone(zone)
    return when.astimezone(UTC) if ambiguous(local) else local


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
