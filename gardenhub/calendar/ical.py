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
from icalendar import (
    Calendar,
    Parameters,
    vCategory,
    vDDDTypes,
    vDuration,
    vGeo,
    vText,
    vUri,
)
from icalendar.parser import Contentline

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


def piece(event: FeedEvent, organizer: Organizer | None = None) -> Piece:
    return Piece(
        ical=vevent_ical(_cleaned(event), organizer),
        timezone=event.timezone,
        years=(event.starts_at.year, event.ends_at.year),
    )


FOLD_AT = 75  # octets: icalendar folds a line once it reaches this many


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


def _line(name: str, value: bytes, params: dict | str | None = None) -> bytes:
    """One content line, folded as icalendar folds it. `params` is a dict
    for icalendar to quote, or parameters already written ("TZID=...")."""
    text = value.decode()
    if isinstance(params, dict):
        params = Parameters(params).to_ical().decode()
    line = f"{name};{params}:{text}" if params else f"{name}:{text}"
    encoded = line.encode()
    if len(encoded) < FOLD_AT:
        return encoded + b"\r\n"
    if len(encoded) == len(line):
        return _fold_ascii(line) + b"\r\n"
    return Contentline(line).to_ical() + b"\r\n"


def _fold_ascii(line: str) -> bytes:
    """icalendar's folding of a one-byte-per-character line: pieces of at
    most 74 characters, and a piece never ends in the backslash or caret
    that starts an escape (the piece gives it to the next one)."""
    pieces = []
    start = 0
    while len(line) - start >= FOLD_AT:
        end = start + FOLD_AT - 1
        if line[end - 1] in "\\^" and end - start > 1:
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return "\r\n ".join(pieces).encode()


def _when(name: str, value) -> bytes:
    """A date, time or duration as icalendar writes it; the two kinds feeds
    use most (UTC, and a time in a named zone) written directly."""
    if isinstance(value, datetime):
        stamp = (
            f"{value.year:04}{value.month:02}{value.day:02}"
            f"T{value.hour:02}{value.minute:02}{value.second:02}"
        )
        if value.tzinfo is UTC:
            return _line(name, f"{stamp}Z".encode())
        zone = value.tzinfo
        if isinstance(zone, ZoneInfo) and zone.key not in UTC_NAMES:
            return _line(name, stamp.encode(), f"TZID={zone.key}")
    typed = vDDDTypes(value)
    return _line(name, typed.to_ical(), dict(typed.params))


UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu"})


def _text(value: str) -> bytes:
    return vText(value).to_ical()


def vevent_ical(item: FeedEvent, organizer: Organizer | None = None) -> bytes:
    """The VEVENT of `item` as icalendar would write it (its properties in
    icalendar's canonical order, then alphabetically; its values and
    parameters through icalendar's own types), without building the
    component: a feed build spends most of its time here. Tests compare it
    with icalendar's own output for generated events."""
    zone = ZoneInfo(item.timezone)
    # Language codes need no quoting: the parameter is written directly.
    spoken = f"LANGUAGE={item.language}" if item.language else None
    if item.all_day is not None:
        start, end = item.all_day, item.all_day + timedelta(days=1)
    else:
        start, end = _moment(item.starts_at, zone), _moment(item.ends_at, zone)
    out = [
        b"BEGIN:VEVENT\r\n",
        _line("SUMMARY", _text(item.summary)),
        _when("DTSTART", start),
        _when("DTEND", end),
        _when("DTSTAMP", item.changed_at),
        _line("UID", _text(item.uid)),
        _line("SEQUENCE", str(item.sequence).encode()),
    ]
    if item.categories:
        out.append(_line("CATEGORIES", vCategory(list(item.categories)).to_ical()))
    if item.colour and (name := css_colour(item.colour)):
        out.append(_line("COLOR", _text(name)))
    out.append(_when("CREATED", item.created_at))
    if item.description:
        out.append(_line("DESCRIPTION", _text(item.description), spoken))
    if item.geo:
        out.append(_line("GEO", vGeo(item.geo).to_ical().encode()))
    out.append(_when("LAST-MODIFIED", item.changed_at))
    if item.location:
        out.append(_line("LOCATION", _text(item.location)))
    if organizer is not None:
        out.append(
            _line(
                "ORGANIZER",
                f"mailto:{organizer.email}".encode(),
                {"CN": vText(organizer.name)},
            )
        )
    out.append(_line("STATUS", _text(item.status)))
    transparent = item.status == "CANCELLED" or item.all_day is not None
    out.append(_line("TRANSP", b"TRANSPARENT" if transparent else b"OPAQUE"))
    if item.url:
        out.append(_line("URL", vUri(item.url).to_ical()))
    if item.geo:
        # Apple Maps opens the right spot, named as the place.
        latitude, longitude = item.geo
        out.append(
            _line(
                "X-APPLE-STRUCTURED-LOCATION",
                vUri(f"geo:{latitude},{longitude}").to_ical(),
                {
                    "VALUE": "URI",
                    "X-TITLE": item.location or _("Garden"),
                    "X-APPLE-RADIUS": "70",
                },
            )
        )
    if item.alarm is not None:
        described = item.alarm_text or item.summary
        out += [
            b"BEGIN:VALARM\r\n",
            _line("ACTION", b"DISPLAY"),
            _line("DESCRIPTION", _text(described), spoken if item.alarm_text else None),
            _when("TRIGGER", -item.alarm),
            _line("UID", _text(f"alarm-{item.uid}")),
            b"END:VALARM\r\n",
        ]
    out.append(b"END:VEVENT\r\n")
    return b"".join(out)
