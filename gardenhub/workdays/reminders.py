"""Shift reminders: exactly once per sign-up, never during quiet hours."""

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from gardenhub.extensions import db
from gardenhub.notifications import services as notifications
from gardenhub.projects import membership
from gardenhub.timezones import local_today, to_local
from gardenhub.workdays.models import (
    Shift,
    Signup,
    SignupStatus,
    Workday,
    WorkdayStatus,
)


def in_quiet_hours(clock: time, start: time, end: time) -> bool:
    """Quiet hours may wrap midnight (21:00–08:00)."""
    if start == end:
        return False
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def send_due(*, now: datetime) -> int:
    """Queue reminders for confirmed sign-ups whose shift starts within the
    reminder window. A reminder that falls in the person's quiet hours (in the
    garden's time zone) waits for a later run, if that is still before the shift.
    Safe to run as often as you like, late, or twice at once: each sign-up is
    claimed with a compare-and-set on `reminded_at`. Returns how many were queued.
    """
    horizon = now + timedelta(hours=current_app.config["REMINDER_HOURS"])
    due = db.session.scalars(
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .join(Workday, Workday.id == Shift.workday_id)
        .options(
            joinedload(Signup.volunteer),
            joinedload(Signup.shift)
            .joinedload(Shift.workday)
            .joinedload(Workday.garden),
        )
        .where(
            Signup.status == SignupStatus.confirmed,
            Signup.reminded_at.is_(None),
            Workday.status == WorkdayStatus.scheduled,
            Shift.starts_at > now,
            Shift.starts_at <= horizon,
        )
    ).all()
    pausing = _people_pausing(due, now)
    queued = 0
    for signup in due:
        person = signup.volunteer
        if (signup.shift.workday.project_id, person.id) in pausing:
            continue
        local = to_local(now, signup.shift.workday.timezone).time()
        if in_quiet_hours(local, person.quiet_start, person.quiet_end):
            continue
        claimed = db.session.execute(
            update(Signup)
            .where(Signup.id == signup.id, Signup.reminded_at.is_(None))
            .values(reminded_at=now)
        ).rowcount
        if claimed:
            notifications.queue(person, "reminder", signup=signup, now=now)
            queued += 1
    return queued


def _people_pausing(due: list[Signup], now: datetime) -> set[tuple[int, int]]:
    """(project, person) pairs among `due` whose membership or account is
    paused: one query pair per project in this run, not per sign-up."""
    by_project: dict[int, tuple[Workday, set[int]]] = {}
    for signup in due:
        workday = signup.shift.workday
        by_project.setdefault(workday.project_id, (workday, set()))[1].add(
            signup.volunteer_id
        )
    return {
        (project_id, person_id)
        for project_id, (workday, people) in by_project.items()
        for person_id in membership.people_pausing(
            people, workday.project, local_today(workday.timezone, now)
        )
    }
