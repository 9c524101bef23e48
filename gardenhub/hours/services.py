"""Check-in, credited hours, logged hours and their approval, hours letters."""

import secrets
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from gardenhub import audit
from gardenhub.accounts import services as accounts
from gardenhub.db import lock
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.hours import queries
from gardenhub.hours.models import EntryStatus, HoursEntry, HoursLetter
from gardenhub.i18n import _, format_datetime
from gardenhub.projects import membership
from gardenhub.projects.models import Project
from gardenhub.timezones import local_today, to_local
from gardenhub.workdays import signups
from gardenhub.workdays.models import Shift, Signup, SignupStatus, WorkdayStatus

MAX_DAY = Decimal(24)


class HoursError(GardenHubError):
    pass


class CheckInClosed(HoursError):
    pass


def check_in_window(shift: Shift) -> tuple[datetime, datetime]:
    """When check-in (and walk-ins) for `shift` open and close: a while before
    the shift starts until a while after its workday ends (settings
    CHECK_IN_OPENS_HOURS, CHECK_IN_CLOSES_HOURS). Hours can be corrected later."""
    config = current_app.config
    return (
        shift.starts_at - timedelta(hours=config["CHECK_IN_OPENS_HOURS"]),
        shift.workday.ends_at + timedelta(hours=config["CHECK_IN_CLOSES_HOURS"]),
    )


def _check_window(shift: Shift, now: datetime) -> None:
    opens, closes = check_in_window(shift)
    zone = shift.workday.timezone
    if now < opens:
        raise CheckInClosed(
            _(
                "Check-in for “%(shift)s” opens %(when)s.",
                shift=shift.name,
                when=format_datetime(opens, zone),
            )
        )
    if now > closes:
        raise CheckInClosed(
            _(
                "Check-in for this workday closed %(when)s. Hours of people who "
                "were checked in can still be corrected.",
                when=format_datetime(closes, zone),
            )
        )


def check_in(signup: Signup, *, actor, now: datetime) -> None:
    """Mark someone on the roster as here (inside the check-in window); credits
    the shift's length."""
    _check_window(signup.shift, now)
    if signup.status != SignupStatus.confirmed:
        raise HoursError(
            _(
                "Only people with a confirmed seat can be checked in; add "
                "them as a walk-in instead."
            )
        )
    if signup.shift.workday.status == WorkdayStatus.cancelled:
        raise HoursError(_("This workday is cancelled."))
    if signup.checked_in_at is None:
        signup.checked_in_at = now
        signup.checked_in_by_id = actor.id
        signup.hours = signup.shift_hours
        audit.record(actor, "signup.check_in", signup)


def undo_check_in(signup: Signup, *, actor) -> None:
    if signup.checked_in_at is not None:
        signup.checked_in_at = None
        signup.checked_in_by_id = None
        signup.hours = None
        audit.record(actor, "signup.check_in.undo", signup)


def set_hours(signup: Signup, hours: Decimal, *, actor) -> None:
    """Correct the hours credited for a check-in (also after the check-in
    window); at most 24 on the person's day, counted under their lock."""
    if signup.checked_in_at is None:
        raise HoursError(_("Check the person in first."))
    if not Decimal(0) < hours <= MAX_DAY:
        raise HoursError(_("Hours must be more than 0 and at most 24."), field="hours")
    lock(signup.volunteer)
    day = to_local(signup.shift.starts_at, signup.shift.workday.timezone).date()
    _check_day_total(signup.volunteer, day, hours - (signup.hours or 0))
    signup.hours = hours
    audit.record(actor, "signup.hours", signup, str(hours))


def walk_in(
    shift: Shift,
    *,
    actor,
    now: datetime,
    email: str | None = None,
    name: str | None = None,
    phone: str | None = None,
    texts_agreed: bool = False,
) -> Signup:
    """Someone who turned up, named by the email of their account (or of a guest
    added before) or by a new guest's name (with a phone, and whether they
    agreed to texts): a seat (the sign-up rules' walk-in) and checked in at
    once, inside the check-in window."""
    _check_window(shift, now)
    person = accounts.find_or_add_person(
        actor=actor,
        email=email,
        name=name,
        phone=phone,
        texts_agreed=texts_agreed,
        zone=shift.workday.timezone,
        now=now,
    )
    signup = signups.walk_in(shift, person, actor=actor, now=now)
    check_in(signup, actor=actor, now=now)
    return signup


