"""Read queries about projects."""

from sqlalchemy import select

from gardenhub.accounts.models import Role
from gardenhub.extensions import db
from gardenhub.projects.models import Project, project_coordinator


def managed_project_ids(person) -> set[int]:
    if not person.is_authenticated:
        return set()
    if person.is_admin:
        return set(db.session.scalars(select(Project.id)))
    if person.role != Role.coordinator:
        return set()
    return set(
        db.session.scalars(
            select(project_coordinator.c.project_id).where(
                project_coordinator.c.user_id == person.id
            )
        )
    )
