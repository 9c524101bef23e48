"""Coordinator dashboard figures, the funder report and CSV exports."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from babel import Locale
from babel.dates import format_skeleton
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from gardenhub.accounts.privacy import visible_name
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.hours.models import EntryStatus, HoursEntry
from gardenhub.i18n import FORMATS, _, format_day, language
from gardenhub.projects.models import Project
from gardenhub.timezones import local_today, to_local
from gardenhub.workdays.models import (
    SEAT_STATUSES,
    Shift,
    Signup,
    Workday,
    WorkdayStatus,
)

SMALL = 5  # fewer people than this are shown as "<5" in reports for funders


@dataclass(frozen=True)
class OpenShift:
    shift: Shift
    missing: int


def unfilled_shifts(
    project_ids: set[int], *, now: datetime, days: int = 14
) -> list[OpenShift]:
    """Shifts in the next `days` days that still need people, with how many."""
    taken = (
        select(func.count(Signup.id))
        .where(Signup.shift_id == Shift.id, Signup.status.in_(SEAT_STATUSES))
        .correlate(Shift)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Shift, taken)
        .join(Workday, Workday.id == Shift.workday_id)
        .options(joinedload(Shift.workday).joinedload(Workday.garden))
        .where(
            Workday.project_id.in_(project_ids),
            Workday.status == WorkdayStatus.scheduled,
            Shift.starts_at > now,
            Shift.starts_at < now + timedelta(days=days),
            taken < Shift.capacity,
        )
        .order_by(Shift.starts_at)
    )
    return [OpenShift(shift, shift.capacity - n) for shift, n in rows]


def _widened(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC bounds around the local dates [start, end] in every zone (a day on
    each side); rows are then kept by their own garden's local date."""
    begin = datetime.combine(start - timedelta(days=1), datetime.min.time(), UTC)
    finish = datetime.combine(end + timedelta(days=2), datetime.min.time(), UTC)
    return begin, finish


def _local_day(moment: datetime, workday: Workday) -> date:
    return to_local(moment, workday.timezone).date()


def _month_starts(today: date, months: int) -> list[date]:
    first = today.replace(day=1)
    starts = []
    for _month in range(months):
        starts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return list(reversed(starts))


def _short_month(day: date) -> str:
    """A month with its year, short: "Jan 2027" (the language's own order and
    abbreviation)."""
    return format_skeleton("yMMM", day, locale=Locale.parse(FORMATS[language()]))


def monthly_figures(
    project_ids: set[int], *, now: datetime, zone: str, months: int = 6
) -> list[dict]:
    """Per month: fill rate of past shifts, volunteers who came, hours counted.

    The months are those of `zone` (the dashboard's); each shift counts in the
    month of its own garden's local date, as in the funder report."""
    starts = _month_starts(local_today(zone, now), months)
    begin, _ = _widened(starts[0], starts[0])
    figures = {
        f"{s:%Y-%m}": {
            "month": _short_month(s),
            "label": format_day(s, "month_name"),
            "capacity": 0,
            "taken": 0,
            "hours": Decimal(0),
            "people": set(),
        }
        for s in starts
    }
    seats = func.count(Signup.id).filter(Signup.status.in_(SEAT_STATUSES))
    zone_of = func.coalesce(Garden.timezone, Project.timezone)

    def month_of(starts_at: datetime, zone_name: str) -> dict | None:
        return figures.get(f"{to_local(starts_at, zone_name):%Y-%m}")

    for starts_at, zone_name, capacity, taken in db.session.execute(
        select(Shift.starts_at, zone_of, Shift.capacity, seats)
        .join(Workday, Workday.id == Shift.workday_id)
        .join(Project, Project.id == Workday.project_id)
        .outerjoin(Garden, Garden.id == Workday.garden_id)
        .outerjoin(Signup, Signup.shift_id == Shift.id)
        .where(
            Workday.project_id.in_(project_ids),
            Workday.status == WorkdayStatus.scheduled,
            Shift.starts_at >= begin,
            Shift.starts_at < now,
        )
        .group_by(Shift.id, Garden.timezone, Project.timezone)
    ):
        month = month_of(starts_at, zone_name)
        if month:
            month["capacity"] += capacity
            month["taken"] += taken
    for starts_at, zone_name, person, hours in db.session.execute(
        select(Shift.starts_at, zone_of, Signup.volunteer_id, Signup.hours)
        .join(Shift, Shift.id == Signup.shift_id)
        .join(Workday, Workday.id == Shift.workday_id)
        .join(Project, Project.id == Workday.project_id)
        .outerjoin(Garden, Garden.id == Workday.garden_id)
        .where(
            Workday.project_id.in_(project_ids),
            Signup.checked_in_at.is_not(None),
            Shift.starts_at >= begin,
        )
    ):
        month = month_of(starts_at, zone_name)
        if month:
            month["people"].add(person)
            month["hours"] += hours or 0
    for worked_on, person, hours in db.session.execute(
        select(HoursEntry.worked_on, HoursEntry.volunteer_id, HoursEntry.hours).where(
            HoursEntry.project_id.in_(project_ids),
            HoursEntry.status == EntryStatus.approved,
            HoursEntry.worked_on >= starts[0],
        )
    ):
        month = figures.get(f"{worked_on:%Y-%m}")
        if month:
            month["people"].add(person)
            month["hours"] += hours
    result = []
    for key in sorted(figures):
        month = figures[key]
        rate = month["taken"] / month["capacity"] if month["capacity"] else None
        result.append(
            {
                "month": month["month"],
                "label": month["label"],
                "fill_rate": rate,
                "hours": month["hours"],
                "volunteers": len(month["people"]),
            }
        )
    return result


