"""Planning: workdays (one-off and recurring), their shifts, edits and cancellation.

Sign-ups, the waitlist and capacity live in `signups.py`.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from gardenhub import audit
from gardenhub.config import base_url
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.i18n import _, _l, format_number, ngettext
from gardenhub.notifications import services as notifications
from gardenhub.projects import membership
from gardenhub.projects import services as project_services
from gardenhub.projects.models import Project
from gardenhub.timezones import LocalTimeError, local_today, to_local, to_utc
from gardenhub.workdays import signups
from gardenhub.workdays.calendar import shift_ics
from gardenhub.workdays.models import (
    ACTIVE_STATUSES,
    DEFAULT_PUBLIC_TITLE,
    SEAT_STATUSES,
    SeriesShift,
    Shift,
    Signup,
    Workday,
    WorkdaySeries,
    WorkdayStatus,
    format_clock,
)
from gardenhub.workdays.recurrence import (
    TooManyOccurrences,
    WeeklyRule,
    occurrence_dates,
)


class WorkdayError(GardenHubError):
    pass


@dataclass
class ShiftData:
    name: str
    start: time
    end: time
    capacity: int
    description: str | None = None
    skill: str | None = None


@dataclass
class WorkdayData:
    """What a coordinator enters; times are local to the garden (or project)."""

    title: str
    day: date
    start: time
    end: time
    garden: Garden | None = None
    location: str | None = None
    public_title: str = DEFAULT_PUBLIC_TITLE
    description: str | None = None
    is_newcomer_friendly: bool = False
    visibility: str = "public"  # or "members": see projects.models.Visibility
    shifts: list[ShiftData] = field(default_factory=list)


class Scope:
    """Which occurrences of a series an edit applies to, as in calendar apps."""

    this = "this"
    following = "following"
    all = "all"


def zone_for(project: Project, garden: Garden | None) -> str:
    return garden.timezone if garden else project.timezone


# Workdays are planned from last year to five years ahead: year 1 or 9999 would
# save and then break every feed and sign-up of that workday.
PLANNING_YEARS_BACK, PLANNING_YEARS_AHEAD = 1, 5


def planning_window() -> tuple[int, int]:
    year = datetime.now(UTC).year
    return year - PLANNING_YEARS_BACK, year + PLANNING_YEARS_AHEAD


def _check_day(day: date, *, field_name: str = "day") -> None:
    first, last = planning_window()
    if not first <= day.year <= last:
        raise WorkdayError(
            _("Plan workdays between %(first)s and %(last)s.", first=first, last=last),
            field=field_name,
        )


def _utc(day: date, clock: time, zone: str, field_name: str) -> datetime:
    """`to_utc`, with a time that a clock change skips or repeats refused on the
    form field it came from."""
    try:
        return to_utc(day, clock, zone)
    except LocalTimeError as error:
        raise WorkdayError(error.message, field=field_name) from None


def _check_future(starts_at: datetime, now: datetime, *, field_name: str) -> None:
    if starts_at <= now:
        raise WorkdayError(
            _("That date and time have already passed. Plan workdays from now on."),
            field=field_name,
        )


def _check_times(start: time, end: time, *, field_name: str = "end") -> None:
    if end <= start:
        raise WorkdayError(_("The end must be after the start."), field=field_name)


def _check_capacity(capacity: int) -> None:
    maximum = current_app.config["MAX_SHIFT_CAPACITY"]
    if not 1 <= capacity <= maximum:
        raise WorkdayError(
            _(
                "Capacity must be between 1 and %(maximum)s.",
                maximum=format_number(maximum),
            ),
            field="capacity",
        )


def _check_shift_inside(
    name: str,
    start: datetime,
    end: datetime,
    workday_start: datetime,
    workday_end: datetime,
) -> None:
    if end <= start:
        raise WorkdayError(
            _("Shift “%(name)s”: the end must be after the start.", name=name),
            field="shifts",
        )
    if start < workday_start or end > workday_end:
        raise WorkdayError(
            _("Shift “%(name)s” must fit inside the workday's hours.", name=name),
            field="shifts",
        )


def _check_workday(data: WorkdayData, *, day_field: str = "day") -> None:
    _check_day(data.day, field_name=day_field)
    _check_times(data.start, data.end)
    if not data.garden and not data.location:
        raise WorkdayError(
            _("Choose a garden or describe where it happens."), field="location"
        )
    if not data.shifts:
        raise WorkdayError(
            _("Add at least one shift so people can sign up."), field="shifts"
        )
    for shift in data.shifts:
        _check_capacity(shift.capacity)
        if not (data.start <= shift.start < shift.end <= data.end):
            raise WorkdayError(
                _(
                    "Shift “%(name)s” must start and end within %(start)s–%(end)s.",
                    name=shift.name,
                    start=format_clock(data.start),
                    end=format_clock(data.end),
                ),
                field="shifts",
            )


def _new_workday(project: Project, data: WorkdayData, day: date) -> Workday:
    """The workday on `day` with its shifts, not yet added to the session."""
    zone = zone_for(project, data.garden)
    workday = Workday(
        project=project,
        garden=data.garden,
        title=data.title,
        public_title=data.public_title or DEFAULT_PUBLIC_TITLE,
        description=data.description,
        location=data.location,
        starts_at=_utc(day, data.start, zone, "start"),
        ends_at=_utc(day, data.end, zone, "end"),
        is_newcomer_friendly=data.is_newcomer_friendly,
        visibility=data.visibility,
    )
    for shift in data.shifts:
        workday.shifts.append(
            Shift(
                name=shift.name,
                capacity=shift.capacity,
                description=shift.description,
                skill=shift.skill,
                starts_at=_utc(day, shift.start, zone, "shifts"),
                ends_at=_utc(day, shift.end, zone, "shifts"),
            )
        )
    return workday


def create_workday(
    project: Project, data: WorkdayData, *, actor, now: datetime
) -> Workday:
    """A one-off workday with its shifts, from now on. Raises WorkdayError with
    a form field (dates outside the planning window, past times, clock times
    that a daylight-saving change skips or repeats)."""
    _check_workday(data)
    workday = _new_workday(project, data, data.day)
    _check_future(workday.starts_at, now, field_name="day")
    db.session.add(workday)
    audit.record(actor, "workday.create", workday)
    return workday


def create_series(
    project: Project, data: WorkdayData, rule: WeeklyRule, *, actor, now: datetime
) -> WorkdaySeries:
    """A weekly series and all its workdays, each with the template's shifts.

    Raises WorkdayError: no end, no weekday, more occurrences than allowed, a
    date outside the planning window or in the past, or an occurrence whose
    clock time a daylight-saving change skips or repeats (named by its date).
    """
    _check_workday(data, day_field="starts_on")
    if rule.ends_on is not None:
        _check_day(rule.ends_on, field_name="ends_on")
    if not rule.weekdays:
        raise WorkdayError(_("Pick at least one weekday."), field="weekdays")
    if rule.ends_on is None and rule.count is None:
        raise WorkdayError(
            _("Give an end date or a number of workdays."), field="ends_on"
        )
    if rule.ends_on is not None and rule.ends_on < rule.starts_on:
        raise WorkdayError(_("The series must end after it starts."), field="ends_on")
    limit = current_app.config["MAX_SERIES_OCCURRENCES"]
    try:
        dates = occurrence_dates(rule, limit=limit)
    except TooManyOccurrences:
        raise WorkdayError(
            ngettext(
                "A series can have at most %(num)d workday; choose an earlier end.",
                "A series can have at most %(num)d workdays; choose an earlier end.",
                limit,
            ),
            field="ends_on",
        ) from None
    if not dates:
        raise WorkdayError(_("No workday falls within those dates."), field="ends_on")
    _check_day(dates[-1], field_name="ends_on" if rule.ends_on else "count")
    workdays = [_new_workday(project, data, day) for day in dates]
    _check_future(workdays[0].starts_at, now, field_name="starts_on")
    series = WorkdaySeries(
        project=project,
        weekdays=",".join(str(d) for d in rule.weekdays),
        interval_weeks=rule.interval_weeks,
        starts_on=rule.starts_on,
        ends_on=rule.ends_on,
        count=rule.count,
        start_time=data.start,
        end_time=data.end,
        timezone=zone_for(project, data.garden),
        visibility=data.visibility,
    )
    series.shift_templates = [
        SeriesShift(
            name=s.name,
            start_time=s.start,
            end_time=s.end,
            capacity=s.capacity,
            description=s.description,
            skill=s.skill,
        )
        for s in data.shifts
    ]
    db.session.add(series)
    for workday in workdays:
        workday.series = series
        db.session.add(workday)
    audit.record(actor, "series.create", series, f"{len(dates)} workdays")
    return series


def occurrences_in_scope(workday: Workday, scope: str, now: datetime) -> list[Workday]:
    """The workdays an edit with `scope` touches; started ones are history."""
    if scope == Scope.this or workday.series_id is None:
        return [workday]
    query = (
        select(Workday)
        .where(Workday.series_id == workday.series_id, Workday.starts_at > now)
        .order_by(Workday.starts_at)
    )
    if scope == Scope.following:
        query = query.where(Workday.starts_at >= workday.starts_at)
    found = list(db.session.scalars(query))
    return found if workday in found else [workday, *found]


def update_workday(
    workday: Workday, data: WorkdayData, *, scope: str, actor, now: datetime
) -> list[Workday]:
    """Apply an edit to one occurrence, this and following, or the whole series.

    For one occurrence the date may change; for several, each keeps its own date
    and takes the new local times. Shifts move with the workday's start. Raises
    WorkdayError when a shift would no longer fit, naming the shift.
    """
    _check_times(data.start, data.end)
    if not data.garden and not data.location:
        raise WorkdayError(
            _("Choose a garden or describe where it happens."), field="location"
        )
    if workday.is_cancelled:
        raise WorkdayError(_("This workday is cancelled; it can no longer be edited."))
    targets = occurrences_in_scope(workday, scope, now)
    plan = []
    for target in targets:  # check every occurrence before changing any
        zone = zone_for(target.project, data.garden)
        day = (
            data.day
            if target is workday and scope == Scope.this
            else to_local(target.starts_at, target.timezone).date()
        )
        if target is workday and scope == Scope.this:
            _check_day(day)
        starts_at = _utc(day, data.start, zone, "start")
        ends_at = _utc(day, data.end, zone, "end")
        if starts_at != target.starts_at:
            _check_future(starts_at, now, field_name="day")
        delta = starts_at - target.starts_at
        for shift in target.shifts:
            _check_shift_inside(
                shift.name,
                shift.starts_at + delta,
                shift.ends_at + delta,
                starts_at,
                ends_at,
            )
        plan.append((target, starts_at, ends_at, delta))
    for target, starts_at, ends_at, delta in plan:
        moved = (starts_at, ends_at, data.garden, data.location) != (
            target.starts_at,
            target.ends_at,
            target.garden,
            target.location,
        )
        for shift in target.shifts:
            shift.starts_at += delta
            shift.ends_at += delta
        target.title, target.public_title = data.title, data.public_title
        target.description, target.location = data.description, data.location
        target.garden, target.is_newcomer_friendly = (
            data.garden,
            data.is_newcomer_friendly,
        )
        # Seats already held by people who are not members are kept when a
        # workday becomes members-only; they still see their own sign-up.
        target.visibility = data.visibility
        target.starts_at, target.ends_at = starts_at, ends_at
        target.touch(now)
        if moved:
            _tell_everyone(target, "workday_changed", now)
    if workday.series is not None and scope != Scope.this:
        _update_series_rule(workday, data, scope, targets)
    audit.record(actor, f"workday.update.{scope}", workday, f"{len(targets)} workdays")
    return targets


def _update_series_rule(
    workday: Workday, data: WorkdayData, scope: str, targets: list[Workday]
) -> None:
    """Keep the series' description true; "this and following" splits it in two."""
    series = workday.series
    first_day = to_local(workday.starts_at, workday.timezone).date()
    earlier = db.session.scalar(
        select(Workday.id)
        .where(Workday.series_id == series.id, Workday.starts_at < workday.starts_at)
        .limit(1)
    )
    if scope == Scope.following and earlier is not None:
        last = to_local(max(t.starts_at for t in targets), workday.timezone).date()
        new_series = WorkdaySeries(
            project=series.project,
            weekdays=series.weekdays,
            interval_weeks=series.interval_weeks,
            starts_on=first_day,
            ends_on=series.ends_on or last,
            count=None,
            timezone=series.timezone,
            start_time=data.start,
            end_time=data.end,
            visibility=data.visibility,
        )
        new_series.shift_templates = [
            SeriesShift(
                **{
                    c: getattr(t, c)
                    for c in (
                        "name",
                        "start_time",
                        "end_time",
                        "capacity",
                        "description",
                        "skill",
                    )
                }
            )
            for t in series.shift_templates
        ]
        db.session.add(new_series)
        series.ends_on, series.count = first_day - timedelta(days=1), None
        for target in targets:
            target.series = new_series
    else:
        series.start_time, series.end_time = data.start, data.end
        series.visibility = data.visibility


