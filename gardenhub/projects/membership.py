"""Membership: who belongs to a project's circle, and how they come to.

A project's join mode is chosen by its coordinators: *open* (join with one
click, or by signing up for one of its public workdays), *by request* (a person
asks with an optional note; coordinators approve or decline) or *by
invitation* (only with an invite link). New projects start by request.

One row per person and project, whose status changes: requested → member (or
declined); member ⇄ paused; member → left (the person) or removed (a
coordinator). Coordinators of a project belong to it whether or not they have
a row. Every change that counts invite uses locks the invite row; a second
row for the same person and project is refused by a unique constraint and
answered like the sequential case.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from gardenhub import audit, tokens
from gardenhub.accounts.models import User
from gardenhub.db import lock
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.i18n import _
from gardenhub.notifications import services as notifications
from gardenhub.projects.models import (
    BELONGING,
    Invite,
    JoinMode,
    Membership,
    MemberStatus,
    Project,
    project_coordinator,
)
from gardenhub.timezones import local_today

MAX_NOTE = 300
MAX_INVITE_DAYS = 90
MAX_INVITE_USES = 500


class MembershipError(GardenHubError):
    pass


def _set_status(found: Membership, status: MemberStatus) -> None:
    """Every status change goes through here, so that the project's cached
    member list (read by the privacy helper) is never stale in this request."""
    found.status = status
    if found.project is not None:
        found.project.forget_members()


# Questions ---------------------------------------------------------------


def membership_of(project: Project, person) -> Membership | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return db.session.scalars(
        select(Membership).where(
            Membership.project_id == project.id, Membership.user_id == person.id
        )
    ).first()


def belonging_project_ids(person) -> set[int]:
    """Projects whose member-only pages `person` may see: where they are a
    member (paused included) or a coordinator. Admins see every project's."""
    if not getattr(person, "is_authenticated", False):
        return set()
    if person.is_admin:
        return set(db.session.scalars(select(Project.id)))
    members = select(Membership.project_id).where(
        Membership.user_id == person.id, Membership.status.in_(BELONGING)
    )
    coordinated = select(project_coordinator.c.project_id).where(
        project_coordinator.c.user_id == person.id
    )
    return set(db.session.scalars(members.union(coordinated)))


def belongs(project: Project, person) -> bool:
    if not getattr(person, "is_authenticated", False):
        return False
    if person.is_admin or project.is_coordinated_by(person):
        return True
    found = membership_of(project, person)
    return found is not None and found.belongs


# Joining -----------------------------------------------------------------


def _check_may_come_back(found: Membership | None) -> None:
    if found is None:
        return
    if found.belongs:
        raise MembershipError(_("You are already a member of this project."))
    if found.status == MemberStatus.removed:
        raise MembershipError(
            _(
                "A coordinator has taken you off this project. If you would like "
                "to come back, please talk to them."
            )
        )


def _become_member(
    project: Project, person, *, now: datetime, invite: Invite | None = None
) -> Membership:
    found = membership_of(project, person)
    if found is None:
        found = Membership(
            project=project, user=person, created_at=now, status=MemberStatus.member
        )
        try:
            with db.session.begin_nested():
                db.session.add(found)
        except IntegrityError:  # the same person joining a moment ago
            found = membership_of(project, person)
            if found.belongs:
                return found
    _set_status(found, MemberStatus.member)
    found.joined_at = now
    found.decided_at = now
    found.ended_at = None
    found.paused_until = None
    if invite is not None:
        found.invite_id = invite.id
    db.session.flush()
    return found


def join(project: Project, person, *, now: datetime) -> Membership:
    """Join an open project with one click. Raises MembershipError for a project
    that is by request or by invitation, or for someone already in it."""
    if project.join_mode != JoinMode.open:
        raise MembershipError(
            _("This project is by invitation: ask a coordinator for a link.")
            if project.join_mode == JoinMode.invitation
            else _("This project welcomes people by request: ask to join.")
        )
    _check_may_come_back(membership_of(project, person))
    joined = _become_member(project, person, now=now)
    audit.record(person, "membership.join", joined)
    return joined


def join_with_signup(project: Project, person, *, now: datetime) -> None:
    """Signing up for a public workday of an open project makes a member (a
    quiet no-op for anyone who already belongs, or in other projects)."""
    if project.join_mode != JoinMode.open or belongs(project, person):
        return
    found = membership_of(project, person)
    if found is not None and found.status == MemberStatus.removed:
        return
    _become_member(project, person, now=now)


