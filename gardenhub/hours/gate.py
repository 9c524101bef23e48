"""At the gate: changes queued on a coordinator's phone while it had no signal,
applied once each by their key; and the rotating code on the coordinator's
screen that volunteers scan to check themselves in."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from gardenhub import tokens
from gardenhub.accounts.privacy import visible_name
from gardenhub.db import lock
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.hours import services
from gardenhub.hours.models import GateAction
from gardenhub.i18n import _
from gardenhub.projects import membership
from gardenhub.timezones import local_today, to_local
from gardenhub.workdays import signups
from gardenhub.workdays.models import Shift, Signup, SignupStatus, Workday

KINDS = ("check_in", "undo", "walk_in")
# What a phone may call its change: a UUID, or anything like it.
KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
# A phone's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)


class Conflict(GardenHubError):
    """What changed meanwhile makes the queued change impossible."""


@dataclass
class Answer:
    key: str
    outcome: str  # "done", "conflict" or "invalid"
    message: str
    replayed: bool = False

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "outcome": self.outcome,
            "message": self.message,
            "replayed": self.replayed,
        }


@dataclass
class Action:
    """One change as the phone queued it, its fields already checked."""

    key: str
    kind: str
    made_at: datetime
    signup_id: int | None = None
    shift_id: int | None = None
    email: str | None = None
    name: str | None = None
    phone: str | None = None
    texts_agreed: bool = False


def made_at(sent: datetime | None, now: datetime) -> datetime:
    """When a queued change counts: when the phone made it (its clock), never
    later than now and never earlier than GATE_QUEUE_HOURS ago, so an old
    queue cannot reach back further than a day's check-in."""
    oldest = now - timedelta(hours=current_app.config["GATE_QUEUE_HOURS"])
    if sent is None or sent > now + CLOCK_SKEW:
        return now
    return max(min(sent, now), oldest)


def _earlier_answer(key: str) -> Answer | None:
    found = db.session.scalar(select(GateAction).where(GateAction.key == key))
    if found is None:
        return None
    return Answer(key, found.outcome, found.message or "", replayed=True)


def apply(workday: Workday, action: Action, *, actor, now: datetime) -> Answer:
    """Apply one queued change exactly once. A key seen before gets the answer
    it got then and changes nothing; a twin request sending the same key at the
    same moment waits on the key's unique constraint and then gets the first
    answer. The rules are the pages' own (capacity, the check-in window at the
    time the change was made, the coordinator's rights now); a change they
    refuse is answered as a conflict and recorded, so it is never tried again.
    The caller commits after each change."""
    earlier = _earlier_answer(action.key)
    if earlier is not None:
        return earlier
    record = GateAction(key=action.key, actor_id=actor.id, kind=action.kind)
    record.created_at = now
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        return _earlier_answer(action.key) or Answer(
            action.key, "conflict", _("This change is being sent already.")
        )
    try:
        with db.session.begin_nested():
            message = _apply(workday, action, actor=actor, now=now)
    except GardenHubError as error:
        record.outcome, record.message = "conflict", error.message[:500]
    else:
        record.outcome, record.message = "done", message
    return Answer(action.key, record.outcome, record.message)


def _roster_signup(workday: Workday, signup_id: int | None) -> Signup:
    signup = db.session.get(Signup, signup_id) if signup_id else None
    if signup is None or signup.shift.workday_id != workday.id:
        raise Conflict(_("That person is no longer on this workday's roster."))
    return signup


def _apply(workday: Workday, action: Action, *, actor, now: datetime) -> str:
    if not workday.can_manage(actor):
        raise Conflict(
            _("You no longer coordinate this workday, so the change was not applied.")
        )
    when = action.made_at
    if action.kind == "walk_in":
        shift = db.session.get(Shift, action.shift_id) if action.shift_id else None
        if shift is None or shift.workday_id != workday.id:
            raise Conflict(_("That shift is no longer part of this workday."))
        services.walk_in(
            shift,
            email=action.email,
            name=action.name,
            phone=action.phone,
            texts_agreed=action.texts_agreed,
            actor=actor,
            now=when,
        )
        return _("Walk-in added and checked in.")
    signup = _roster_signup(workday, action.signup_id)
    name = visible_name(actor, signup.volunteer, workday.project)
    if action.kind == "undo":
        services.undo_check_in(signup, actor=actor)
        return _("The check-in of %(name)s is undone.", name=name)
    if signup.status != SignupStatus.confirmed:
        raise Conflict(
            _(
                "%(name)s cancelled or was taken off the shift meanwhile, so "
                "they were not checked in.",
                name=name,
            )
        )
    if signup.checked_in_at is not None:
        return _("%(name)s was already checked in.", name=name)
    services.check_in(signup, actor=actor, now=when)
    return _("%(name)s is checked in.", name=name)


