"""Celebrating together: thanks after a workday, milestones a member chose to
share with their project, and the season's totals (counts, never people)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from gardenhub import audit
from gardenhub.community.models import SharedMilestone, Thanks
from gardenhub.community.queries import season_start
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.hours.models import EntryStatus, HoursEntry
from gardenhub.i18n import _, format_number, ngettext
from gardenhub.notifications import services as notifications
from gardenhub.projects import membership
from gardenhub.projects.models import Membership, MemberStatus, Project
from gardenhub.timezones import local_today
from gardenhub.workdays.models import Shift, Signup, SignupStatus, Workday

MAX_THANKS = 300
SMALL = 5  # counts below this are shown as "fewer than 5"
HOUR_MILESTONES = (10, 25, 50, 100, 250, 500)
WORKDAY_MILESTONES = (5, 10, 25, 50, 100)


class CelebrationError(GardenHubError):
    pass


# Thanks ------------------------------------------------------------------


def attendees(workday: Workday) -> list:
    """Who came: people checked in (or, where the project does not use
    check-in, held a confirmed seat); guests have no page, so not them."""
    rows = db.session.scalars(
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .options(joinedload(Signup.volunteer))
        .where(Shift.workday_id == workday.id, Signup.status == SignupStatus.confirmed)
    ).all()
    came = [s for s in rows if s.checked_in_at is not None] or rows
    return list(
        {s.volunteer_id: s.volunteer for s in came if not s.volunteer.is_guest}.values()
    )


def may_thank(workday: Workday, person) -> bool:
    project = workday.project
    if project.can_manage(person):
        return True
    if not project.members_can_thank or not membership.belongs(project, person):
        return False
    return person.id in {p.id for p in attendees(workday)}


def thank(workday: Workday, *, author, text: str, now: datetime) -> Thanks:
    """A short thank-you to everyone who came. Raises CelebrationError before
    the workday has happened, for a cancelled one, or for an empty or long text."""
    text = (text or "").strip()
    if not text:
        raise CelebrationError(_("Write a few words of thanks."), field="text")
    if len(text) > MAX_THANKS:
        raise CelebrationError(
            _("Keep it to %(max)s characters.", max=MAX_THANKS), field="text"
        )
    if workday.is_cancelled:
        raise CelebrationError(_("This workday was cancelled."))
    if workday.starts_at > now:
        raise CelebrationError(_("Thanks can be left once the workday has happened."))
    if not may_thank(workday, author):
        raise CelebrationError(_("Only coordinators can thank the people who came."))
    thanks = Thanks(workday=workday, author=author, text=text, created_at=now)
    db.session.add(thanks)
    db.session.flush()
    for person in attendees(workday):
        if person.id != author.id:
            notifications.queue(person, "thanks_received", thanks=thanks, now=now)
    audit.record(author, "workday.thanks", workday)
    return thanks


def thanks_for(person, *, limit: int = 10) -> list[Thanks]:
    """Thanks on workdays `person` came to, newest first (for My page)."""
    came = (
        select(Shift.workday_id)
        .join(Signup, Signup.shift_id == Shift.id)
        .where(
            Signup.volunteer_id == person.id,
            Signup.status == SignupStatus.confirmed,
        )
    )
    found = list(
        db.session.scalars(
            select(Thanks)
            .options(
                joinedload(Thanks.author),
                joinedload(Thanks.workday).joinedload(Workday.garden),
                joinedload(Thanks.workday)
                .joinedload(Workday.project)
                .selectinload(Project.coordinators),
            )
            .where(Thanks.workday_id.in_(came), Thanks.author_id != person.id)
            .order_by(Thanks.created_at.desc())
            .limit(limit)
        )
    )
    Project.load_member_ids({t.workday.project for t in found})
    return found


def thanks_on(workday: Workday) -> list[Thanks]:
    return list(
        db.session.scalars(
            select(Thanks)
            .options(joinedload(Thanks.author))
            .where(Thanks.workday_id == workday.id)
            .order_by(Thanks.created_at)
        )
    )


# Milestones --------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    key: str  # "hours-25", "workdays-10", "year-1": what is stored when shared
    label: str


def milestones_in(project: Project, person, today: date) -> list[Milestone]:
    """The milestones `person` has reached in `project`, from check-ins,
    approved hours and the day they joined."""
    hours, workdays = _attendance(person, [project.id]).get(project.id, (0, 0))
    joined = membership.membership_of(project, person)
    return _reached(hours, workdays, joined and joined.joined_at, today)


def my_milestones(
    person, memberships: list[Membership], now: datetime
) -> list[tuple[Project, list[Milestone], set[str]]]:
    """For My page: per project, the milestones reached and the keys shared;
    three queries for any number of projects."""
    attendance = _attendance(person, [m.project_id for m in memberships])
    shared: dict[int, set[str]] = {m.project_id: set() for m in memberships}
    if memberships:
        for project_id, key in db.session.execute(
            select(SharedMilestone.project_id, SharedMilestone.milestone).where(
                SharedMilestone.user_id == person.id,
                SharedMilestone.project_id.in_(shared),
            )
        ):
            shared[project_id].add(key)
    return [
        (
            m.project,
            _reached(
                *attendance.get(m.project_id, (0, 0)),
                m.joined_at,
                local_today(m.project.timezone, now),
            ),
            shared[m.project_id],
        )
        for m in memberships
    ]


def milestone_label(key: str) -> str:
    """What a milestone says to people: "25 hours", "a year since joining"
    (the key itself for one this version does not know)."""
    kind, _sep, count = key.partition("-")
    if not count.isdigit():
        return key
    n = int(count)
    if kind == "workdays":
        return ngettext("%(num)d workday", "%(num)d workdays", n)
    if kind == "hours":
        return ngettext("%(num)d hour", "%(num)d hours", n)
    if kind == "year":
        return ngettext("a year since joining", "%(num)d years since joining", n)
    return key


def _reached(
    hours, workdays: int, joined_at: datetime | None, today: date
) -> list[Milestone]:
    keys = [f"workdays-{n}" for n in WORKDAY_MILESTONES][
        : sum(workdays >= n for n in WORKDAY_MILESTONES)
    ]
    keys += [f"hours-{n}" for n in HOUR_MILESTONES][
        : sum(hours >= n for n in HOUR_MILESTONES)
    ]
    if joined_at is not None:
        since = joined_at.date()
        years = (
            today.year
            - since.year
            - ((today.month, today.day) < (since.month, since.day))
        )
        keys += [f"year-{n}" for n in range(1, years + 1)]
    return [Milestone(key, milestone_label(key)) for key in keys]


def _attendance(person, project_ids: list[int]) -> dict[int, tuple]:
    """(hours, workdays) of one person per project, all time; two queries."""
    totals: dict[int, list] = {p: [Decimal(0), 0] for p in project_ids}
    if not project_ids:
        return {}
    for project_id, hours, days in db.session.execute(
        select(
            Workday.project_id,
            func.coalesce(func.sum(Signup.hours), 0),
            func.count(func.distinct(Shift.workday_id)),
        )
        .join(Shift, Shift.id == Signup.shift_id)
        .join(Workday, Workday.id == Shift.workday_id)
        .where(
            Workday.project_id.in_(project_ids),
            Signup.volunteer_id == person.id,
            Signup.checked_in_at.is_not(None),
        )
        .group_by(Workday.project_id)
    ):
        totals[project_id][0] += Decimal(hours)
        totals[project_id][1] += days
    for project_id, hours in db.session.execute(
        select(HoursEntry.project_id, func.sum(HoursEntry.hours))
        .where(
            HoursEntry.project_id.in_(project_ids),
            HoursEntry.volunteer_id == person.id,
            HoursEntry.status == EntryStatus.approved,
        )
        .group_by(HoursEntry.project_id)
    ):
        totals[project_id][0] += Decimal(hours or 0)
    return {p: tuple(v) for p, v in totals.items()}


def share(project: Project, person, key: str, *, share: bool, now: datetime) -> None:
    """Share one reached milestone with the project's members, or take it back."""
    reached = {
        m.key
        for m in milestones_in(project, person, local_today(project.timezone, now))
    }
    if share and key not in reached:
        raise CelebrationError(_("That milestone is not reached yet."))
    found = db.session.scalars(
        select(SharedMilestone).where(
            SharedMilestone.project_id == project.id,
            SharedMilestone.user_id == person.id,
            SharedMilestone.milestone == key,
        )
    ).first()
    if not share:
        if found is not None:
            db.session.delete(found)
        return
    if found is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                SharedMilestone(
                    project_id=project.id,
                    user_id=person.id,
                    milestone=key,
                    shared_at=now,
                )
            )
    except IntegrityError:  # shared a moment ago in another tab
        pass


