"""A person's own data: download it all, delete the account, and retention.

Deleting an account, or the retention run, keeps sign-ups and hours as
anonymous rows, so totals, fill rates and issued hours letters stay true, while
the name, contact data and feed links are gone.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from gardenhub import audit
from gardenhub.accounts import api_tokens
from gardenhub.accounts.models import User
from gardenhub.community import celebrations, goals
from gardenhub.community.models import Goal
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.feeds.models import FeedToken
from gardenhub.guests.models import GuestPass
from gardenhub.hours.models import HoursEntry, HoursLetter
from gardenhub.i18n import _
from gardenhub.notifications import services as notifications
from gardenhub.plots.models import PlotAssignment, PlotRequest, RequestStatus
from gardenhub.projects.models import Membership
from gardenhub.tasks import services as task_rules
from gardenhub.tasks.models import OPEN_STATUSES, Task, TaskAssignment
from gardenhub.workdays import signups as signup_rules
from gardenhub.workdays.models import ACTIVE_STATUSES, Shift, Signup

# Stored as the display name of an erased person: data, so never translated.
FORMER = "Former volunteer"


def _iso(value):
    return value.isoformat() if value is not None else None


def export_data(person: User) -> dict:
    """Everything held about `person`, as plain JSON-ready data."""
    signups = db.session.scalars(
        select(Signup)
        .options(joinedload(Signup.shift).joinedload(Shift.workday))
        .where(Signup.volunteer_id == person.id)
        .order_by(Signup.id)
    ).all()
    return {
        "account": {
            "email": person.email,
            "display_name": person.display_name,
            "phone": person.phone,
            "role": person.role,
            "shows_name_to_volunteers": person.shows_name,
            "discreet_mode": person.is_discreet,
            "muted_notifications": person.muted_notifications,
            "quiet_hours": [_iso(person.quiet_start), _iso(person.quiet_end)],
            "created_at": _iso(person.created_at),
            "last_login_at": _iso(person.last_login_at),
            "language": person.language,
            "texts_agreed_at": _iso(person.sms_consent_at),
            "texts_agreed_how": person.sms_consent_source,
            "texts_stopped_at": _iso(person.sms_opted_out_at),
            "texts_for": person.sms_kinds,
        },
        "guest_links": [
            {
                "shift": p.shift.name,
                "sent_by": p.channel,
                "asked_at": _iso(p.created_at),
                "confirmed_at": _iso(p.confirmed_at),
                "ends_at": _iso(p.expires_at),
            }
            for p in db.session.scalars(
                select(GuestPass)
                .where(GuestPass.person_id == person.id)
                .order_by(GuestPass.id)
            )
        ],
        "signups": [
            {
                "workday": s.shift.workday.title,
                "shift": s.shift.name,
                "starts_at": _iso(s.shift.starts_at),
                "status": s.status,
                "signed_up_at": _iso(s.created_at),
                "checked_in_at": _iso(s.checked_in_at),
                "hours": str(s.hours) if s.hours is not None else None,
                "note_to_coordinators": s.note,
                "asked_for_a_buddy": s.wants_buddy,
            }
            for s in signups
        ],
        "tasks": [
            {
                "task": a.task.title,
                "since": _iso(a.created_at),
                "released_at": _iso(a.released_at),
            }
            for a in db.session.scalars(
                select(TaskAssignment)
                .options(joinedload(TaskAssignment.task))
                .where(TaskAssignment.volunteer_id == person.id)
            )
        ],
        "plots": [
            {
                "plot": a.plot.label,
                "garden": a.plot.garden.name,
                "season": a.season_name,
                "from": _iso(a.starts_on),
                "until": _iso(a.ends_on),
            }
            for a in db.session.scalars(
                select(PlotAssignment).where(PlotAssignment.gardener_id == person.id)
            )
        ],
        "memberships": [
            {
                "project": m.project.name,
                "status": m.status,
                "joined_at": _iso(m.joined_at),
                "note": m.note,
                "welcomes_newcomers": m.welcomes_newcomers,
            }
            for m in db.session.scalars(
                select(Membership)
                .options(joinedload(Membership.project))
                .where(Membership.user_id == person.id)
            )
        ],
        "goals": [
            {
                "project": g.project.name,
                "goal": goals.describe(g),
                "from": _iso(g.starts_on),
                "until": _iso(g.ends_on),
                "ended_at": _iso(g.ended_at),
            }
            for g in db.session.scalars(select(Goal).where(Goal.user_id == person.id))
        ],
        "plot_requests": [
            {
                "garden": r.garden.name,
                "status": r.status,
                "since": _iso(r.created_at),
            }
            for r in db.session.scalars(
                select(PlotRequest).where(PlotRequest.requester_id == person.id)
            )
        ],
        "hours_logged": [
            {
                "date": _iso(e.worked_on),
                "hours": str(e.hours),
                "description": e.description,
                "status": e.status,
            }
            for e in db.session.scalars(
                select(HoursEntry).where(HoursEntry.volunteer_id == person.id)
            )
        ],
        "hours_letters": [
            {
                "code": letter.code,
                "from": _iso(letter.starts_on),
                "until": _iso(letter.ends_on),
                "hours": str(letter.total_hours),
            }
            for letter in db.session.scalars(
                select(HoursLetter).where(HoursLetter.volunteer_id == person.id)
            )
        ],
        "calendar_links": [
            {
                "device": t.name,
                "created_at": _iso(t.created_at),
                "last_used_at": _iso(t.last_used_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in db.session.scalars(
                select(FeedToken).where(FeedToken.user_id == person.id)
            )
        ],
    }


class AccountDeletionError(GardenHubError):
    pass


def delete_account(person: User, *, password: str, now: datetime) -> None:
    """Erase who the person is; keep what they did as anonymous counts.

    Future seats are given back (and offered to the waitlist), places on open
    tasks too; open plot requests are withdrawn; what they wrote about
    themselves (plot request notes, descriptions of logged hours) is cleared;
    messages to them that have not gone out are cancelled and every message to
    them is scrubbed; feed links are deleted, and every session ends.
    Raises AccountDeletionError unless `password` is the person's password.
    """
    if not person.check_password(password):
        raise AccountDeletionError(_("That is not your password."), field="password")
    address = person.email
    for signup in db.session.scalars(
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .where(
            Signup.volunteer_id == person.id,
            Signup.status.in_(ACTIVE_STATUSES),
            Shift.starts_at > now,
        )
    ).all():
        signup_rules.cancel(signup, actor=person, now=now)
    for request in db.session.scalars(
        select(PlotRequest).where(
            PlotRequest.requester_id == person.id,
            PlotRequest.status.in_((RequestStatus.waiting, RequestStatus.offered)),
        )
    ):
        request.status = RequestStatus.withdrawn
        request.closed_at = now
    for request in db.session.scalars(
        select(PlotRequest).where(PlotRequest.requester_id == person.id)
    ):
        request.notes = None
    for entry in db.session.scalars(
        select(HoursEntry).where(HoursEntry.volunteer_id == person.id)
    ):
        entry.description = notifications.REMOVED
    for assignment in db.session.scalars(
        select(TaskAssignment)
        .join(Task, Task.id == TaskAssignment.task_id)
        .where(
            TaskAssignment.volunteer_id == person.id,
            TaskAssignment.released_at.is_(None),
            Task.status.in_(OPEN_STATUSES),
        )
    ).all():
        task_rules.release(assignment, actor=person, now=now)
    db.session.execute(
        update(Signup).where(Signup.volunteer_id == person.id).values(note=None)
    )
    goals.forget(person, now=now)
    celebrations.forget(person)
    for found in db.session.scalars(
        select(Membership).where(Membership.user_id == person.id)
    ):
        found.note, found.welcomes_newcomers = None, False
    db.session.execute(
        update(Signup).where(Signup.buddy_id == person.id).values(buddy_id=None)
    )
    db.session.execute(delete(FeedToken).where(FeedToken.user_id == person.id))
    api_tokens.forget(person)
    db.session.execute(delete(GuestPass).where(GuestPass.person_id == person.id))
    for letter in db.session.scalars(
        select(HoursLetter).where(HoursLetter.volunteer_id == person.id)
    ):
        letter.volunteer_id = None  # stays verifiable by its code
    _anonymise(person)
    db.session.flush()
    notifications.forget(person, address=address)
    audit.record(person, "account.delete", person)


def _anonymise(person: User) -> None:
    person.display_name = FORMER
    person.is_pseudonym = True
    person.email = None
    person.phone = None
    person.password_hash = None
    person.is_active = False
    person.is_guest = True
    person.shows_name = False
    person.muted_notifications = ""
    person.language = None
    person.sms_consent_at = person.sms_consent_source = None
    person.sms_opted_out_at = person.sms_kinds = None
    person.rotate_session_token()


def forget_unused_guests(people: list[User]) -> int:
    """Guests whose only trace was a link never confirmed (an address someone
    typed, perhaps not their own) are erased, with their messages, once their
    last link has ended. Returns how many."""
    forgotten = 0
    for person in people:
        if not person.is_guest or person.is_pseudonym:
            continue
        if db.session.scalar(
            select(Signup.id).where(Signup.volunteer_id == person.id).limit(1)
        ) or db.session.scalar(
            select(GuestPass.id).where(GuestPass.person_id == person.id).limit(1)
        ):
            continue
        address = person.email
        _anonymise(person)
        notifications.forget(person, address=address)
        forgotten += 1
    return forgotten


def pseudonymise_past(*, days: int, now: datetime) -> int:
    """Cut the link between people and sign-ups or hours older than `days` days:
    each person's old rows move to a fresh pseudonymous record (one per person and
    run), so counts, hours and distinct-volunteer figures stay the same.
    Pseudonyms are known by their flag, so a real person who happens to be
    called "Former volunteer" is treated like anyone else. Returns how many
    rows moved; `purge_messages` does the same for the outbox."""
    cutoff = now - timedelta(days=days)
    pseudonyms: dict[int, User] = {}

    def pseudonym_for(user_id: int) -> User:
        if user_id not in pseudonyms:
            pseudonym = User(
                display_name=FORMER, is_guest=True, is_active=False, is_pseudonym=True
            )
            db.session.add(pseudonym)
            db.session.flush()
            pseudonyms[user_id] = pseudonym
        return pseudonyms[user_id]

    moved = 0
    old_signups = db.session.scalars(
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .join(User, User.id == Signup.volunteer_id)
        .where(Shift.ends_at < cutoff, User.is_pseudonym.is_(False))
    ).all()
    for signup in old_signups:
        signup.volunteer_id = pseudonym_for(signup.volunteer_id).id
        signup.note, signup.buddy_id, signup.buddy_sees_name = None, None, False
        moved += 1
    for entry in db.session.scalars(
        select(HoursEntry)
        .join(User, User.id == HoursEntry.volunteer_id)
        .where(
            HoursEntry.worked_on < cutoff.astimezone(UTC).date(),
            User.is_pseudonym.is_(False),
        )
    ).all():
        entry.volunteer_id = pseudonym_for(entry.volunteer_id).id
        moved += 1
    for assignment in db.session.scalars(
        select(TaskAssignment)
        .join(User, User.id == TaskAssignment.volunteer_id)
        .where(TaskAssignment.created_at < cutoff, User.is_pseudonym.is_(False))
    ).all():
        assignment.volunteer_id = pseudonym_for(assignment.volunteer_id).id
        moved += 1
    return moved


def purge_messages(*, days: int, now: datetime) -> int:
    """Retention for the outbox: messages older than `days` days that are done
    with are deleted (they hold addresses, names and workday titles)."""
    return notifications.purge_before(now - timedelta(days=days))