def funder_report(project_ids: set[int], *, start: date, end: date) -> list[dict]:
    """Totals per project and local month: volunteers, hours, workdays held.

    A cell with fewer than five volunteers shows neither how many ("<5") nor
    their hours ("suppressed"): one person's hours would be published. Workdays
    held are public (the calendar shows them) and stay.
    """
    rows: dict[tuple, dict] = defaultdict(
        lambda: {"people": set(), "hours": Decimal(0), "workdays": set()}
    )
    begin, finish = _widened(start, end)
    for workday, person, hours in db.session.execute(
        select(Workday, Signup.volunteer_id, Signup.hours)
        .join(Shift, Shift.workday_id == Workday.id)
        .join(Signup, Signup.shift_id == Shift.id)
        .options(joinedload(Workday.project), joinedload(Workday.garden))
        .where(
            Workday.project_id.in_(project_ids),
            Signup.checked_in_at.is_not(None),
            Workday.starts_at >= begin,
            Workday.starts_at < finish,
        )
    ):
        day = _local_day(workday.starts_at, workday)
        if not start <= day <= end:
            continue
        row = rows[(workday.project.name, f"{day:%Y-%m}")]
        row["people"].add(person)
        row["hours"] += hours or 0
        row["workdays"].add(workday.id)
    for entry in db.session.scalars(
        select(HoursEntry)
        .options(joinedload(HoursEntry.project))
        .where(
            HoursEntry.project_id.in_(project_ids),
            HoursEntry.status == EntryStatus.approved,
            HoursEntry.worked_on >= start,
            HoursEntry.worked_on <= end,
        )
    ):
        row = rows[(entry.project.name, f"{entry.worked_on:%Y-%m}")]
        row["people"].add(entry.volunteer_id)
        row["hours"] += entry.hours
    report = []
    for (project, month), row in sorted(rows.items()):
        small = len(row["people"]) < SMALL
        report.append(
            {
                "project": project,
                "month": month,
                "month_start": date.fromisoformat(f"{month}-01"),
                "suppressed": small,
                "volunteers": f"<{SMALL}" if small else len(row["people"]),
                "hours": None if small else row["hours"],
                "workdays": len(row["workdays"]),
            }
        )
    return report


def funder_header() -> list[str]:
    """The funder report's CSV header, in the language being spoken."""
    return [_("project"), _("month"), _("volunteers"), _("hours"), _("workdays held")]


def funder_rows(report: list[dict]) -> list[list]:
    """The funder report as CSV rows, with the same suppression; months stay
    ISO ("2026-03") and hours plain numbers, so spreadsheets sort them."""
    return [
        [
            r["project"],
            r["month"],
            r["volunteers"],
            _("suppressed") if r["suppressed"] else f"{r['hours']:g}",
            r["workdays"],
        ]
        for r in report
    ]


