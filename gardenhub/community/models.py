"""Goal, Partnership, Thanks and SharedMilestone."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gardenhub.accounts.models import User
from gardenhub.db import UTCDateTime, utcnow
from gardenhub.extensions import db
from gardenhub.i18n import _
from gardenhub.projects.models import Project
from gardenhub.workdays.models import Workday


class GoalKind(StrEnum):
    workdays_per_month = "workdays_per_month"  # e.g. 2 workdays a month
    hours = "hours"  # e.g. 20 hours by the end date

    @property
    def label(self) -> str:
        return {
            "workdays_per_month": _("workdays a month"),
            "hours": _("hours in all"),
        }[self.value]


class Goal(db.Model):
    """A member's private goal in a project for a season. Progress comes from
    real check-ins and approved hours; only its owner (and an accepted
    partner, who sees progress only) ever see it."""

    __table_args__ = (
        CheckConstraint("target > 0", name="target"),
        CheckConstraint("ends_on > starts_on", name="dates"),
        CheckConstraint("kind in ('workdays_per_month', 'hours')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    target: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    project: Mapped[Project] = relationship()

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class PartnerStatus(StrEnum):
    asked = "asked"
    accepted = "accepted"
    declined = "declined"
    ended = "ended"


class Partnership(db.Model):
    """One fellow member who accepted to see a goal's progress (never shifts,
    times or places). Either side can end it; nobody is told why."""

    __table_args__ = (
        CheckConstraint(
            "status in ('asked', 'accepted', 'declined', 'ended')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PartnerStatus.asked)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last step (a quarter of the goal) the partner was told about.
    last_step: Mapped[int] = mapped_column(default=0)

    goal: Mapped[Goal] = relationship()
    partner: Mapped[User] = relationship()


class Thanks(db.Model):
    """A short thank-you to a workday's attendees, on their My page only."""

    __tablename__ = "thanks"

    id: Mapped[int] = mapped_column(primary_key=True)
    workday_id: Mapped[int] = mapped_column(ForeignKey("workday.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workday: Mapped[Workday] = relationship()
    author: Mapped[User] = relationship()


class SharedMilestone(db.Model):
    """A milestone a member chose to share with their project, one by one."""

    __tablename__ = "shared_milestone"
    __table_args__ = (UniqueConstraint("user_id", "project_id", "milestone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    milestone: Mapped[str] = mapped_column(String(40))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