def ask(project: Project, person, *, note: str | None, now: datetime) -> Membership:
    """Ask to join a project that is by request, with an optional note for the
    coordinators. Raises MembershipError: by invitation only, already in it or
    already asked, removed, or a note over the limit."""
    if project.join_mode == JoinMode.invitation:
        raise MembershipError(
            _("This project is by invitation: ask a coordinator for a link.")
        )
    if note and len(note) > MAX_NOTE:
        raise MembershipError(
            _("Keep the note to %(max)s characters.", max=MAX_NOTE), field="note"
        )
    found = membership_of(project, person)
    _check_may_come_back(found)
    if found is not None and found.status == MemberStatus.requested:
        raise MembershipError(
            _("You have already asked to join; a coordinator will answer soon.")
        )
    if project.join_mode == JoinMode.open:
        return join(project, person, now=now)
    if found is None:
        found = Membership(
            project=project,
            user=person,
            created_at=now,
            status=MemberStatus.requested,
        )
        db.session.add(found)
    _set_status(found, MemberStatus.requested)
    found.note = note or None
    found.created_at = now
    found.decided_at = found.ended_at = None
    db.session.flush()
    notifications.queue(person, "membership_requested", project=project, now=now)
    for coordinator in project.coordinators:
        notifications.queue(
            coordinator, "membership_request_received", project=project, now=now
        )
    return found


def withdraw(found: Membership, *, person, now: datetime) -> None:
    """Take back a request before anyone answered it."""
    lock(found)
    if found.user_id != person.id:
        raise MembershipError(_("This is someone else's request."))
    if found.status != MemberStatus.requested:
        raise MembershipError(_("This request has already been answered."))
    _set_status(found, MemberStatus.left)
    found.ended_at = now


def decide(found: Membership, *, approve: bool, actor, now: datetime) -> None:
    """A coordinator approves or declines a request; the person is told either
    way (the message never names the coordinator). Raises MembershipError for
    a request that was withdrawn or already answered."""
    lock(found)
    if found.status != MemberStatus.requested:
        raise MembershipError(
            _("This request was withdrawn or has already been answered.")
        )
    if approve:
        _become_member(found.project, found.user, now=now)
    else:
        _set_status(found, MemberStatus.declined)
        found.decided_at = now
    audit.record(actor, f"membership.{'approve' if approve else 'decline'}", found)
    notifications.queue(
        found.user,
        "membership_approved" if approve else "membership_declined",
        project=found.project,
        now=now,
    )


# Leaving, pausing, removing ----------------------------------------------


def leave(found: Membership, *, person, now: datetime) -> None:
    """A member leaves at any time (`workdays.belonging.leave` also gives back
    their seats on members-only workdays)."""
    lock(found)
    if found.user_id != person.id:
        raise MembershipError(_("This is someone else's membership."))
    if not found.belongs:
        raise MembershipError(_("You are not a member of this project."))
    _set_status(found, MemberStatus.left)
    found.ended_at = now
    found.paused_until = None


def pause(
    found: Membership,
    *,
    person,
    until: date | None,
    now: datetime,
) -> None:
    """Step back for a while: no reminders or messages from the project except
    answers to one's own actions, left out of task suggestions and "message
    everyone" (`workdays.belonging.pause` also gives seats back if asked).
    Ends on `until`, or on resume. Nothing is deleted."""
    lock(found)
    if found.user_id != person.id:
        raise MembershipError(_("This is someone else's membership."))
    if found.status != MemberStatus.member:
        raise MembershipError(_("Only an active membership can be paused."))
    today = local_today(found.project.timezone, now)
    if until is not None and until <= today:
        raise MembershipError(_("Pick a date after today, or none."), field="until")
    _set_status(found, MemberStatus.paused)
    found.paused_until = until


def resume(found: Membership, *, person) -> None:
    lock(found)
    if found.user_id != person.id:
        raise MembershipError(_("This is someone else's membership."))
    if found.status != MemberStatus.paused:
        raise MembershipError(_("This membership is not paused."))
    _set_status(found, MemberStatus.member)
    found.paused_until = None


def end_due_pauses(*, now: datetime) -> int:
    """Pauses whose end date has come, in the project's own zone, are over.

    For cron (`flask memberships end-pauses`); until it runs, `people_pausing`
    already treats a pause whose end date has passed as over. Accounts paused
    with an end date resume the same way.
    """
    due = db.session.scalars(
        select(Membership)
        .options(joinedload(Membership.project))
        .where(
            Membership.status == MemberStatus.paused,
            Membership.paused_until.is_not(None),
            Membership.paused_until <= (now + timedelta(days=1)).date(),
        )
    ).all()
    ended = 0
    for found in due:
        if found.paused_until <= local_today(found.project.timezone, now):
            _set_status(found, MemberStatus.member)
            found.paused_until = None
            ended += 1
    accounts = db.session.scalars(
        select(User).where(
            User.paused_at.is_not(None),
            User.paused_until.is_not(None),
            User.paused_until <= now.date(),
        )
    ).all()
    for person in accounts:
        person.paused_at = None
        person.paused_until = None
    return ended + len(accounts)