def safe_cell(value) -> str:
    """Spreadsheets run cells that start with = + - @ (or tab/CR) as formulas;
    a leading apostrophe makes them plain text."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def csv_moment(moment: datetime | None, tz_name: str) -> str:
    """A moment in a CSV cell: garden-local "2026-12-01 14:00", which every
    spreadsheet sorts (and reads) the same in every language."""
    if moment is None:
        return ""
    return f"{to_local(moment, tz_name):%Y-%m-%d %H:%M}"


def to_csv(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def roster_rows(workday: Workday, viewer) -> list[list]:
    signups = db.session.scalars(
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .options(joinedload(Signup.volunteer), joinedload(Signup.shift))
        .where(Shift.workday_id == workday.id)
        .order_by(Shift.starts_at, Signup.created_at)
    )
    zone = workday.timezone
    return [
        [
            s.shift.name,
            visible_name(viewer, s.volunteer, workday.project),
            s.volunteer.email or "",
            s.volunteer.phone or "",
            s.status,
            _("yes") if s.checked_in_at else "",
            s.hours or "",
            csv_moment(s.created_at, zone),
        ]
        for s in signups
    ]


def signup_rows(project_ids: set[int], viewer, *, start: date, end: date) -> list[list]:
    """Every sign-up on shifts whose local date lies in [start, end]."""
    begin, finish = _widened(start, end)
    signups = db.session.scalars(
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .join(Workday, Workday.id == Shift.workday_id)
        .options(
            joinedload(Signup.volunteer),
            joinedload(Signup.shift)
            .joinedload(Shift.workday)
            .options(joinedload(Workday.project), joinedload(Workday.garden)),
        )
        .where(
            Workday.project_id.in_(project_ids),
            Shift.starts_at >= begin,
            Shift.starts_at < finish,
        )
        .order_by(Shift.starts_at, Signup.id)
    )
    return [
        [
            csv_moment(s.shift.starts_at, s.shift.workday.timezone),
            s.shift.workday.title,
            s.shift.name,
            visible_name(viewer, s.volunteer, s.shift.workday.project),
            s.status,
            _("yes") if s.checked_in_at else "",
        ]
        for s in signups
        if start <= _local_day(s.shift.starts_at, s.shift.workday) <= end
    ]


def hours_rows(project_ids: set[int], viewer, *, start: date, end: date) -> list[list]:
    """Approved hours per volunteer and project over the period."""
    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    people = {}
    begin, finish = _widened(start, end)
    for signup in db.session.scalars(
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .join(Workday, Workday.id == Shift.workday_id)
        .options(
            joinedload(Signup.volunteer),
            joinedload(Signup.shift)
            .joinedload(Shift.workday)
            .options(joinedload(Workday.project), joinedload(Workday.garden)),
        )
        .where(
            Workday.project_id.in_(project_ids),
            Signup.checked_in_at.is_not(None),
            Shift.starts_at >= begin,
            Shift.starts_at < finish,
        )
    ):
        if not start <= _local_day(signup.shift.starts_at, signup.shift.workday) <= end:
            continue
        project = signup.shift.workday.project
        people[signup.volunteer_id] = (signup.volunteer, project)
        totals[(signup.volunteer_id, project.id, project.name)] += signup.hours or 0
    for entry in db.session.scalars(
        select(HoursEntry)
        .options(joinedload(HoursEntry.volunteer), joinedload(HoursEntry.project))
        .where(
            HoursEntry.project_id.in_(project_ids),
            HoursEntry.status == EntryStatus.approved,
            HoursEntry.worked_on >= start,
            HoursEntry.worked_on <= end,
        )
    ):
        people[entry.volunteer_id] = (entry.volunteer, entry.project)
        totals[(entry.volunteer_id, entry.project_id, entry.project.name)] += (
            entry.hours
        )
    return [
        [visible_name(viewer, people[person][0], people[person][1]), name, hours]
        for (person, _, name), hours in sorted(totals.items(), key=lambda kv: kv[0][2])
    ]
