"""VTIMEZONE components built from zoneinfo's own transitions.

icalendar's add_missing_timezones() writes comma-separated RDATE lists, which
ical.js misreads (summer times come out an hour off), and stops at 2038. Here each
transition in the years a feed covers is its own STANDARD or DAYLIGHT component
with a single DTSTART, which every parser reads the same way.
"""

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard


def _offsets(zone: ZoneInfo, moment: datetime) -> tuple[timedelta, timedelta, str]:
    local = moment.astimezone(zone)
    return local.utcoffset(), local.dst(), local.tzname()


def transitions(zone_name: str, start: datetime, end: datetime) -> list[datetime]:
    """UTC instants in [start, end) where the zone's offset or name changes."""
    zone = ZoneInfo(zone_name)
    found = []
    step = timedelta(days=1)
    moment = start
    before = _offsets(zone, moment)
    while moment < end:
        following = moment + step
        after = _offsets(zone, following)
        if after != before:
            low, high = moment, following  # bisect to the minute
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if _offsets(zone, middle) == before:
                    low = middle
                else:
                    high = middle
            found.append(high.replace(second=0, microsecond=0))
        moment, before = following, after
    return found


@lru_cache(maxsize=64)
def vtimezone_ical(zone_name: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE block's bytes, kept per zone and year range (at most 64)."""
    return vtimezone(zone_name, first_year, last_year).to_ical()


def vtimezone(zone_name: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE valid from 1 January `first_year` to the end of `last_year`."""
    zone = ZoneInfo(zone_name)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    component = Timezone()
    component.add("tzid", zone_name)
    offset, dst, name = _offsets(zone, start)
    component.add_component(
        _observance(dst, start.astimezone(zone), offset, offset, name)
    )
    for instant in transitions(zone_name, start, end):
        before_offset = _offsets(zone, instant - timedelta(minutes=1))[0]
        offset, dst, name = _offsets(zone, instant)
        # DTSTART is the wall-clock time just before the change, in the old offset.
        wall = (instant + before_offset).replace(tzinfo=None)
        component.add_component(_observance(dst, wall, before_offset, offset, name))
    return component


def _observance(
    dst: timedelta,
    wall: datetime,
    offset_from: timedelta,
    offset_to: timedelta,
    name: str,
):
    observance = TimezoneDaylight() if dst else TimezoneStandard()
    observance.add("dtstart", wall.replace(tzinfo=None))
    observance.add("tzoffsetfrom", offset_from)
    observance.add("tzoffsetto", offset_to)
    observance.add("tzname", name)
    return observance
