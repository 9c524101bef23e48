"""Tasks as all-day calendar events on their due date."""

from datetime import UTC, datetime, time

from gardenhub.calendar.ical import FeedEvent, uid_host
from gardenhub.config import absolute_url


def task_event(task, person, base_url: str) -> FeedEvent:
    """A task someone is on, as an all-day event on its due date."""
    url = absolute_url("tasks.show", task_id=task.id)
    if person.is_discreet:
        summary, description = "Garden task due", f"Details: {url}"
    else:
        summary = f"Task due: {task.title}" + (
            " (done)" if task.status == "done" else ""
        )
        description = f"{task.project.name}. Details: {url}"
    midnight = datetime.combine(task.due_on, time(), UTC)
    return FeedEvent(
        uid=f"task-{task.id}@{uid_host(base_url)}",
        summary=summary,
        starts_at=midnight,
        ends_at=midnight,
        timezone=task.timezone,
        sequence=task.revision,
        changed_at=task.updated_at,
        created_at=task.created_at,
        status="CONFIRMED",
        description=description,
        url=url,
        all_day=task.due_on,
    )
