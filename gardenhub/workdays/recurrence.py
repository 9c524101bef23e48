"""Dates of a weekly series: which days a rule like "every 2nd Wednesday" falls on.

Only dates come out of here. The services combine each date with the local
start time in the garden's zone, so 9:00 stays 9:00 across daylight-saving changes.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice

from dateutil.rrule import WEEKLY, rrule


@dataclass(frozen=True)
class WeeklyRule:
    weekdays: tuple[int, ...]  # Monday = 0
    interval_weeks: int
    starts_on: date
    ends_on: date | None = None
    count: int | None = None


class TooManyOccurrences(ValueError):
    pass


def occurrence_dates(rule: WeeklyRule, *, limit: int) -> list[date]:
    """Every date the rule produces, at most `limit` (more raises TooManyOccurrences).

    The rule needs an end: `ends_on` (inclusive) or `count`.
    """
    if rule.ends_on is None and rule.count is None:
        raise ValueError("a series needs an end date or a number of occurrences")
    dates = rrule(
        WEEKLY,
        dtstart=datetime.combine(rule.starts_on, time()),
        interval=rule.interval_weeks,
        byweekday=rule.weekdays,
        until=datetime.combine(rule.ends_on, time()) if rule.ends_on else None,
        count=rule.count,
        cache=False,
    )
    found = [moment.date() for moment in islice(dates, limit + 1)]
    if len(found) > limit:
        raise TooManyOccurrences(f"more than {limit} occurrences")
    return found
