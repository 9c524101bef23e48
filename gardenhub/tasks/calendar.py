"""Tasks as all-day calendar events on their due date."""

from datetime import UTC, datetime, time

from gardenhub.calendar.ical import FeedEvent, uid_host
from gardenhub.config import absolute_url
from gardenhub.i18n import _, language


def task_event(task, person, base_url: str) -> FeedEvent:
    """A task someone is on, as an all-day event on its due date."""
    url = absolute_url("tasks.show", task_id=task.id)
    if person.is_discreet:
        summary = _("Garden task due")
        description = _("Details: %(url)s", url=url)
        categories = (_("Task"),)
    else:
        summary = (
            _("Task due: %(title)s (done)", title=task.title)
            if task.status == "done"
            else _("Task due: %(title)s", title=task.title)
        )
        project = task.project.name_for(task.project.includes(person))
        description = _("%(project)s. Details: %(url)s", project=project, url=url)
        categories = (project, _("Task"))
    if task.workday is not None:
        garden, location = task.workday.garden, task.workday.place
    else:
        garden = task.project.garden
        location = garden.place if garden else ""
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
        location=location,
        geo=garden.geo if garden else None,
        categories=categories,
        colour=task.project.colour,
        language=language(),
    )