def forget_old(*, now: datetime, days: int = 30) -> int:
    """Keys of changes sent more than `days` ago: no phone retries that late."""
    result = db.session.execute(
        delete(GateAction).where(GateAction.created_at < now - timedelta(days=days))
    )
    return result.rowcount


# --- The code on the coordinator's screen -------------------------------------


def _step(now: datetime) -> int:
    return int(now.timestamp()) // current_app.config["GATE_CODE_SECONDS"]


def code_for(shift: Shift, now: datetime) -> str:
    """The signed code for `shift` in the current time step: it names the
    shift and the step, nothing about anyone. The screen fetches a new one
    every GATE_CODE_SECONDS; a code works for the step it was made in and the
    next one, so a screenshot stops working within two steps."""
    opens, closes = services.check_in_window(shift)
    if not opens <= now <= closes or shift.workday.is_cancelled:
        raise services.CheckInClosed(
            _("Check-in for this shift is not open, so there is no code to show.")
        )
    return tokens.make("gate-code", [shift.id, _step(now)])


class CodeExpired(GardenHubError):
    status_code = 410


def read_code(code: str, now: datetime) -> Shift:
    """The shift a scanned code is for, if the code is genuine, recent and its
    shift's check-in is open; else CodeExpired with what to do."""
    payload = tokens.read("gate-code", code, max_age=24 * 3600)
    expired = CodeExpired(
        _(
            "This code has expired. Scan the code on the coordinator's screen "
            "again; it changes every few seconds."
        )
    )
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and all(isinstance(part, int) for part in payload)
    ):
        raise expired
    shift_id, step = payload
    if not 0 <= _step(now) - step <= 1:
        raise expired
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        raise expired
    opens, closes = services.check_in_window(shift)
    if not opens <= now <= closes or shift.workday.is_cancelled:
        raise CodeExpired(_("Check-in for this shift is not open now."))
    return shift


def self_check_in(shift: Shift, person, *, now: datetime) -> Signup:
    """A volunteer who scanned the code: their confirmed seat is checked in;
    without one, a free seat becomes theirs first (a walk-in of their own).
    A full shift says so: the coordinator can still add them (one more seat)."""
    signup = signups.active_signup(shift, person)
    if signup is None or signup.status != SignupStatus.confirmed:
        workday = shift.workday
        if workday.visibility == "members" and not membership.belongs(
            workday.project, person
        ):
            raise Conflict(
                _(
                    "This workday is for the project's members. Ask the "
                    "coordinator at the gate."
                )
            )
        shift = lock(shift)
        if signups.seats_taken(shift) >= shift.capacity:
            raise Conflict(
                _(
                    "This shift is full. Ask the coordinator at the gate: they "
                    "can still add you."
                )
            )
        signup = signups.walk_in(shift, person, actor=person, now=now)
    services.check_in(signup, actor=person, now=now)
    return signup


def todays_workday(person, now: datetime) -> Workday | None:
    """The workday `person` coordinates whose check-in is open now (even if it
    starts after local midnight), else the next one today (in its garden's
    zone): where the installed app opens."""
    nearby = db.session.scalars(
        select(Workday)
        .where(
            Workday.starts_at >= now - timedelta(days=1),
            Workday.starts_at < now + timedelta(days=1),
        )
        .order_by(Workday.starts_at)
    )
    mine = [
        workday
        for workday in nearby
        if not workday.is_cancelled and workday.can_manage(person)
    ]
    for workday in mine:
        windows = [services.check_in_window(shift) for shift in workday.shifts]
        if any(opens <= now <= closes for opens, closes in windows):
            return workday
    upcoming = [
        workday
        for workday in mine
        if workday.ends_at >= now
        and to_local(workday.starts_at, workday.timezone).date()
        == local_today(workday.timezone, now)
    ]
    return upcoming[0] if upcoming else None
