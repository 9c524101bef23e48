"""The one place that decides how a person's name appears to a viewer."""

from typing import Protocol

from gardenhub.i18n import _l

# What a viewer sees instead of a name (lazy: str() it where it is used).
ANONYMOUS_NAME = _l("A volunteer")


class Managed(Protocol):
    """A project or garden: who manages it, and (projects) who belongs."""

    def can_manage(self, user) -> bool: ...


def _fellows(context) -> set[int]:
    member_ids = getattr(context, "member_ids", None)
    return member_ids() if member_ids else set()


def can_see_identity(viewer, person, context: Managed | None = None) -> bool:
    """May `viewer` see who `person` is (name; contact data needs can_see_contact)?

    Themselves and admins always; coordinators only inside what they manage
    (`context`, e.g. the project of a roster); fellow members of the context
    project only when the person chose to show their name. Everyone else (the
    public, and logged-in people outside the project) never.
    """
    if person is None or viewer is None or not viewer.is_authenticated:
        return False
    if viewer.id == person.id or viewer.is_admin:
        return True
    if context is not None and context.can_manage(viewer):
        return True
    fellows = _fellows(context)
    return (
        bool(person.shows_name)
        and not person.is_guest
        and viewer.id in fellows
        and person.id in fellows
    )


def can_see_contact(viewer, person, context: Managed | None = None) -> bool:
    if person is None or viewer is None or not viewer.is_authenticated:
        return False
    if viewer.id == person.id or viewer.is_admin:
        return True
    return context is not None and context.can_manage(viewer)


def visible_name(viewer, person, context: Managed | None = None) -> str:
    if can_see_identity(viewer, person, context):
        return person.display_name
    return str(ANONYMOUS_NAME)


def shown_names(
    viewer, people, context: Managed | None = None
) -> tuple[list[str], int]:
    """The names `viewer` may see among `people` (each person once, in order), and
    how many others stay anonymous. Same rules as `can_see_identity`, with the
    viewer's rights worked out once for the whole list."""
    unique = list({person.id: person for person in people}.values())
    if viewer is None or not viewer.is_authenticated:
        return [], len(unique)
    sees_all = viewer.is_admin or (context is not None and context.can_manage(viewer))
    fellows = _fellows(context)
    is_fellow = viewer.id in fellows
    names = [
        person.display_name
        for person in unique
        if sees_all
        or person.id == viewer.id
        or (
            is_fellow
            and person.id in fellows
            and person.shows_name
            and not person.is_guest
        )
    ]
    return names, len(unique) - len(names)