def cancel_workday(
    workday: Workday, *, actor, reason: str | None, now: datetime
) -> None:
    """Cancelled, never deleted: sign-ups stay (for history and for telling people),
    sign-ups close, and feeds publish it as cancelled with a higher revision."""
    if workday.is_cancelled:
        raise WorkdayError(_("This workday is already cancelled."))
    workday.status = WorkdayStatus.cancelled
    workday.cancelled_at = now
    # A lazy reason (ENDED) is stored in the actor's language and told to each
    # person in theirs.
    workday.cancel_reason = str(reason) if reason is not None else None
    workday.touch(now)
    audit.record(actor, "workday.cancel", workday, workday.cancel_reason)
    _tell_everyone(workday, "workday_cancelled", now, reason=reason)


ENDED = _l("This project has ended.")


def set_project_archived(
    project: Project, archived: bool, *, actor, now: datetime
) -> int:
    """Archive (or bring back) a project. Archiving cancels its workdays
    still to come, telling everyone signed up, and feeds keep publishing
    them as cancelled. Returns how many were cancelled."""
    project_services.set_archived(project, archived, actor=actor)
    if not archived:
        return 0
    upcoming = db.session.scalars(
        select(Workday).where(
            Workday.project_id == project.id,
            Workday.starts_at > now,
            Workday.status != WorkdayStatus.cancelled,
        )
    ).all()
    for workday in upcoming:
        cancel_workday(workday, actor=actor, reason=ENDED, now=now)
    return len(upcoming)


