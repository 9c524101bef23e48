"""Creating, editing and archiving projects, and choosing their coordinators."""

from dataclasses import dataclass

from gardenhub import audit, timezones
from gardenhub.accounts import services as accounts
from gardenhub.accounts.models import Role, User
from gardenhub.errors import GardenHubError
from gardenhub.gardens.models import Garden
from gardenhub.i18n import _
from gardenhub.projects.models import (
    DEFAULT_PUBLIC_NAME,
    JoinMode,
    Project,
    Visibility,
)
from gardenhub.slugs import add_with_unique_slug


class ProjectError(GardenHubError):
    pass


@dataclass
class ProjectData:
    name: str
    timezone: str
    public_name: str = DEFAULT_PUBLIC_NAME
    description: str | None = None
    garden: Garden | None = None
    colour: str = "#2f6b3a"
    # A group opens itself up by choice: new projects are by request.
    join_mode: str = JoinMode.request
    default_visibility: str = Visibility.public
    what_to_expect: str | None = None
    org_name: str | None = None
    org_address: str | None = None
    org_contact: str | None = None
    members_can_thank: bool = False


def _check(data: ProjectData) -> None:
    if not timezones.is_valid_zone(data.timezone):
        raise ProjectError(_("Pick a time zone from the list."), field="timezone")
    if data.join_mode not in set(JoinMode):
        raise ProjectError(_("Pick how people join from the list."), field="join_mode")
    if data.default_visibility not in set(Visibility):
        raise ProjectError(
            _("Pick public or members only."), field="default_visibility"
        )


def _vouch(project: Project, vouch: bool | None, actor: User) -> None:
    """A coordinator agrees (or stops agreeing) to vouch for the project's
    hours letters with their name; nobody can sign someone else up for it."""
    if vouch:
        project.vouched_by = actor
    elif vouch is False and project.vouched_by_id == actor.id:
        project.vouched_by = None


def create_project(
    data: ProjectData, *, actor: User, vouch: bool | None = None
) -> Project:
    """The creating coordinator becomes the project's first coordinator.

    The URL slug comes from the public name, never the member name: project
    URLs appear in public pages and calendar feeds.
    """
    _check(data)
    project = Project(**vars(data))
    if actor.role == Role.coordinator:
        project.coordinators.append(actor)
    _vouch(project, vouch, actor)
    add_with_unique_slug(project, data.public_name or DEFAULT_PUBLIC_NAME)
    audit.record(actor, "project.create", project)
    return project


def update_project(
    project: Project, data: ProjectData, *, actor: User, vouch: bool | None = None
) -> None:
    _check(data)
    for key, value in vars(data).items():
        setattr(project, key, value)
    _vouch(project, vouch, actor)
    audit.record(actor, "project.update", project)


def set_archived(project: Project, archived: bool, *, actor: User) -> None:
    """Archived projects leave the lists; their workdays and history stay."""
    project.is_active = not archived
    audit.record(actor, "project.archive" if archived else "project.unarchive", project)


def set_coordinators(project: Project, user_ids: list[int], *, actor: User) -> None:
    """Raises AccountError when someone chosen does not hold the coordinator
    role, ProjectError when a coordinator leaves themselves out."""
    user_ids = list(user_ids or [])
    chosen = accounts.chosen_coordinators(user_ids)
    if actor.role == Role.coordinator and actor.id not in user_ids:
        raise ProjectError(
            _("Keep yourself as a coordinator, or ask an admin to remove you."),
            field="coordinators",
        )
    before = {user.id for user in project.coordinators}
    project.coordinators = chosen
    if before != set(user_ids):
        audit.record(
            actor,
            "project.coordinators",
            project,
            ",".join(str(i) for i in sorted(user_ids)),
        )
