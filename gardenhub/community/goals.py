"""Personal goals and accountability partners.

A member sets a private goal in a project for a season ("2 workdays a month",
"20 hours by October"); its progress comes only from real check-ins and
approved hours in that project. One fellow member may be asked to be the
accountability partner: once they accept, they see the goal and its progress
(never shifts, times or places) and get a short note each time a quarter of it
is reached. Either side ends it whenever they like; nobody is told why.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask_babel.speaklater import LazyString
from sqlalchemy import Date, func, literal, select
from sqlalchemy.orm import joinedload

from gardenhub.accounts.models import User
from gardenhub.community.models import Goal, GoalKind, Partnership, PartnerStatus
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.hours.models import EntryStatus, HoursEntry
from gardenhub.i18n import _, format_day, format_number, ngettext
from gardenhub.notifications import services as notifications
from gardenhub.projects import membership
from gardenhub.projects.models import (
    BELONGING,
    Membership,
    MemberStatus,
    Project,
    project_coordinator,
)
from gardenhub.timezones import local_today
from gardenhub.workdays.models import Shift, Signup, Workday

MAX_ACTIVE_GOALS = 5
MAX_GOAL_DAYS = 366
LIMITS = {GoalKind.workdays_per_month: 31, GoalKind.hours: 2000}
STEPS = 4  # a partner hears at 25 %, 50 %, 75 % and 100 %


class GoalError(GardenHubError):
    pass


@dataclass(frozen=True)
class Progress:
    done: Decimal
    total: Decimal  # the whole goal (a monthly goal times its months)

    @property
    def percent(self) -> int:
        return min(100, int(self.done * 100 / self.total)) if self.total else 0

    @property
    def step(self) -> int:
        """How many quarters are reached (0–4)."""
        return min(STEPS, int(self.done * STEPS / self.total)) if self.total else 0

    @property
    def reached(self) -> bool:
        return self.done >= self.total


def months_in(starts_on: date, ends_on: date) -> int:
    return (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month + 1


def describe(goal: Goal) -> str:
    """The goal in words, in the language spoken now: "2 workdays a month"."""
    target = Decimal(goal.target)
    shown = format_number(target.normalize())
    # The plural form follows the number; a fraction (1.5) takes the plural one.
    count = int(target) if target == int(target) else 2
    if goal.kind == GoalKind.workdays_per_month:
        return ngettext(
            "%(target)s workday a month",
            "%(target)s workdays a month",
            count,
            target=shown,
        )
    return ngettext(
        "%(target)s hour by %(day)s",
        "%(target)s hours by %(day)s",
        count,
        target=shown,
        day=format_day(goal.ends_on, "long"),
    )


# Questions ---------------------------------------------------------------


def progress_of(goals: list[Goal]) -> dict[int, Progress]:
    """Progress of each goal from check-ins and approved hours in its project
    and period: two queries for any number of goals."""
    if not goals:
        return {}
    people = {g.user_id for g in goals}
    projects = {g.project_id for g in goals}
    first = min(g.starts_on for g in goals)
    since = datetime.combine(first, time.min, UTC) - timedelta(days=1)
    attended = [
        (
            signup.volunteer_id,
            signup.shift.workday.project_id,
            signup.shift.workday_id,
            local_today(signup.shift.workday.timezone, signup.shift.starts_at),
            signup.hours,
        )
        for signup in db.session.scalars(
            select(Signup)
            .join(Shift, Shift.id == Signup.shift_id)
            .join(Workday, Workday.id == Shift.workday_id)
            .options(
                joinedload(Signup.shift)
                .joinedload(Shift.workday)
                .options(joinedload(Workday.garden), joinedload(Workday.project))
            )
            .where(
                Signup.volunteer_id.in_(people),
                Workday.project_id.in_(projects),
                Signup.checked_in_at.is_not(None),
                Shift.starts_at >= since,
            )
        )
    ]
    entries = db.session.execute(
        select(
            HoursEntry.volunteer_id,
            HoursEntry.project_id,
            HoursEntry.worked_on,
            HoursEntry.hours,
        ).where(
            HoursEntry.volunteer_id.in_(people),
            HoursEntry.project_id.in_(projects),
            HoursEntry.status == EntryStatus.approved,
            HoursEntry.worked_on >= first,
        )
    ).all()
    found = {}
    for goal in goals:

        def inside(person, project, day, goal=goal) -> bool:
            return (
                person == goal.user_id
                and project == goal.project_id
                and goal.starts_on <= day <= goal.ends_on
            )

        shifts = [row for row in attended if inside(row[0], row[1], row[3])]
        if goal.kind == GoalKind.workdays_per_month:
            done = Decimal(len({row[2] for row in shifts}))
            total = goal.target * months_in(goal.starts_on, goal.ends_on)
        else:
            done = sum((row[4] or Decimal(0) for row in shifts), Decimal(0)) + sum(
                (e[3] for e in entries if inside(e[0], e[1], e[2])), Decimal(0)
            )
            total = goal.target
        found[goal.id] = Progress(done=done, total=Decimal(total))
    return found


def my_goals(person) -> list[Goal]:
    return list(
        db.session.scalars(
            select(Goal)
            .options(joinedload(Goal.project))
            .where(Goal.user_id == person.id, Goal.ended_at.is_(None))
            .order_by(Goal.ends_on)
        )
    )


def partnerships_of(goals: list[Goal]) -> dict[int, Partnership]:
    """The live (asked or accepted) partnership of each goal."""
    if not goals:
        return {}
    return {
        p.goal_id: p
        for p in db.session.scalars(
            select(Partnership)
            .options(joinedload(Partnership.partner))
            .where(
                Partnership.goal_id.in_([g.id for g in goals]),
                Partnership.status.in_((PartnerStatus.asked, PartnerStatus.accepted)),
            )
        )
    }


def partnering(person) -> list[Partnership]:
    """Goals `person` is (asked to be) the partner for: what they may see."""
    return list(
        db.session.scalars(
            select(Partnership)
            .join(Goal, Goal.id == Partnership.goal_id)
            .options(joinedload(Partnership.goal).joinedload(Goal.user))
            .where(
                Partnership.partner_id == person.id,
                Partnership.status.in_((PartnerStatus.asked, PartnerStatus.accepted)),
                Goal.ended_at.is_(None),
            )
            .order_by(Partnership.created_at)
        )
    )


def partner_choices(goal: Goal) -> list:
    """Fellow members of the goal's project who could be asked (not the owner,
    not paused, with an active account)."""
    return partner_choices_for([goal])[goal.id]


def partner_choices_for(goals: list[Goal]) -> dict[int, list]:
    """`partner_choices` of each goal, in one query for any number of goals."""
    choices: dict[int, list] = {g.id: [] for g in goals}
    if not goals:
        return choices
    projects = {g.project_id: g.project for g in goals}
    today = {pid: local_today(p.timezone) for pid, p in projects.items()}
    belonging = (
        select(
            Membership.project_id.label("project_id"),
            Membership.user_id.label("user_id"),
            Membership.status.label("status"),
            Membership.paused_until.label("paused_until"),
        )
        .where(Membership.project_id.in_(projects), Membership.status.in_(BELONGING))
        .union_all(
            select(
                project_coordinator.c.project_id,
                project_coordinator.c.user_id,
                literal(MemberStatus.member.value),
                literal(None, type_=Date),
            ).where(project_coordinator.c.project_id.in_(projects))
        )
        .subquery()
    )
    here = belonging.c
    rows = db.session.execute(
        select(here.project_id, here.status, here.paused_until, User)
        .join(User, User.id == here.user_id)
        .where(User.is_active)
        .order_by(User.display_name, User.id)
    ).all()
    people: dict[int, dict[int, User]] = {pid: {} for pid in projects}
    for project_id, status, paused_until, person in rows:
        day = today[project_id]
        pausing = (
            status == MemberStatus.paused
            and membership.pause_in_force(paused_until, day)
        ) or (
            person.paused_at is not None
            and membership.pause_in_force(person.paused_until, day)
        )
        if pausing:
            people[project_id][person.id] = None  # never a choice, even as coordinator
        else:
            people[project_id].setdefault(person.id, person)
    for goal in goals:
        choices[goal.id] = [
            person
            for person_id, person in people[goal.project_id].items()
            if person is not None and person_id != goal.user_id
        ]
    return choices


# Changes -----------------------------------------------------------------


def set_goal(
    person,
    project: Project,
    *,
    kind: str,
    target: Decimal,
    starts_on: date,
    ends_on: date | None,
    now: datetime,
) -> Goal:
    """A new private goal. Raises GoalError for a non-member, a goal with no
    end, an end before the start or too far off, or a target out of range."""
    if not membership.belongs(project, person):
        raise GoalError(_("Goals are for members of the project."))
    if kind not in LIMITS:
        raise GoalError(_("Pick what the goal counts."), field="kind")
    if target is None or not 0 < target <= LIMITS[kind]:
        raise GoalError(
            _("Pick a number from 1 to %(max)s.", max=LIMITS[kind]), field="target"
        )
    if ends_on is None:
        raise GoalError(_("A goal needs an end date."), field="ends_on")
    if ends_on <= starts_on:
        raise GoalError(_("The end must come after the start."), field="ends_on")
    if (ends_on - starts_on).days > MAX_GOAL_DAYS:
        raise GoalError(_("Keep a goal to a year at most."), field="ends_on")
    if ends_on < local_today(project.timezone, now):
        raise GoalError(_("That end date has passed."), field="ends_on")
    active = db.session.scalar(
        select(func.count(Goal.id)).where(
            Goal.user_id == person.id, Goal.ended_at.is_(None)
        )
    )
    if active >= MAX_ACTIVE_GOALS:
        raise GoalError(
            _("You can keep %(max)s goals at a time.", max=MAX_ACTIVE_GOALS)
        )
    goal = Goal(
        user=person,
        project=project,
        kind=kind,
        target=target,
        starts_on=starts_on,
        ends_on=ends_on,
        created_at=now,
    )
    db.session.add(goal)
    return goal


def end_goal(goal: Goal, *, person, now: datetime) -> None:
    if goal.user_id != person.id:
        raise GoalError(_("This is someone else's goal."))
    goal.ended_at = now
    live = partnerships_of([goal]).get(goal.id)
    if live is not None:
        live.status, live.ended_at = PartnerStatus.ended, now


def ask_partner(goal: Goal, partner, *, person, now: datetime) -> Partnership:
    """Ask one fellow member to be the partner for this goal."""
    if goal.user_id != person.id or goal.ended_at is not None:
        raise GoalError(_("This goal is not yours to share."))
    if partner is None:
        raise GoalError(_("Pick a fellow member."), field="partner")
    if partner.id == person.id:
        raise GoalError(_("Pick someone other than yourself."), field="partner")
    if partner.id not in {p.id for p in partner_choices(goal)}:
        raise GoalError(
            _("A partner has to be a fellow member of this project."), field="partner"
        )
    if partnerships_of([goal]).get(goal.id) is not None:
        raise GoalError(_("This goal already has a partner (or an open request)."))
    found = Partnership(goal=goal, partner=partner, created_at=now)
    db.session.add(found)
    db.session.flush()
    notifications.queue(partner, "partner_asked", partnership=found, now=now)
    return found


def answer(found: Partnership, *, person, accept: bool, now: datetime) -> None:
    if found.partner_id != person.id:
        raise GoalError(_("This request is for someone else."))
    if found.status != PartnerStatus.asked:
        raise GoalError(_("This request has already been answered or withdrawn."))
    found.status = PartnerStatus.accepted if accept else PartnerStatus.declined
    found.answered_at = now
    found.last_step = progress_of([found.goal])[found.goal_id].step


def end_partnership(found: Partnership, *, person, now: datetime) -> None:
    """Either side ends it; nothing is sent to anyone."""
    if person.id not in (found.partner_id, found.goal.user_id):
        raise GoalError(_("This is not your partnership."))
    if found.status not in (PartnerStatus.asked, PartnerStatus.accepted):
        raise GoalError(_("This has already ended."))
    found.status, found.ended_at = PartnerStatus.ended, now


def tell_partners(*, now: datetime) -> int:
    """A short note to each partner whose member reached a new quarter of their
    goal (cron: `flask community goal-steps`, hourly or daily)."""
    live = db.session.scalars(
        select(Partnership)
        .join(Goal, Goal.id == Partnership.goal_id)
        .options(
            joinedload(Partnership.goal).joinedload(Goal.user),
            joinedload(Partnership.partner),
        )
        .where(Partnership.status == PartnerStatus.accepted, Goal.ended_at.is_(None))
    ).all()
    progress = progress_of([p.goal for p in live])
    told = 0
    for found in live:
        step = progress[found.goal_id].step
        if step > found.last_step:
            found.last_step = step
            notifications.queue(
                found.partner,
                "partner_step",
                partnership=found,
                # In the partner's language: put in words as the note is written.
                goal_text=LazyString(describe, found.goal),
                percent=progress[found.goal_id].percent,
                now=now,
            )
            told += 1
    return told


def forget(person, *, now: datetime) -> None:
    """Account deletion: their goals go, and every partnership they are in ends."""
    goals = db.session.scalars(select(Goal).where(Goal.user_id == person.id)).all()
    for found in db.session.scalars(
        select(Partnership).where(
            (Partnership.partner_id == person.id)
            | Partnership.goal_id.in_([g.id for g in goals])
        )
    ):
        db.session.delete(found)
    for goal in goals:
        db.session.delete(goal)