def _check_day_total(person, day: date, adding: Decimal) -> None:
    """Nobody works more than 24 hours on one day. The caller holds
    `lock(person)`, so concurrent entries for one person count one by one."""
    if _hours_on(person, day) + adding > MAX_DAY:
        raise HoursError(_("That makes more than 24 hours on one day."), field="hours")


def _hours_on(person, day: date) -> Decimal:
    """Hours already counted or pending for `person` on `day` (any project)."""
    logged = db.session.scalar(
        select(func.coalesce(func.sum(HoursEntry.hours), 0)).where(
            HoursEntry.volunteer_id == person.id,
            HoursEntry.worked_on == day,
            HoursEntry.status != EntryStatus.declined,
        )
    )
    around = datetime.combine(day, datetime.min.time(), UTC)
    shifts = db.session.scalars(
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .where(
            Signup.volunteer_id == person.id,
            Signup.checked_in_at.is_not(None),
            Shift.starts_at >= around - timedelta(days=1),
            Shift.starts_at < around + timedelta(days=2),
        )
    )
    credited = sum(
        (
            s.hours or 0
            for s in shifts
            if to_local(s.shift.starts_at, s.shift.workday.timezone).date() == day
        ),
        Decimal(0),
    )
    return Decimal(logged) + credited


def log_hours(
    person,
    project,
    *,
    worked_on: date,
    hours: Decimal,
    description: str,
    now: datetime,
) -> HoursEntry:
    """Work outside a shift, for a coordinator of `project` to approve. Raises
    HoursError for someone who does not belong to the project, a date after
    the project's today or more than 24 hours on the day."""
    if not membership.belongs(project, person):
        raise HoursError(
            _("Log hours for a project you belong to."), field="project_id"
        )
    zone = project.garden.timezone if project.garden else project.timezone
    if worked_on > local_today(zone, now):
        raise HoursError(_("The date is in the future."), field="worked_on")
    if not Decimal(0) < hours <= MAX_DAY:
        raise HoursError(_("Hours must be more than 0 and at most 24."), field="hours")
    lock(person)
    _check_day_total(person, worked_on, hours)
    entry = HoursEntry(
        volunteer_id=person.id,
        project=project,
        worked_on=worked_on,
        hours=hours,
        description=description,
        created_at=now,
    )
    db.session.add(entry)
    return entry


def decide(entry: HoursEntry, *, approve: bool, actor, now: datetime) -> None:
    """A coordinator of the project approves or declines; never their own."""
    if entry.volunteer_id == actor.id:
        raise HoursError(
            _(
                "You cannot approve your own hours; another coordinator of the "
                "project can."
            )
        )
    if entry.status != EntryStatus.pending:
        raise HoursError(
            _("This entry is already approved.")
            if entry.status == EntryStatus.approved
            else _("This entry is already declined.")
        )
    entry.status = EntryStatus.approved if approve else EntryStatus.declined
    entry.decided_by_id = actor.id
    entry.decided_at = now
    audit.record(actor, f"hours.{entry.status}", entry)


def new_code() -> str:
    """Ten characters from an alphabet without look-alikes (50 random bits)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _i in range(10))


def issue_letter(
    person,
    *,
    starts_on: date,
    ends_on: date,
    names_projects: bool,
    now: datetime,
    project: Project | None = None,
) -> HoursLetter:
    """A letter of the hours that count in the period, with a code anyone can
    verify; with or without the projects' names. From one project's
    organisation, it counts that project's hours and carries the
    organisation's name, address and contact, and the name of the coordinator
    who agreed to vouch for them."""
    if ends_on < starts_on:
        raise HoursError(_("The period must end after it starts."), field="ends_on")
    if project is not None and not project.org_name:
        raise HoursError(
            _("This project has not set up hours letters yet."), field="project_id"
        )
    totals = queries.counted_hours(person, start=starts_on, end=ends_on)
    if project is not None:
        totals = queries.Totals([i for i in totals.items if i.project.id == project.id])
    names = [
        p.name_for(membership.belongs(p, person)) for p, _hours in totals.by_project()
    ]
    letter = HoursLetter(
        code=new_code(),
        volunteer_id=person.id,
        starts_on=starts_on,
        ends_on=ends_on,
        total_hours=totals.total,
        names_projects=names_projects,
        project_names=", ".join(names)[:500] if names_projects else None,
        created_at=now,
    )
    if project is not None:
        letter.project_id = project.id
        letter.org_name = project.org_name
        letter.org_address = project.org_address
        letter.org_contact = project.org_contact
        letter.vouched_by = project.vouched_by and project.vouched_by.display_name
    db.session.add(letter)
    return letter
