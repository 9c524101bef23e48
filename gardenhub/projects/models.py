"""Projects, their coordinators, their members and invitations to join."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gardenhub.accounts.models import Role, User
from gardenhub.db import UTCDateTime, utcnow
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.i18n import _

DEFAULT_PUBLIC_NAME = "Community garden project"


class JoinMode(StrEnum):
    """How someone becomes a member; a group opens itself up by choice."""

    open = "open"  # anyone with an account, with one click
    request = "request"  # asks; coordinators approve or decline
    invitation = "invitation"  # only through an invite link

    @property
    def label(self) -> str:
        """What people see for it, in the language being spoken."""
        return {
            "open": _("Open: anyone with an account can join"),
            "request": _("By request: people ask, coordinators decide"),
            "invitation": _("By invitation: only with an invite link"),
        }[self.value]


class Visibility(StrEnum):
    public = "public"  # on public pages and feeds; anyone with an account signs up
    members = "members"  # for members only; invisible to everyone else

    @property
    def label(self) -> str:
        """What a coordinator picks from, in the language being spoken."""
        return {
            "public": _("Public: listed for the neighbourhood"),
            "members": _("For members only: nobody else sees them"),
        }[self.value]


class MemberStatus(StrEnum):
    requested = "requested"
    member = "member"
    paused = "paused"
    left = "left"
    declined = "declined"
    removed = "removed"


# A member or a paused member belongs: they see what members see.
BELONGING = (MemberStatus.member, MemberStatus.paused)

project_coordinator = Table(
    "project_coordinator",
    db.metadata,
    Column("project_id", ForeignKey("project.id"), primary_key=True),
    Column("user_id", ForeignKey("user.id"), primary_key=True, index=True),
)


class Project(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # What the public sees (pages, feed names): neutral unless the group wants its
    # name published.
    public_name: Mapped[str] = mapped_column(
        String(120), default=DEFAULT_PUBLIC_NAME, server_default=DEFAULT_PUBLIC_NAME
    )
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    garden_id: Mapped[int | None] = mapped_column(ForeignKey("garden.id"), index=True)
    # Used for workdays away from a garden (a free-text location).
    timezone: Mapped[str] = mapped_column(String(64))
    colour: Mapped[str] = mapped_column(String(7), default="#2f6b3a")
    is_active: Mapped[bool] = mapped_column(default=True)
    join_mode: Mapped[str] = mapped_column(
        String(20), default=JoinMode.request, server_default=JoinMode.request
    )
    # What new workdays and series of this project start as.
    default_visibility: Mapped[str] = mapped_column(
        String(20), default=Visibility.public, server_default=Visibility.public
    )
    # Shown to newcomers: what to wear, where to meet, that nobody has to share.
    what_to_expect: Mapped[str | None] = mapped_column(Text)
    # For hours letters a programme will accept.
    org_name: Mapped[str | None] = mapped_column(String(120))
    org_address: Mapped[str | None] = mapped_column(String(255))
    org_contact: Mapped[str | None] = mapped_column(String(255))
    # A coordinator who agreed to vouch for hours letters by name.
    vouched_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    members_can_thank: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Any change to the row: feeds show the public name, and archiving hides.
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    garden: Mapped[Garden | None] = relationship()
    coordinators: Mapped[list[User]] = relationship(
        secondary=project_coordinator, order_by=User.display_name
    )
    vouched_by: Mapped[User | None] = relationship(foreign_keys=[vouched_by_id])

    def __repr__(self) -> str:
        return f"<Project {self.slug}>"

    def name_for(self, member: bool) -> str:
        """Members see the group's own name; everyone else the public one."""
        return self.name if member else self.public_name

    def member_ids(self) -> set[int]:
        """Who belongs: members, paused members and coordinators (read once per
        loaded project, for the privacy helper's "fellow members")."""
        cached = self.__dict__.get("_member_ids")
        if cached is None:
            cached = set(
                db.session.scalars(
                    select(Membership.user_id).where(
                        Membership.project_id == self.id,
                        Membership.status.in_(BELONGING),
                    )
                )
            ) | {c.id for c in self.coordinators}
            self.__dict__["_member_ids"] = cached
        return cached

    @staticmethod
    def load_member_ids(projects) -> None:
        """Fill `member_ids` for many projects at once: two queries for a list
        page, instead of two per project."""
        waiting = {p.id: p for p in projects if "_member_ids" not in p.__dict__}
        if not waiting:
            return
        found: dict[int, set[int]] = {pid: set() for pid in waiting}
        rows = db.session.execute(
            select(Membership.project_id, Membership.user_id).where(
                Membership.project_id.in_(waiting),
                Membership.status.in_(BELONGING),
            )
        ).all()
        rows += db.session.execute(
            select(
                project_coordinator.c.project_id, project_coordinator.c.user_id
            ).where(project_coordinator.c.project_id.in_(waiting))
        ).all()
        for project_id, user_id in rows:
            found[project_id].add(user_id)
        for project_id, project in waiting.items():
            project.__dict__["_member_ids"] = found[project_id]

    def forget_members(self) -> None:
        self.__dict__.pop("_member_ids", None)

    def includes(self, person) -> bool:
        """Whether `person` belongs (for templates and messages)."""
        return bool(person and person.id in self.member_ids())

    def is_coordinated_by(self, user) -> bool:
        return bool(
            user
            and user.is_authenticated
            and user.role == Role.coordinator
            and any(c.id == user.id for c in self.coordinators)
        )

    def can_manage(self, user) -> bool:
        """Admins manage every project; coordinators the ones they coordinate."""
        if not user or not user.is_authenticated:
            return False
        return user.is_admin or self.is_coordinated_by(user)


class Membership(db.Model):
    """A person's place in a project's circle; one row per person and project,
    its status changing over time (the audit trail keeps who changed it)."""

    __table_args__ = (
        UniqueConstraint("project_id", "user_id"),
        CheckConstraint(
            "status in ('requested', 'member', 'paused', 'left', 'declined', "
            "'removed')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    # The short note a person leaves when they ask to join (coordinators only).
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A pause ends by itself on this date (or when the person resumes).
    paused_until: Mapped[date | None]
    # "I'm happy to welcome newcomers": may be paired as a buddy.
    welcomes_newcomers: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invite.id"))

    project: Mapped[Project] = relationship()
    user: Mapped[User] = relationship()

    @property
    def belongs(self) -> bool:
        return self.status in BELONGING


class Invite(db.Model):
    """An invitation link to join a project: expiring, usable a number of times,
    revocable. Only the token's hash is stored, as with feed links."""

    __table_args__ = (CheckConstraint("max_uses >= 1", name="max_uses"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(60))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    max_uses: Mapped[int] = mapped_column(default=20)
    uses: Mapped[int] = mapped_column(default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship()

    def usable(self, now: datetime) -> bool:
        return (
            self.revoked_at is None
            and self.expires_at > now
            and self.uses < self.max_uses
        )
