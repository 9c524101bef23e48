"""Newcomers: a first shift is noticed, a welcome buddy is paired, and a short
note to the coordinators travels with a sign-up.

Everything here is opt-in both ways. A newcomer asks for a buddy when they sign
up (and may let the buddy see their name); a member says "I'm happy to welcome
newcomers" on the project page; a coordinator pairs the two for one workday.
Either of them can end it; the other is told only that it ended.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from gardenhub import audit
from gardenhub.accounts.models import User
from gardenhub.accounts.privacy import ANONYMOUS_NAME
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.i18n import _, _l
from gardenhub.notifications import services as notifications
from gardenhub.projects import membership
from gardenhub.projects.models import Membership, MemberStatus
from gardenhub.timezones import local_today
from gardenhub.workdays.models import (
    Shift,
    Signup,
    SignupStatus,
    Workday,
    WorkdayStatus,
)

MAX_NOTE = 300
# Lazy: a name in an email is rendered in its recipient's language.
A_NEWCOMER = _l("A newcomer")
A_MEMBER = _l("A member of the group")


class NewcomerError(GardenHubError):
    pass


# Questions ---------------------------------------------------------------


def first_timers(workday: Workday, signups: list[Signup]) -> set[int]:
    """Who among these sign-ups has never held a seat on an earlier workday of
    this project: their first shift here. One query for the whole roster."""
    people = {s.volunteer_id for s in signups}
    if not people:
        return set()
    came_before = set(
        db.session.scalars(
            select(Signup.volunteer_id)
            .join(Shift, Shift.id == Signup.shift_id)
            .join(Workday, Workday.id == Shift.workday_id)
            .where(
                Workday.project_id == workday.project_id,
                Workday.starts_at < workday.starts_at,
                Workday.status != WorkdayStatus.cancelled,
                Signup.status == SignupStatus.confirmed,
                Signup.volunteer_id.in_(people),
            )
            .distinct()
        )
    )
    return people - came_before


def is_first_time(signup: Signup) -> bool:
    return signup.volunteer_id in first_timers(signup.shift.workday, [signup])


def buddy_candidates(workday: Workday) -> list[User]:
    """Members who said they are happy to welcome newcomers (not paused), those
    coming to this workday first."""
    project = workday.project
    today = local_today(workday.timezone)
    welcoming = list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.project_id == project.id,
                Membership.status == MemberStatus.member,
                Membership.welcomes_newcomers,
                User.is_active,
            )
            .order_by(User.display_name)
        )
    )
    pausing = membership.people_pausing({p.id for p in welcoming}, project, today)
    coming = set(
        db.session.scalars(
            select(Signup.volunteer_id)
            .join(Shift, Shift.id == Signup.shift_id)
            .where(
                Shift.workday_id == workday.id,
                Signup.status == SignupStatus.confirmed,
            )
        )
    )
    available = [p for p in welcoming if p.id not in pausing]
    return sorted(available, key=lambda p: p.id not in coming)


def newcomer_name_for_buddy(signup: Signup) -> str:
    """What the buddy sees: the display name only if the newcomer agreed."""
    if signup.buddy_sees_name and not signup.volunteer.is_guest:
        return signup.volunteer.display_name
    return A_NEWCOMER


def buddy_name_for_newcomer(signup: Signup) -> str:
    """The buddy offered to welcome people; their name shows only if they
    chose to show it to fellow members."""
    buddy = signup.buddy
    if buddy is None:
        return ANONYMOUS_NAME
    return buddy.display_name if buddy.shows_name else A_MEMBER


def buddying(person, *, now: datetime) -> list[Signup]:
    """Upcoming sign-ups where `person` is the welcome buddy."""
    return list(
        db.session.scalars(
            select(Signup)
            .join(Shift, Shift.id == Signup.shift_id)
            .join(Workday, Workday.id == Shift.workday_id)
            .options(
                joinedload(Signup.volunteer),
                joinedload(Signup.shift).joinedload(Shift.workday),
            )
            .where(
                Signup.buddy_id == person.id,
                Signup.status.in_((SignupStatus.confirmed, SignupStatus.offered)),
                Shift.ends_at > now,
                Workday.status == WorkdayStatus.scheduled,
            )
            .order_by(Shift.starts_at)
        )
    )


# Changes -----------------------------------------------------------------


def check_note(note: str | None) -> str | None:
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise NewcomerError(
            _("Keep the note to %(max)s characters.", max=MAX_NOTE), field="note"
        )
    return note


def set_details(
    signup: Signup,
    *,
    person,
    note: str | None,
    wants_buddy: bool,
    buddy_sees_name: bool,
    now: datetime,
) -> None:
    """The volunteer changes their note or buddy wish. Giving up the wish ends a
    pairing (the buddy is told it ended, not why)."""
    if signup.volunteer_id != person.id:
        raise NewcomerError(_("Only the person who signed up can change this."))
    if not signup.is_active or signup.shift.ends_at <= now:
        raise NewcomerError(_("This sign-up can no longer be changed."))
    signup.note = check_note(note)
    signup.buddy_sees_name = bool(wants_buddy and buddy_sees_name)
    if signup.wants_buddy and not wants_buddy and signup.buddy is not None:
        _end(signup, told=signup.buddy, now=now)
    signup.wants_buddy = wants_buddy


def pair(signup: Signup, buddy: User, *, actor, now: datetime) -> None:
    """A coordinator pairs a welcoming member with a newcomer for this workday."""
    workday = signup.shift.workday
    if not signup.wants_buddy:
        raise NewcomerError(_("This person did not ask for a welcome buddy."))
    if not signup.is_active or workday.is_cancelled or signup.shift.ends_at <= now:
        raise NewcomerError(_("This sign-up is no longer open for a buddy."))
    if buddy.id == signup.volunteer_id:
        raise NewcomerError(_("A newcomer cannot be their own buddy."), field="buddy")
    if buddy.id not in {p.id for p in buddy_candidates(workday)}:
        raise NewcomerError(
            _("Pick a member who is happy to welcome newcomers."), field="buddy"
        )
    previous = signup.buddy
    if previous is not None and previous.id == buddy.id:
        return
    if previous is not None:
        _end(signup, told=previous, now=now)
    signup.buddy = buddy
    audit.record(actor, "signup.buddy", signup, f"buddy {buddy.id}")
    notifications.queue(
        buddy,
        "buddy_paired",
        signup=signup,
        newcomer=newcomer_name_for_buddy(signup),
        now=now,
    )
    notifications.queue(
        signup.volunteer,
        "buddy_found",
        signup=signup,
        buddy=buddy_name_for_newcomer(signup),
        now=now,
    )


def end(signup: Signup, *, person, now: datetime) -> None:
    """The newcomer or the buddy ends the pairing; the other is told it ended."""
    if signup.buddy_id is None:
        raise NewcomerError(_("There is no buddy for this sign-up any more."))
    if person.id == signup.volunteer_id:
        signup.wants_buddy = False
        _end(signup, told=signup.buddy, now=now)
    elif person.id == signup.buddy_id:
        _end(signup, told=signup.volunteer, now=now)
    else:
        raise NewcomerError(_("Only the newcomer or their buddy can end this."))


def _end(signup: Signup, *, told: User, now: datetime) -> None:
    signup.buddy = None
    if signup.shift.ends_at > now:
        notifications.queue(told, "buddy_ended", signup=signup, now=now)


def cancelled(signup: Signup, *, now: datetime) -> None:
    """A cancelled sign-up ends its pairing; the buddy is told it ended."""
    if signup.buddy is not None:
        _end(signup, told=signup.buddy, now=now)


def erase_old_notes(*, now: datetime) -> int:
    """Sign-up notes are for the day: erased SIGNUP_NOTE_DAYS after the
    workday ends (for cron: `flask signups erase-notes`)."""
    days = current_app.config["SIGNUP_NOTE_DAYS"]
    ended = select(Workday.id).where(Workday.ends_at < now - timedelta(days=days))
    shifts = select(Shift.id).where(Shift.workday_id.in_(ended))
    return db.session.execute(
        update(Signup)
        .where(Signup.note.is_not(None), Signup.shift_id.in_(shifts))
        .values(note=None)
        .execution_options(synchronize_session=False)
    ).rowcount