def _tell_everyone(
    workday: Workday, kind: str, now: datetime, *, shift: Shift | None = None, **context
) -> None:
    """Each person with an active sign-up (on the workday, or on one shift)
    gets their own message and calendar file."""
    db.session.flush()
    on = Shift.id == shift.id if shift is not None else Shift.workday_id == workday.id
    for signup in db.session.scalars(
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .where(on, Signup.status.in_(ACTIVE_STATUSES))
    ):
        ics = shift_ics(signup, signup.volunteer, base_url())
        notifications.queue(
            signup.volunteer,
            kind,
            signup=signup,
            now=now,
            attachment=(f"shift-{signup.shift_id}.ics", ics),
            **context,
        )


def add_shift(workday: Workday, data: ShiftData, *, actor, now: datetime) -> Shift:
    _check_capacity(data.capacity)
    zone = workday.timezone
    day = to_local(workday.starts_at, zone).date()
    shift = Shift(
        name=data.name,
        capacity=data.capacity,
        description=data.description,
        skill=data.skill,
        starts_at=_utc(day, data.start, zone, "start"),
        ends_at=_utc(day, data.end, zone, "end"),
    )
    _check_shift_inside(
        data.name, shift.starts_at, shift.ends_at, workday.starts_at, workday.ends_at
    )
    shift.workday = workday
    db.session.add(shift)
    workday.touch(now)
    audit.record(actor, "shift.create", shift)
    return shift


