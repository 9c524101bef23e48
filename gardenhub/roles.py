"""Roles and the role gates for views: a leaf any package may use.

Anonymous visitors go to log-in; a logged-in person without the role gets 403.
Which projects or gardens someone manages is a question for the models
(`project.can_manage(user)`), asked in the view.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from gardenhub.i18n import _l


class Role(StrEnum):
    volunteer = "volunteer"
    coordinator = "coordinator"
    admin = "admin"

    @property
    def label(self):
        """The role's name shown to people ("Coordinator"), in their language."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.volunteer: _l("Volunteer"),
    Role.coordinator: _l("Coordinator"),
    Role.admin: _l("Admin"),
}


def role_required(*roles: Role) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles and not current_user.is_admin:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(Role.admin)
coordinator_required = role_required(Role.coordinator, Role.admin)


def manageable(obj):
    """`obj` when the current user may manage it (the model's own
    `can_manage` question), else a 403: the object check every coordinator
    view makes after loading."""
    if not obj.can_manage(current_user):
        abort(403)
    return obj
