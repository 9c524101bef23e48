"""Stored UTC times to a garden's local time and back (gardenhub.i18n formats them).

Every "today" in GardenHub is a garden's local date (`local_today`), never the
server's or UTC's.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import Flask

from gardenhub.errors import GardenHubError
from gardenhub.i18n import _, format_day, format_time, ngettext


class LocalTimeError(GardenHubError):
    """A wall-clock time that a daylight-saving change skips or repeats."""


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def is_valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_choices() -> list[str]:
    return sorted(
        z for z in available_timezones() if "/" in z and not z.startswith("Etc")
    )


def _shift_words(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes % 60 == 0:
        return ngettext("%(num)d hour", "%(num)d hours", minutes // 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def local_time_problem(day: date, clock: time, tz_name: str) -> str | None:
    """Why `clock` on `day` is not one clear instant in `tz_name`, or None.

    On the night clocks go forward, times in the gap never happen; on the night
    they go back, times in the overlap happen twice.
    """
    zone = ZoneInfo(tz_name)
    first = datetime.combine(day, clock, tzinfo=zone)
    second = first.replace(fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    shift = _shift_words(first.utcoffset() - second.utcoffset())
    # `first` already is in `tz_name`, so its wall-clock time is shown as typed.
    when = _(
        "%(time)s on %(day)s",
        time=format_time(first, tz_name),
        day=format_day(day, "medium"),
    )
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != first.replace(tzinfo=None):
        return _(
            "%(when)s does not exist in %(zone)s: the clocks go forward %(shift)s "
            "around then. Pick an earlier or a later time.",
            when=when,
            zone=tz_name,
            shift=shift,
        )
    return _(
        "%(when)s happens twice in %(zone)s: the clocks go back %(shift)s around "
        "then. Pick an earlier or a later time, so everyone's calendar shows the "
        "same hour.",
        when=when,
        zone=tz_name,
        shift=shift,
    )


def to_utc(
    day: date, clock: time, tz_name: str, *, field: str | None = None
) -> datetime:
    """Local wall-clock time in `tz_name` to an aware UTC datetime.

    Raises LocalTimeError (naming `field`) for a time that a daylight-saving
    change skips or repeats: nothing is moved silently.
    """
    problem = local_time_problem(day, clock, tz_name)
    if problem:
        raise LocalTimeError(problem, field=field)
    return datetime.combine(day, clock, tzinfo=ZoneInfo(tz_name)).astimezone(UTC)


def day_start_utc(day: date, tz_name: str) -> datetime:
    """The instant `day` begins in `tz_name` (for reports over local dates)."""
    local = datetime.combine(day, time(), tzinfo=ZoneInfo(tz_name))
    return local.astimezone(UTC)


def to_local(moment: datetime, tz_name: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz_name))


def local_today(tz_name: str, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(tz_name)).date()


def init_app(app: Flask) -> None:
    app.add_template_global(local_today)
