"""Every model in one place, so migrations, the shell and tests see them all."""

from gardenhub.accounts.models import Role, User
from gardenhub.audit import AuditEvent

__all__ = ["AuditEvent", "Role", "User"]
