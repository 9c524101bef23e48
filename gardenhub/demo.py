"""Demo data for `make run`: a living garden to click through. Idempotent."""

from dataclasses import dataclass

from sqlalchemy import select

from gardenhub.accounts import services as accounts
from gardenhub.accounts.models import Role, User
from gardenhub.extensions import db


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: Role
    name: str


# Demo accounts only exist where `flask demo` ran, which it refuses in production.
LOGINS = [
    DemoLogin("admin@example.org", "demo-admin-1234", Role.admin, "Alex Admin"),
    DemoLogin(
        "coordinator@example.org",
        "demo-coord-1234",
        Role.coordinator,
        "Casey Coordinator",
    ),
    DemoLogin(
        "volunteer@example.org", "demo-volunteer-1234", Role.volunteer, "Val Volunteer"
    ),
]


def seed() -> list[DemoLogin]:
    """Create whatever demo data is missing; never duplicates or overwrites."""
    for login in LOGINS:
        _ensure_user(login)
    db.session.flush()
    return LOGINS


def _ensure_user(login: DemoLogin) -> User:
    user = db.session.scalars(select(User).where(User.email == login.email)).first()
    if user is None:
        user = accounts.register(
            login.email, login.name, login.password, role=login.role
        )
    return user