def update_shift(shift: Shift, data: ShiftData, *, actor, now: datetime) -> None:
    """Capacity goes through `signups.set_capacity` (refused below the seats taken,
    rising promotes the waitlist)."""
    _check_capacity(data.capacity)
    workday = shift.workday
    zone = workday.timezone
    day = to_local(workday.starts_at, zone).date()
    starts_at = _utc(day, data.start, zone, "start")
    ends_at = _utc(day, data.end, zone, "end")
    _check_shift_inside(
        data.name, starts_at, ends_at, workday.starts_at, workday.ends_at
    )
    signups.set_capacity(shift, data.capacity, now=now)
    moved = (starts_at, ends_at) != (shift.starts_at, shift.ends_at)
    renamed = data.name != shift.name
    shift.name, shift.description, shift.skill = data.name, data.description, data.skill
    shift.starts_at, shift.ends_at = starts_at, ends_at
    workday.touch(now)
    audit.record(actor, "shift.update", shift)
    if moved or renamed:
        # Their calendars hold this shift from an email: update it there too.
        _tell_everyone(workday, "workday_changed", now, shift=shift)


def message_volunteers(
    workday: Workday,
    *,
    shift_id: int | None,
    subject: str,
    body: str,
    reply_to: str,
    actor,
    now: datetime,
) -> tuple[int, int]:
    """Queue one copy per person holding a seat (on one shift, or all).

    Returns (reached, unreachable): how many it goes to by email, and how many
    it cannot reach (a guest without an address, or someone who turned
    coordinators' messages off).
    """
    query = (
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .where(Shift.workday_id == workday.id, Signup.status.in_(SEAT_STATUSES))
    )
    if shift_id:
        query = query.where(Shift.id == shift_id)
    people = {
        signup.volunteer_id: signup.volunteer for signup in db.session.scalars(query)
    }
    # People who paused this project (or their account) hear nothing but
    # answers to their own actions; they are counted as not reached.
    pausing = membership.people_pausing(
        set(people), workday.project, local_today(workday.timezone, now)
    )
    reached = 0
    for person in people.values():
        if person.id in pausing:
            continue
        message = notifications.queue(
            person,
            "coordinator_message",
            workday=workday,
            message_subject=subject,
            message_body=body,
            reply_to=reply_to,
            now=now,
        )
        reached += message is not None and message.to_address is not None
    audit.record(actor, "workday.message", workday, f"{reached} recipients")
    return reached, len(people) - reached
