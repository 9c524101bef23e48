"""Task rules: planning, assigning, claiming (capacity-safe), giving back, done.

Claiming and assigning count the people on a task and add one in the same
transaction, after `gardenhub.db.lock(task)`: the mechanism that guards shift
capacity guards tasks too.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from gardenhub import audit
from gardenhub.accounts.models import User
from gardenhub.db import lock
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.i18n import _, ngettext
from gardenhub.notifications import services as notifications
from gardenhub.projects.models import Project
from gardenhub.tasks.models import Priority, Task, TaskAssignment, TaskStatus
from gardenhub.timezones import local_today
from gardenhub.workdays.models import Workday


class TaskError(GardenHubError):
    pass


@dataclass
class TaskData:
    title: str
    description: str | None = None
    due_on: date | None = None
    people_needed: int = 1
    priority: str = Priority.normal
    is_public: bool = False
    workday: Workday | None = None


def _project_today(project: Project, now: datetime) -> date:
    zone = project.garden.timezone if project.garden else project.timezone
    return local_today(zone, now)


def active_count(task: Task) -> int:
    return db.session.scalar(
        select(func.count(TaskAssignment.id)).where(
            TaskAssignment.task_id == task.id, TaskAssignment.released_at.is_(None)
        )
    )


def active_assignment(task: Task, person) -> TaskAssignment | None:
    return db.session.scalars(
        select(TaskAssignment).where(
            TaskAssignment.task_id == task.id,
            TaskAssignment.volunteer_id == person.id,
            TaskAssignment.released_at.is_(None),
        )
    ).first()


def _check(project: Project, data: TaskData) -> None:
    if data.workday is not None and data.workday.project_id != project.id:
        raise TaskError(_("Pick a workday of this project."), field="workday_id")
    if data.priority not in set(Priority):
        raise TaskError(_("Pick a priority from the list."), field="priority")


def create_task(project: Project, data: TaskData, *, actor, now: datetime) -> Task:
    """Raises TaskError for a due date in the past or a workday of another project."""
    _check(project, data)
    if data.due_on is not None and data.due_on < _project_today(project, now):
        raise TaskError(_("The due date is in the past."), field="due_on")
    task = Task(
        project=project,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
        **vars(data),
    )
    db.session.add(task)
    audit.record(actor, "task.create", task)
    return task


def update_task(task: Task, data: TaskData, *, actor, now: datetime) -> None:
    """People needed cannot go below the people already on the task."""
    _check(task.project, data)
    task = lock(task)
    taken = active_count(task)
    if data.people_needed < taken:
        raise TaskError(
            ngettext(
                "%(num)d person is already on this task, so it needs at least %(num)d.",
                "%(num)d people are already on this task, so it needs at least "
                "%(num)d.",
                taken,
            ),
            field="people_needed",
        )
    if (
        data.due_on != task.due_on
        and data.due_on is not None
        and data.due_on < _project_today(task.project, now)
    ):
        raise TaskError(_("The due date is in the past."), field="due_on")
    for key, value in vars(data).items():
        setattr(task, key, value)
    task.touch(now)
    audit.record(actor, "task.update", task)


def _sync_status(task: Task) -> None:
    if task.is_open:
        task.status = TaskStatus.in_progress if active_count(task) else TaskStatus.open


def _take(task: Task, person, *, assigned_by, now: datetime) -> TaskAssignment:
    task = lock(task)
    if not task.is_open:
        raise TaskError(
            _("This task is done; it cannot take more people.")
            if task.status == TaskStatus.done
            else _("This task is cancelled; it cannot take more people.")
        )
    if active_assignment(task, person) is not None:
        raise TaskError(
            _("You are already on this task.")
            if assigned_by is None
            else _("%(name)s is already on this task.", name=person.display_name)
        )
    if active_count(task) >= task.people_needed:
        raise TaskError(
            _("This task already has everyone it needs.")
            if assigned_by is None
            else _(
                "This task already has everyone it needs. Raise “people needed” "
                "first to add someone."
            )
        )
    assignment = TaskAssignment(
        task=task,
        volunteer=person,
        created_at=now,
        assigned_by_id=assigned_by.id if assigned_by else None,
    )
    db.session.add(assignment)
    db.session.flush()
    _sync_status(task)
    task.touch(now)
    return assignment


def claim(task: Task, person, *, now: datetime) -> TaskAssignment:
    """A volunteer takes an open task until it has the people it needs."""
    return _take(task, person, assigned_by=None, now=now)


def assign(task: Task, person, *, actor, now: datetime) -> TaskAssignment:
    """A coordinator puts someone (an active account or guest) on the task."""
    if not person.is_active:
        raise TaskError(_("That account is disabled."))
    assignment = _take(task, person, assigned_by=actor, now=now)
    audit.record(actor, "task.assign", task, f"user {person.id}")
    notifications.queue(person, "task_assigned", task=task, now=now)
    return assignment


def assign_by_email(task: Task, email: str, *, actor, now: datetime) -> TaskAssignment:
    """`assign` to the active account with this email. Raises TaskError when
    there is none."""
    person = db.session.scalars(
        select(User).where(User.email == email.strip().lower(), User.is_active)
    ).first()
    if person is None or person.is_guest:
        raise TaskError(
            _("Nobody with an active account has that email."), field="email"
        )
    return assign(task, person, actor=actor, now=now)


def release(assignment: TaskAssignment, *, actor, now: datetime) -> None:
    """Give a task back (the assignee) or unassign (a coordinator). History stays."""
    task = lock(assignment.task)
    db.session.refresh(assignment)
    if not assignment.is_active:
        raise TaskError(_("That person is no longer on this task."))
    if task.status == TaskStatus.done:
        raise TaskError(_("This task is done; it stays in its history as it is."))
    assignment.released_at = now
    assignment.released_by_id = actor.id
    db.session.flush()
    _sync_status(task)
    task.touch(now)
    if actor.id != assignment.volunteer_id:
        audit.record(actor, "task.unassign", task, f"user {assignment.volunteer_id}")


def mark_done(task: Task, *, actor, note: str | None, now: datetime) -> None:
    """An assignee or a coordinator marks it done; done tasks stay visible."""
    if task.status == TaskStatus.cancelled:
        raise TaskError(_("This task was cancelled."))
    if task.status == TaskStatus.done:
        raise TaskError(_("This task is already done."))
    task.status = TaskStatus.done
    task.done_at = now
    task.done_note = note or None
    task.touch(now)
    audit.record(actor, "task.done", task)


def cancel(task: Task, *, actor, now: datetime) -> None:
    if task.status in (TaskStatus.done, TaskStatus.cancelled):
        raise TaskError(
            _("This task is already done.")
            if task.status == TaskStatus.done
            else _("This task is already cancelled.")
        )
    task.status = TaskStatus.cancelled
    task.touch(now)
    audit.record(actor, "task.cancel", task)


def reopen(task: Task, *, actor, now: datetime) -> None:
    if task.is_open:
        raise TaskError(_("This task is already open."))
    task.status = TaskStatus.open
    task.done_at = None
    _sync_status(task)
    task.touch(now)
    audit.record(actor, "task.reopen", task)