def remove(found: Membership, *, actor, now: datetime) -> None:
    """A coordinator takes someone off the project (`workdays.belonging.remove`
    also gives back their seats on members-only workdays). They are told,
    without naming anyone."""
    lock(found)
    if not found.belongs:
        raise MembershipError(_("This person is not a member."))
    if found.project.is_coordinated_by(found.user):
        raise MembershipError(
            _("Coordinators stay members; take them off the coordinators first.")
        )
    _set_status(found, MemberStatus.removed)
    found.ended_at = now
    audit.record(actor, "membership.remove", found)
    notifications.queue(
        found.user, "membership_removed", project=found.project, now=now
    )


def set_welcomes_newcomers(found: Membership, *, person, welcomes: bool) -> None:
    if found.user_id != person.id or not found.belongs:
        raise MembershipError(_("Only members can offer to welcome newcomers."))
    found.welcomes_newcomers = welcomes


# Invitations -------------------------------------------------------------


def create_invite(
    project: Project,
    *,
    label: str,
    days: int,
    max_uses: int,
    actor,
    now: datetime,
) -> tuple[Invite, str]:
    """A link to join, valid for `days` and `max_uses` people. Returns the row
    and the secret, which is shown once; only its hash is kept."""
    if not 1 <= days <= MAX_INVITE_DAYS:
        raise MembershipError(
            _("An invitation lasts 1 to %(max)s days.", max=MAX_INVITE_DAYS),
            field="days",
        )
    if not 1 <= max_uses <= MAX_INVITE_USES:
        raise MembershipError(
            _("An invitation is for 1 to %(max)s people.", max=MAX_INVITE_USES),
            field="max_uses",
        )
    secret = tokens.new_secret()
    invite = Invite(
        project=project,
        label=label,
        token_hash=tokens.hash_secret(secret),
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(days=days),
        max_uses=max_uses,
    )
    db.session.add(invite)
    db.session.flush()
    audit.record(actor, "invite.create", project, label)
    return invite, secret


def revoke_invite(invite: Invite, *, actor, now: datetime) -> None:
    if invite.revoked_at is not None:
        raise MembershipError(_("This invitation is already revoked."))
    invite.revoked_at = now
    audit.record(actor, "invite.revoke", invite.project, invite.label)


def invite_for(secret: str) -> Invite | None:
    if not secret or len(secret) > 100:
        return None
    return db.session.scalars(
        select(Invite).where(Invite.token_hash == tokens.hash_secret(secret))
    ).first()


def why_unusable(invite: Invite, now: datetime) -> str | None:
    if invite.revoked_at is not None:
        return _("This invitation was withdrawn. Ask a coordinator for a new one.")
    if invite.expires_at <= now:
        return _("This invitation has expired. Ask a coordinator for a new one.")
    if invite.uses >= invite.max_uses:
        return _("This invitation has been used up. Ask a coordinator for a new one.")
    return None


def join_with_invite(invite: Invite, person, *, now: datetime) -> Membership:
    """Join with an invitation link (in any join mode). Raises MembershipError
    for a revoked, expired or used-up link, or someone already in the project
    (whose join does not use the link up)."""
    invite = lock(invite)
    problem = why_unusable(invite, now)
    if problem:
        raise MembershipError(problem)
    _check_may_come_back(membership_of(invite.project, person))
    invite.uses += 1
    joined = _become_member(invite.project, person, now=now, invite=invite)
    audit.record(person, "membership.join.invite", joined)
    return joined


def pending_requests(project: Project) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.user))
            .where(
                Membership.project_id == project.id,
                Membership.status == MemberStatus.requested,
            )
            .order_by(Membership.created_at)
        )
    )


def pause_in_force(paused_until: date | None, today: date) -> bool:
    """A pause lasts until its end date (in the project's zone), or for good
    without one: the rule `people_pausing` asks the database."""
    return paused_until is None or paused_until > today


def people_pausing(user_ids: set[int], project: Project, today: date) -> set[int]:
    """Those among `user_ids` who paused this project or their account."""
    paused_here = set(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.project_id == project.id,
                Membership.user_id.in_(user_ids),
                Membership.status == MemberStatus.paused,
                Membership.paused_until.is_(None) | (Membership.paused_until > today),
            )
        )
    )
    paused_account = set(
        db.session.scalars(
            select(User.id).where(
                User.id.in_(user_ids),
                User.paused_at.is_not(None),
                (User.paused_until.is_(None)) | (User.paused_until > today),
            )
        )
    )
    return paused_here | paused_account
