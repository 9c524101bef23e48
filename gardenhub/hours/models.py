"""Hours logged outside shifts, and issued hours letters."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gardenhub.accounts.models import User
from gardenhub.db import UTCDateTime, utcnow
from gardenhub.extensions import db
from gardenhub.i18n import _l
from gardenhub.projects.models import Project


class EntryStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    declined = "declined"


# How a status reads on a page (the stored value stays the English word).
STATUS_LABELS = {
    EntryStatus.pending: _l("pending"),
    EntryStatus.approved: _l("approved"),
    EntryStatus.declined: _l("declined"),
}


class HoursEntry(db.Model):
    """Work outside a shift that a volunteer logs; counts once a coordinator of
    the project approves it."""

    __tablename__ = "hours_entry"
    __table_args__ = (
        CheckConstraint("hours > 0 and hours <= 24", name="hours"),
        CheckConstraint("status in ('pending', 'approved', 'declined')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    worked_on: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    description: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default=EntryStatus.pending)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])
    project: Mapped[Project] = relationship()

    def can_manage(self, user) -> bool:
        return self.project.can_manage(user)

    @property
    def status_label(self) -> str:
        """The status in the language being spoken."""
        label = STATUS_LABELS.get(self.status)
        return str(label) if label is not None else self.status


class HoursLetter(db.Model):
    """A letter confirming someone's approved hours; anyone with the code can check
    that it is genuine (the totals and period, nothing else)."""

    __tablename__ = "hours_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    total_hours: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    # What the letter names: the projects, or (for discretion) just "GardenHub".
    names_projects: Mapped[bool] = mapped_column(default=True)
    project_names: Mapped[str | None] = mapped_column(String(500))
    # The organisation behind the hours and who vouches for them, as the letter
    # was issued (a programme checks these at /verify).
    org_name: Mapped[str | None] = mapped_column(String(120))
    org_address: Mapped[str | None] = mapped_column(String(255))
    org_contact: Mapped[str | None] = mapped_column(String(255))
    vouched_by: Mapped[str | None] = mapped_column(String(80))
    # A letter from one project's organisation counts only that project.
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    volunteer: Mapped[User | None] = relationship()


class GateAction(db.Model):
    """A check-in, undo or walk-in sent from a coordinator's phone, by the key
    the phone gave it: however often the phone retries, the change is applied
    once and every retry gets the first answer."""

    __tablename__ = "gate_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # "done", "conflict" (a rule said no) or "invalid" (what was sent).
    outcome: Mapped[str] = mapped_column(String(20), default="done")
    message: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
