"""Role gates for views: anonymous goes to log-in, the wrong role gets 403."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from gardenhub.accounts.models import Role


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
