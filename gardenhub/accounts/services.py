"""Registration, authentication, passwords and roles."""

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from gardenhub import audit, tokens
from gardenhub.accounts.models import Role, User
from gardenhub.db import utcnow
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.notifications import services as notifications

# Checked when no account matches, so a failed log-in takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(GardenHubError):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalars(
        select(User).where(User.email == normalize_email(email))
    ).first()


def register(
    email: str, display_name: str, password: str, *, role: Role = Role.volunteer
) -> User:
    """Create an account; AccountError (field "email") when the email is taken."""
    if find_by_email(email) is not None:
        raise AccountError(
            "An account with this email already exists. Log in, or use another email.",
            field="email",
        )
    user = User(
        email=normalize_email(email), display_name=display_name.strip(), role=role
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def add_guest(
    display_name: str,
    *,
    actor: User,
    phone: str | None = None,
    email: str | None = None,
) -> User:
    """A person a coordinator adds by name (a walk-in); guests cannot log in."""
    if email and find_by_email(email) is not None:
        raise AccountError(
            "Someone with this email already has an account: pick them instead.",
            field="email",
        )
    guest = User(
        display_name=display_name.strip(),
        phone=(phone or "").strip() or None,
        email=normalize_email(email) if email else None,
        is_guest=True,
    )
    db.session.add(guest)
    db.session.flush()
    audit.record(actor, "guest.create", guest)
    return guest


def active_coordinators() -> list[User]:
    """People who can be chosen to coordinate a project or a garden."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.coordinator, User.is_active)
            .order_by(User.display_name)
        )
    )


def authenticate(
    email: str, password: str, *, now: datetime | None = None
) -> User | None:
    """The active account with these credentials, or None (never says why)."""
    user = find_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.is_active or user.is_guest:
        return None
    user.last_login_at = now or utcnow()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Raises AccountError (field "current_password") if `current` is wrong.

    Rotates the session token, so every other session of this person ends.
    """
    if not user.check_password(current):
        raise AccountError(
            "That is not your current password.", field="current_password"
        )
    user.set_password(new)
    user.rotate_session_token()


def update_profile(
    user: User,
    *,
    display_name: str,
    phone: str | None,
    shows_name: bool,
    is_discreet: bool = False,
    feed_shows_waitlist: bool = False,
) -> None:
    user.display_name = display_name.strip()
    user.phone = (phone or "").strip() or None
    user.shows_name = shows_name
    user.is_discreet = is_discreet
    user.feed_shows_waitlist = feed_shows_waitlist


def log_out(user: User) -> None:
    """End this and every other session of `user` (copied cookies stop working)."""
    user.rotate_session_token()


def set_role(user: User, role: Role, *, actor: User) -> None:
    """AccountError when an admin would demote themselves (one must stay admin)."""
    if user.id == actor.id and role != Role.admin:
        raise AccountError("You cannot remove your own admin role; ask another admin.")
    if user.is_guest:
        raise AccountError("Guests cannot log in, so they cannot hold a role.")
    if user.role != role:
        audit.record(actor, "user.role", user, f"{user.role} -> {role}")
        user.role = role


def set_active(user: User, active: bool, *, actor: User) -> None:
    if user.id == actor.id and not active:
        raise AccountError("You cannot disable your own account.")
    if user.is_active != active:
        user.is_active = active
        user.rotate_session_token()
        audit.record(actor, "user.enable" if active else "user.disable", user)


def request_password_reset(email: str, *, now: datetime) -> None:
    """Queue a reset link if an active account has this email; otherwise do
    nothing, so the answer never reveals whether the email exists."""
    user = find_by_email(email)
    if user is None or not user.is_active or user.is_guest:
        return
    # The hash ties the token to the current password: a change (or a use of
    # the token) makes it worthless.
    token = tokens.make("password-reset", [user.id, user.password_hash[-16:]])
    notifications.queue(
        user,
        "password_reset",
        now=now,
        reset_url=f"{notifications.base_url()}/password/reset/{token}",
    )


def user_for_reset(token: str) -> User | None:
    payload = tokens.read(
        "password-reset", token, max_age=current_app.config["PASSWORD_RESET_SECONDS"]
    )
    if not payload:
        return None
    user = db.session.get(User, payload[0])
    if (
        user is None
        or not user.is_active
        or not user.password_hash
        or user.password_hash[-16:] != payload[1]
    ):
        return None
    return user


def reset_password(user: User, new: str) -> None:
    """Single use: the new hash invalidates the token; other sessions end."""
    user.set_password(new)
    user.rotate_session_token()
