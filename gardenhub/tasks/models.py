"""Task and TaskAssignment."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gardenhub.accounts.models import User
from gardenhub.db import UTCDateTime, utcnow
from gardenhub.extensions import db
from gardenhub.i18n import _
from gardenhub.projects.models import Project
from gardenhub.workdays.models import Workday


class TaskStatus(StrEnum):
    open = "open"  # nobody on it yet
    in_progress = "in_progress"  # someone took it
    done = "done"
    cancelled = "cancelled"


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"

    @property
    def label(self) -> str:
        """What people see for it, in the language being spoken."""
        return {
            "low": _("Low"),
            "normal": _("Normal"),
            "high": _("High"),
        }[self.value]


OPEN_STATUSES = (TaskStatus.open, TaskStatus.in_progress)


class Task(db.Model):
    __table_args__ = (
        CheckConstraint("people_needed between 1 and 100", name="people_needed"),
        CheckConstraint(
            "status in ('open', 'in_progress', 'done', 'cancelled')", name="status"
        ),
        CheckConstraint("priority in ('low', 'normal', 'high')", name="priority"),
        Index("ix_task_project_status", "project_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    workday_id: Mapped[int | None] = mapped_column(ForeignKey("workday.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    # A day in the garden's (or project's) calendar, not an instant.
    due_on: Mapped[date | None] = mapped_column(index=True)
    people_needed: Mapped[int] = mapped_column(default=1)
    priority: Mapped[str] = mapped_column(String(10), default=Priority.normal)
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.open)
    # Public tasks ("we need someone with a wheelbarrow") show on public pages,
    # without names.
    is_public: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Rises with every change; the iCal SEQUENCE in private feeds.
    revision: Mapped[int] = mapped_column(default=0)

    project: Mapped[Project] = relationship()
    workday: Mapped[Workday | None] = relationship()
    assignments: Mapped[list["TaskAssignment"]] = relationship(
        back_populates="task", order_by="TaskAssignment.created_at"
    )
    # The people on it now (read-only view; history stays in `assignments`).
    active_assignments: Mapped[list["TaskAssignment"]] = relationship(
        primaryjoin="and_(TaskAssignment.task_id == Task.id, "
        "TaskAssignment.released_at.is_(None))",
        viewonly=True,
        order_by="TaskAssignment.created_at",
    )

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.status}>"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def priority_label(self) -> str:
        return Priority(self.priority).label

    @property
    def timezone(self) -> str:
        if self.workday is not None:
            return self.workday.timezone
        project = self.project
        return project.garden.timezone if project.garden else project.timezone

    def can_manage(self, user) -> bool:
        return self.project.can_manage(user)

    @property
    def needs_more(self) -> int:
        """How many more people it needs (uses the loaded active assignments)."""
        if not self.is_open:
            return 0
        return max(self.people_needed - len(self.active_assignments), 0)

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today

    def has_person(self, user) -> bool:
        return bool(user and user.is_authenticated) and any(
            a.volunteer_id == user.id for a in self.active_assignments
        )

    def touch(self, now: datetime) -> None:
        self.revision += 1
        self.updated_at = now


_ACTIVE_SQL = "released_at is null"


class TaskAssignment(db.Model):
    """Someone on a task: assigned by a coordinator (`assigned_by`) or claimed
    (no `assigned_by`). Giving it back or unassigning sets `released_at`."""

    __tablename__ = "task_assignment"
    __table_args__ = (
        Index(
            "uq_task_assignment_active",
            "task_id",
            "volunteer_id",
            unique=True,
            postgresql_where=text(_ACTIVE_SQL),
            sqlite_where=text(_ACTIVE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    task: Mapped[Task] = relationship(back_populates="assignments")
    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])

    @property
    def is_active(self) -> bool:
        return self.released_at is None

    @property
    def was_claimed(self) -> bool:
        return self.assigned_by_id is None
