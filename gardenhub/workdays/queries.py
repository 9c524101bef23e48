"""Read queries for list pages: constant query counts, whatever the table sizes."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.projects.models import Project
from gardenhub.workdays.models import (
    SEAT_STATUSES,
    Shift,
    Signup,
    SignupStatus,
    Workday,
    WorkdaySeries,
    WorkdayStatus,
)


@dataclass(frozen=True)
class WorkdaySummary:
    workday: Workday
    capacity: int
    taken: int
    waiting: int
    seats_changed_at: datetime | None = None

    @property
    def open_spots(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def changed_at(self) -> datetime:
        """The last change to anything a feed shows of this workday."""
        # The project's public name and colour are in every event too.
        stamps = [
            self.workday.updated_at,
            self.seats_changed_at,
            self.workday.project.updated_at,
        ]
        return max(stamp for stamp in stamps if stamp is not None)


@dataclass(frozen=True)
class ShiftCounts:
    confirmed: int = 0
    offered: int = 0
    waiting: int = 0

    @property
    def taken(self) -> int:
        return self.confirmed + self.offered


# A workday lies within one local day, so it starts less than this before it
# ends: a lower bound on starts_at lets the database use the starts_at index.
LONGEST_WORKDAY = timedelta(days=1)


def _seat_totals(workday_ids: list[int]):
    """Per workday: capacity, seats taken, people waiting, last seat change.

    The counts are correlated per shift on purpose: each is a lookup in the
    (shift_id, status) index, where a join would make PostgreSQL hash the whole
    signup table (8 ms against 0.8 ms for a home page's 40 workdays).
    """

    def signups_with(*statuses):
        return (
            select(func.count())
            .select_from(Signup)
            .where(Signup.shift_id == Shift.id, Signup.status.in_(statuses))
            .correlate(Shift)
            .scalar_subquery()
        )

    return (
        select(
            Shift.workday_id,
            func.sum(Shift.capacity),
            func.sum(signups_with(*SEAT_STATUSES)),
            func.sum(signups_with(SignupStatus.waitlisted)),
            func.max(Shift.seats_changed_at),
        )
        .where(Shift.workday_id.in_(workday_ids))
        .group_by(Shift.workday_id)
    )


def visible(member_of: set[int] | frozenset = frozenset()):
    """Public workdays, and the members-only ones of the projects in
    `member_of` (the viewer's own): a members-only workday never reaches a
    public page or feed."""
    if not member_of:
        return Workday.visibility == "public"
    return or_(Workday.visibility == "public", Workday.project_id.in_(member_of))


def in_feeds():
    """What calendar feeds publish: active projects' workdays, and an ended
    (archived) project's cancelled ones, so calendars show them cancelled
    instead of keeping them as they were."""
    return or_(Project.is_active, Workday.status == WorkdayStatus.cancelled)


def workday_summaries(
    *conditions,
    order=None,
    limit: int | None = None,
    offset: int = 0,
    for_feeds: bool = False,
) -> list[WorkdaySummary]:
    """Workdays matching `conditions` with their seat totals, in two queries: the
    workdays first (so filters, order and limit use the indexes), then the seats
    of just those workdays."""
    query = (
        select(Workday)
        .join(Project, Project.id == Workday.project_id)
        .options(joinedload(Workday.garden), joinedload(Workday.project))
        .where(in_feeds() if for_feeds else Project.is_active, *conditions)
        .order_by(*(order or (Workday.starts_at, Workday.id)))
    )
    if limit:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    workdays = db.session.scalars(query).all()
    if not workdays:
        return []
    totals = {
        row[0]: row[1:]
        for row in db.session.execute(_seat_totals([w.id for w in workdays]))
    }
    summaries = []
    for workday in workdays:
        capacity, taken, waiting, changed = totals.get(workday.id, (0, 0, 0, None))
        summaries.append(
            WorkdaySummary(
                workday,
                int(capacity or 0),
                int(taken or 0),
                int(waiting or 0),
                _as_utc(changed),
            )
        )
    return summaries


def _as_utc(value) -> datetime | None:
    """max() over a column loses the UTC type: SQLite returns text, PG aware."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def upcoming_workdays(
    *,
    garden_id: int | None = None,
    project_id: int | None = None,
    now: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
    include_cancelled: bool = True,
    member_of: set[int] | frozenset = frozenset(),
    where: tuple = (),
) -> list[WorkdaySummary]:
    now = now or utcnow()
    conditions = [
        Workday.ends_at > now,
        Workday.starts_at > now - LONGEST_WORKDAY,
        visible(member_of),
        *where,
    ]
    if garden_id:
        conditions.append(Workday.garden_id == garden_id)
    if project_id:
        conditions.append(Workday.project_id == project_id)
    if not include_cancelled:
        conditions.append(Workday.status == WorkdayStatus.scheduled)
    return workday_summaries(*conditions, limit=limit, offset=offset)


def workdays_between(
    start: datetime,
    end: datetime,
    *,
    garden_id: int | None = None,
    project_id: int | None = None,
    limit: int | None = None,
    member_of: set[int] | frozenset = frozenset(),
    for_feeds: bool = False,
) -> list[WorkdaySummary]:
    conditions = [
        Workday.starts_at < end,
        Workday.ends_at > start,
        Workday.starts_at > start - LONGEST_WORKDAY,
        visible(member_of),
    ]
    if garden_id:
        conditions.append(Workday.garden_id == garden_id)
    if project_id:
        conditions.append(Workday.project_id == project_id)
    return workday_summaries(*conditions, limit=limit, for_feeds=for_feeds)


def shift_counts(workday: Workday) -> dict[int, ShiftCounts]:
    """Seat counts for every shift of a workday, in one grouped query."""
    rows = db.session.execute(
        select(Signup.shift_id, Signup.status, func.count(Signup.id))
        .join(Shift, Shift.id == Signup.shift_id)
        .where(Shift.workday_id == workday.id)
        .group_by(Signup.shift_id, Signup.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for shift_id, status, n in rows:
        counts.setdefault(shift_id, {})[status] = n
    return {
        shift_id: ShiftCounts(
            confirmed=by_status.get(SignupStatus.confirmed, 0),
            offered=by_status.get(SignupStatus.offered, 0),
            waiting=by_status.get(SignupStatus.waitlisted, 0),
        )
        for shift_id, by_status in counts.items()
    }


def signups_of(person, shift_ids: list[int]) -> dict[int, Signup]:
    """The viewer's active sign-ups on these shifts, by shift id."""
    if not shift_ids or not person.is_authenticated:
        return {}
    rows = db.session.scalars(
        select(Signup).where(
            Signup.volunteer_id == person.id,
            Signup.shift_id.in_(shift_ids),
            Signup.status.in_((*SEAT_STATUSES, SignupStatus.waitlisted)),
        )
    )
    return {signup.shift_id: signup for signup in rows}


def waitlist_positions(signups: list[Signup]) -> dict[int, int]:
    """Position (1 = next) of each waitlisted sign-up, in one query."""
    waiting = [s for s in signups if s.status == SignupStatus.waitlisted]
    if not waiting:
        return {}
    ahead = Signup.__table__.alias("ahead")
    rows = db.session.execute(
        select(Signup.id, func.count(ahead.c.id))
        .join(
            ahead,
            and_(
                ahead.c.shift_id == Signup.shift_id,
                ahead.c.status == SignupStatus.waitlisted,
                (ahead.c.created_at < Signup.created_at)
                | (
                    (ahead.c.created_at == Signup.created_at)
                    & (ahead.c.id <= Signup.id)
                ),
            ),
        )
        .where(Signup.id.in_([s.id for s in waiting]))
        .group_by(Signup.id)
    )
    return dict(rows.all())


def my_signups(person, *, now: datetime, upcoming: bool) -> list[Signup]:
    """A person's sign-ups, upcoming (active) or past, with shift and workday loaded."""
    query = (
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .options(
            joinedload(Signup.shift)
            .joinedload(Shift.workday)
            .options(joinedload(Workday.garden), joinedload(Workday.project))
        )
        .where(Signup.volunteer_id == person.id)
    )
    if upcoming:
        query = query.where(
            Shift.ends_at > now,
            Signup.status.in_((*SEAT_STATUSES, SignupStatus.waitlisted)),
        ).order_by(Shift.starts_at)
    else:
        query = (
            query.where(Shift.ends_at <= now)
            .order_by(Shift.starts_at.desc())
            .limit(100)
        )
    return list(db.session.scalars(query).unique())


def roster(workday: Workday) -> list[Signup]:
    """Every sign-up of the workday (all statuses) with its person, in one query."""
    return list(
        db.session.scalars(
            select(Signup)
            .join(Shift, Shift.id == Signup.shift_id)
            .options(joinedload(Signup.volunteer), joinedload(Signup.buddy))
            .where(Shift.workday_id == workday.id)
            .order_by(Shift.starts_at, Shift.id, Signup.created_at, Signup.id)
        )
    )


def project_series(project: Project) -> list[WorkdaySeries]:
    return list(
        db.session.scalars(
            select(WorkdaySeries)
            .where(WorkdaySeries.project_id == project.id)
            .options(selectinload(WorkdaySeries.shift_templates))
            .order_by(WorkdaySeries.starts_on)
        )
    )


def load_workday_page(workday_id: int) -> Workday | None:
    return db.session.scalars(
        select(Workday)
        .where(Workday.id == workday_id)
        .options(
            joinedload(Workday.garden),
            joinedload(Workday.series),
            joinedload(Workday.project).selectinload(Project.coordinators),
            selectinload(Workday.shifts),
        )
    ).first()


def feed_signups(
    person, start: datetime, end: datetime, *, include_waiting: bool
) -> list[Signup]:
    """A person's sign-ups on shifts inside [start, end), for their private
    feed, with who belongs to each project read at once (the feed shows a
    group's own name only to its members)."""
    statuses = [*SEAT_STATUSES, *([SignupStatus.waitlisted] if include_waiting else [])]
    signups = list(
        db.session.scalars(
            select(Signup)
            .join(Shift, Shift.id == Signup.shift_id)
            .options(
                joinedload(Signup.shift)
                .joinedload(Shift.workday)
                .options(joinedload(Workday.garden), joinedload(Workday.project))
            )
            .where(
                Signup.volunteer_id == person.id,
                Signup.status.in_(statuses),
                Shift.starts_at < end,
                Shift.ends_at > start,
            )
            .order_by(Shift.starts_at, Shift.id)
        ).unique()
    )
    Project.load_member_ids({signup.shift.workday.project for signup in signups})
    return signups


def feed_stamps(
    start: datetime,
    end: datetime,
    *,
    garden_id: int | None = None,
    project_id: int | None = None,
    limit: int | None = None,
) -> tuple[tuple, ...]:
    """What each workday of a public feed over [start, end) depends on, in the
    feed's order (as `workdays_between(..., for_feeds=True)`): one `stamp` per
    workday. One grouped query; no rows are loaded. The tuple as a whole is
    the feed's version: any change to what the feed shows changes it."""
    conditions = [
        in_feeds(),
        Workday.starts_at < end,
        Workday.ends_at > start,
        Workday.starts_at > start - LONGEST_WORKDAY,
        visible(),
    ]
    if garden_id:
        conditions.append(Workday.garden_id == garden_id)
    if project_id:
        conditions.append(Workday.project_id == project_id)
    # A shift's capacity or seats change sets its seats_changed_at; adding or
    # editing a shift touches the workday: these columns see every change.
    seats_changed = (
        select(func.max(Shift.seats_changed_at))
        .where(Shift.workday_id == Workday.id)
        .correlate(Workday)
        .scalar_subquery()
    )
    query = (
        select(
            Workday.id,
            Workday.revision,
            Workday.updated_at,
            Project.updated_at,
            Garden.updated_at,
            seats_changed,
        )
        .join(Project, Project.id == Workday.project_id)
        .outerjoin(Garden, Garden.id == Workday.garden_id)
        .where(*conditions)
        .order_by(Workday.starts_at, Workday.id)
    )
    if limit:
        query = query.limit(limit)
    return tuple(_stamp(*row) for row in db.session.execute(query))


def stamp(summary: WorkdaySummary) -> tuple:
    """The same stamp as `feed_stamps` gives, from a loaded summary: a feed
    event made from this summary may be kept under it."""
    workday = summary.workday
    return _stamp(
        workday.id,
        workday.revision,
        workday.updated_at,
        workday.project.updated_at,
        workday.garden.updated_at if workday.garden else None,
        summary.seats_changed_at,
    )


def _stamp(
    workday_id, revision, updated, project_updated, garden_updated, seats_changed
) -> tuple:
    """Columns come back as aware UTC datetimes (UTCDateTime); an aggregate
    does not (SQLite gives text), so `seats_changed` is made one."""
    return (
        workday_id,
        revision,
        updated,
        project_updated,
        garden_updated,
        _as_utc(seats_changed),
    )
