"""Stored UTC times to a garden's local time and back, plus Jinja filters."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import Flask


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


def to_utc(day: date, clock: time, tz_name: str) -> datetime:
    """Local wall-clock time in `tz_name` to an aware UTC datetime.

    A time that does not exist (skipped by a DST change) moves forward with the
    clock; an ambiguous one takes its first occurrence (fold=0).
    """
    local = datetime.combine(day, clock, tzinfo=ZoneInfo(tz_name))
    return local.astimezone(UTC)


def to_local(moment: datetime, tz_name: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz_name))


def format_time(moment: datetime | None, tz_name: str, fmt: str = "%H:%M") -> str:
    if moment is None:
        return ""
    return to_local(moment, tz_name).strftime(fmt)


def format_datetime(moment: datetime | None, tz_name: str) -> str:
    if moment is None:
        return ""
    local = to_local(moment, tz_name)
    return f"{local:%a %d %b %Y}, {local:%H:%M}"


def format_date(moment: datetime | None, tz_name: str) -> str:
    if moment is None:
        return ""
    return f"{to_local(moment, tz_name):%a %d %b %Y}"


def local_today(tz_name: str, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(tz_name)).date()


def init_app(app: Flask) -> None:
    app.add_template_global(local_today)
    app.jinja_env.filters["localtime"] = format_time
    app.jinja_env.filters["localdatetime"] = format_datetime
    app.jinja_env.filters["localdate"] = format_date
