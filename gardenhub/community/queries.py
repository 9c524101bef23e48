"""Read queries for the coordinators' member page and the belonging panels."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from gardenhub.extensions import db
from gardenhub.hours.models import EntryStatus, HoursEntry
from gardenhub.projects.models import Invite, Membership, MemberStatus, Project
from gardenhub.workdays.models import Shift, Signup, Workday


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    last_came: datetime | None
    hours: Decimal


def season_start(project: Project, today: date) -> date:
    """Where "this season" begins: the garden's season, else 1 January."""
    garden = project.garden
    if garden and garden.season_starts_on and garden.season_starts_on <= today:
        return garden.season_starts_on
    return today.replace(month=1, day=1)


def member_rows(project: Project, today: date) -> list[MemberRow]:
    """Everyone who belongs or was on the way out, with the last time they came
    and their hours this season, in three queries whatever the numbers."""
    memberships = db.session.scalars(
        select(Membership)
        .options(joinedload(Membership.user))
        .where(
            Membership.project_id == project.id,
            Membership.status.in_(
                (MemberStatus.member, MemberStatus.paused, MemberStatus.left)
            ),
        )
        .order_by(Membership.status, Membership.joined_at)
    ).all()
    ids = [m.user_id for m in memberships]
    since = datetime.combine(season_start(project, today), datetime.min.time(), UTC)
    came: dict[int, tuple] = {}
    if ids:
        for user_id, last, hours in db.session.execute(
            select(
                Signup.volunteer_id,
                func.max(Signup.checked_in_at),
                func.coalesce(
                    func.sum(Signup.hours).filter(Signup.checked_in_at >= since), 0
                ),
            )
            .join(Shift, Shift.id == Signup.shift_id)
            .join(Workday, Workday.id == Shift.workday_id)
            .where(
                Workday.project_id == project.id,
                Signup.volunteer_id.in_(ids),
                Signup.checked_in_at.is_not(None),
            )
            .group_by(Signup.volunteer_id)
        ):
            came[user_id] = (last, Decimal(hours or 0))
        for user_id, hours in db.session.execute(
            select(HoursEntry.volunteer_id, func.sum(HoursEntry.hours))
            .where(
                HoursEntry.project_id == project.id,
                HoursEntry.volunteer_id.in_(ids),
                HoursEntry.status == EntryStatus.approved,
                HoursEntry.worked_on >= season_start(project, today),
            )
            .group_by(HoursEntry.volunteer_id)
        ):
            last, shift_hours = came.get(user_id, (None, Decimal(0)))
            came[user_id] = (last, shift_hours + Decimal(hours or 0))
    return [MemberRow(m, *came.get(m.user_id, (None, Decimal(0)))) for m in memberships]


def invites(project: Project) -> list[Invite]:
    return list(
        db.session.scalars(
            select(Invite)
            .where(Invite.project_id == project.id)
            .order_by(Invite.revoked_at.is_not(None), Invite.created_at.desc())
        )
    )


def my_memberships(person) -> list[Membership]:
    """A person's own memberships and requests, for My page and the profile."""
    return list(
        db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.project))
            .where(
                Membership.user_id == person.id,
                Membership.status.in_(
                    (MemberStatus.member, MemberStatus.paused, MemberStatus.requested)
                ),
            )
            .order_by(Membership.created_at)
        )
    )
