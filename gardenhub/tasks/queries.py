"""Read queries for task pages, the attention list and the private feed."""

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from gardenhub.accounts.models import User
from gardenhub.extensions import db
from gardenhub.projects.models import Membership, MemberStatus, Project
from gardenhub.tasks.models import OPEN_STATUSES, Task, TaskAssignment, TaskStatus
from gardenhub.timezones import local_today


def _with_people():
    return (
        selectinload(Task.active_assignments).joinedload(TaskAssignment.volunteer),
        joinedload(Task.project).joinedload(Project.garden),
        joinedload(Task.workday),
    )


def board(
    project: Project, *, status: str | None = None, public_only: bool = False
) -> list[Task]:
    query = select(Task).where(Task.project_id == project.id).options(*_with_people())
    if status:
        query = query.where(Task.status == status)
    if public_only:
        query = query.where(Task.is_public, Task.status.in_(OPEN_STATUSES))
    order = [
        Task.status.in_(OPEN_STATUSES).desc(),
        Task.due_on.is_(None),
        Task.due_on,
        Task.id,
    ]
    return list(db.session.scalars(query.order_by(*order)))


def for_workday(workday_id: int, *, public_only: bool) -> list[Task]:
    query = select(Task).where(
        Task.workday_id == workday_id, Task.status != TaskStatus.cancelled
    )
    if public_only:
        query = query.where(Task.is_public, Task.status.in_(OPEN_STATUSES))
    return list(db.session.scalars(query.options(*_with_people()).order_by(Task.id)))


def my_assignments(person, *, done: bool) -> list[TaskAssignment]:
    """A person's current tasks (open ones) or their history (done)."""
    statuses = (TaskStatus.done,) if done else OPEN_STATUSES
    return list(
        db.session.scalars(
            select(TaskAssignment)
            .join(Task, Task.id == TaskAssignment.task_id)
            .where(
                TaskAssignment.volunteer_id == person.id,
                TaskAssignment.released_at.is_(None),
                Task.status.in_(statuses),
            )
            .options(joinedload(TaskAssignment.task).options(*_with_people()))
            .order_by(Task.due_on.is_(None), Task.due_on, Task.id)
            .limit(200)
        ).unique()
    )


def needs_attention(
    project_ids: set[int], *, now: datetime, soon_days: int
) -> list[Task]:
    """Open tasks still short of people, due within `soon_days` (in the garden's
    calendar) or overdue."""
    if not project_ids:
        return []
    horizon = now.date() + timedelta(days=soon_days + 1)  # widest zone first
    tasks = db.session.scalars(
        select(Task)
        .where(
            Task.project_id.in_(project_ids),
            Task.status.in_(OPEN_STATUSES),
            Task.due_on.is_not(None),
            Task.due_on <= horizon,
        )
        .options(*_with_people())
        .order_by(Task.due_on, Task.id)
    )
    return [
        task
        for task in tasks
        if task.needs_more
        and task.due_on <= local_today(task.timezone, now) + timedelta(days=soon_days)
    ]


def feed_tasks(person, start: date, end: date) -> list[Task]:
    """Open tasks with a due date that a person is on, for their private feed."""
    return list(
        db.session.scalars(
            select(Task)
            .join(TaskAssignment, TaskAssignment.task_id == Task.id)
            .where(
                TaskAssignment.volunteer_id == person.id,
                TaskAssignment.released_at.is_(None),
                Task.status.in_((*OPEN_STATUSES, TaskStatus.done)),
                Task.due_on.is_not(None),
                Task.due_on >= start,
                Task.due_on < end,
            )
            .options(
                joinedload(Task.project).joinedload(Project.garden),
                joinedload(Task.workday),
            )
            .order_by(Task.due_on, Task.id)
        ).unique()
    )


def roster_people(project: Project, today: date) -> list[User]:
    """Members to suggest when assigning: people who belong to the project now
    (not paused, not left) with an active, unpaused account."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.project_id == project.id,
                Membership.status == MemberStatus.member,
                User.is_active,
                User.email.is_not(None),
                User.paused_at.is_(None)
                | (User.paused_until.is_not(None) & (User.paused_until <= today)),
            )
            .order_by(User.display_name)
            .limit(300)
        )
    )
