"""Hours totals for a person: what counts is check-ins plus approved entries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from gardenhub.extensions import db
from gardenhub.hours.models import EntryStatus, HoursEntry
from gardenhub.projects.models import Project
from gardenhub.timezones import to_local
from gardenhub.workdays.models import Shift, Signup, Workday

MILESTONES = (10, 25, 50, 100, 250, 500)


@dataclass(frozen=True)
class HoursItem:
    day: date
    hours: Decimal
    project: Project
    what: str


@dataclass
class Totals:
    items: list[HoursItem] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((item.hours for item in self.items), Decimal(0))

    def by_month(self) -> list[tuple[str, Decimal]]:
        months: dict[str, Decimal] = defaultdict(Decimal)
        for item in self.items:
            months[f"{item.day:%Y-%m}"] += item.hours
        return sorted(months.items())

    def by_project(self) -> list[tuple[Project, Decimal]]:
        projects: dict[int, list] = {}
        for item in self.items:
            entry = projects.setdefault(item.project.id, [item.project, Decimal(0)])
            entry[1] += item.hours
        return sorted(((p, h) for p, h in projects.values()), key=lambda x: -x[1])

    def milestones(self) -> list[int]:
        return [m for m in MILESTONES if self.total >= m]


def counted_hours(
    person, *, start: date | None = None, end: date | None = None
) -> Totals:
    """Approved hours of `person` (check-ins and approved entries), two queries."""
    items = []
    for signup in db.session.scalars(
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .options(
            joinedload(Signup.shift)
            .joinedload(Shift.workday)
            .options(joinedload(Workday.project), joinedload(Workday.garden))
        )
        .where(Signup.volunteer_id == person.id, Signup.checked_in_at.is_not(None))
    ):
        workday = signup.shift.workday
        day = to_local(signup.shift.starts_at, workday.timezone).date()
        items.append(
            HoursItem(
                day, signup.hours or Decimal(0), workday.project, signup.shift.name
            )
        )
    for entry in db.session.scalars(
        select(HoursEntry)
        .options(joinedload(HoursEntry.project))
        .where(
            HoursEntry.volunteer_id == person.id,
            HoursEntry.status == EntryStatus.approved,
        )
    ):
        items.append(
            HoursItem(entry.worked_on, entry.hours, entry.project, entry.description)
        )
    items = [
        i
        for i in items
        if (start is None or i.day >= start) and (end is None or i.day <= end)
    ]
    return Totals(sorted(items, key=lambda item: item.day))


def my_entries(person) -> list[HoursEntry]:
    return list(
        db.session.scalars(
            select(HoursEntry)
            .options(joinedload(HoursEntry.project))
            .where(HoursEntry.volunteer_id == person.id)
            .order_by(HoursEntry.worked_on.desc())
            .limit(50)
        )
    )


def pending_entries(project_ids: set[int]) -> list[HoursEntry]:
    if not project_ids:
        return []
    return list(
        db.session.scalars(
            select(HoursEntry)
            .options(joinedload(HoursEntry.project), joinedload(HoursEntry.volunteer))
            .where(
                HoursEntry.project_id.in_(project_ids),
                HoursEntry.status == EntryStatus.pending,
            )
            .order_by(HoursEntry.worked_on)
        )
    )