def shared_in(project: Project) -> list[tuple[SharedMilestone, str]]:
    """Milestones members shared, newest first, each with its label; only
    while the person still belongs."""
    rows = db.session.scalars(
        select(SharedMilestone)
        .join(
            Membership,
            (Membership.user_id == SharedMilestone.user_id)
            & (Membership.project_id == SharedMilestone.project_id),
        )
        .options(joinedload(SharedMilestone.user))
        .where(
            SharedMilestone.project_id == project.id,
            Membership.status.in_((MemberStatus.member, MemberStatus.paused)),
        )
        .order_by(SharedMilestone.shared_at.desc())
        .limit(100)
    ).all()
    return [(row, milestone_label(row.milestone)) for row in rows]


# Season totals -----------------------------------------------------------


@dataclass(frozen=True)
class SeasonTotals:
    since: date
    workdays: int
    hours: Decimal
    people: int

    @property
    def people_shown(self) -> str:
        if self.people < SMALL:
            return _("fewer than %(num)s", num=SMALL)
        return format_number(self.people)

    @property
    def hours_shown(self) -> str | None:
        """Hours only once enough people came that they say nothing about one."""
        return None if self.people < SMALL else format_number(self.hours)


def season_totals(project: Project, now: datetime) -> SeasonTotals:
    """Workdays held, hours and how many people this season: three counts."""
    today = local_today(project.timezone, now)
    since = season_start(project, today)
    start = datetime.combine(since, time.min, UTC)
    held = db.session.scalar(
        select(func.count(Workday.id)).where(
            Workday.project_id == project.id,
            Workday.status != "cancelled",
            Workday.starts_at >= start,
            Workday.starts_at <= now,
        )
    )
    hours, people = db.session.execute(
        select(
            func.coalesce(func.sum(Signup.hours), 0),
            func.count(func.distinct(Signup.volunteer_id)),
        )
        .join(Shift, Shift.id == Signup.shift_id)
        .join(Workday, Workday.id == Shift.workday_id)
        .where(
            Workday.project_id == project.id,
            Signup.checked_in_at.is_not(None),
            Shift.starts_at >= start,
        )
    ).one()
    logged = db.session.scalar(
        select(func.coalesce(func.sum(HoursEntry.hours), 0)).where(
            HoursEntry.project_id == project.id,
            HoursEntry.status == EntryStatus.approved,
            HoursEntry.worked_on >= since,
        )
    )
    return SeasonTotals(
        since=since,
        workdays=held or 0,
        hours=Decimal(hours or 0) + Decimal(logged or 0),
        people=people or 0,
    )


def forget(person) -> None:
    """Account deletion: shared milestones go; thanks they wrote stay without
    their name (the author becomes the anonymous record)."""
    for row in db.session.scalars(
        select(SharedMilestone).where(SharedMilestone.user_id == person.id)
    ):
        db.session.delete(row)
