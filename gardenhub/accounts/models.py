"""The User model, roles and the Flask-Login loader."""

import secrets
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, String, false, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from gardenhub.db import UTCDateTime, utcnow
from gardenhub.extensions import db, login_manager
from gardenhub.roles import Role


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(db.Model):
    """A person: a registered account, or a guest a coordinator added by name.

    Guests (walk-ins, people without a smartphone) have no email and no password
    and can never log in.
    """

    __table_args__ = (
        CheckConstraint("role in ('volunteer', 'coordinator', 'admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    # E.164 ("+4917012345678") since numbers are checked; a value typed before
    # that which never parsed stays as it was (shown as typed).
    phone: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.volunteer)
    is_active: Mapped[bool] = mapped_column(default=True)
    is_guest: Mapped[bool] = mapped_column(default=False)
    # A record that stands in for a deleted or aged-out person ("Former
    # volunteer"); retention recognises these by the flag, never by the name.
    is_pseudonym: Mapped[bool] = mapped_column(default=False, server_default=false())
    # An account works once its owner opened the link sent to the address.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shows_name: Mapped[bool] = mapped_column(default=False)
    # Neutral wording in private feeds (and later messages): no project names.
    is_discreet: Mapped[bool] = mapped_column(default=False, server_default=false())
    feed_shows_waitlist: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )
    # The language pages, emails and the private feed speak ("en", "es", "de");
    # None follows the browser (and emails the garden's language).
    language: Mapped[str | None] = mapped_column(String(8))
    # Flask-Login stores this, not the id, in the session and remember cookie;
    # rotating it logs every copy of an old cookie out.
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_session_token
    )
    # Message preferences: kinds muted (comma-separated) and quiet hours, in the
    # zone of the garden a message is about.
    muted_notifications: Mapped[str] = mapped_column(
        String(300), default="", server_default=""
    )
    quiet_start: Mapped[time] = mapped_column(
        default=time(21), server_default="21:00:00"
    )
    quiet_end: Mapped[time] = mapped_column(default=time(8), server_default="08:00:00")
    # Text messages: on while consent is recorded and no STOP came after it.
    # Source: "self" (the profile), "coordinator" (a guest who agreed, audited),
    # "reply" (START to a text) or "signup" (signed up with the number).
    sms_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sms_consent_source: Mapped[str | None] = mapped_column(String(20))
    sms_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The kinds of message also sent by text (comma-separated); None: the
    # standard ones (confirmations, offers, changes, cancellations, reminders).
    sms_kinds: Mapped[str | None] = mapped_column(String(300))
    # A pause of the whole account: no reminders or messages but answers to
    # the person's own actions, until the date (or until they resume).
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"

    # Flask-Login's user protocol.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.session_token

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(
            self.password_hash, password
        )

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    def is_paused(self, today: date) -> bool:
        """The whole account is paused (until `paused_until`, if set)."""
        return self.paused_at is not None and (
            self.paused_until is None or self.paused_until > today
        )

    @property
    def texts_on(self) -> bool:
        """They agreed to texts and have not said STOP since (a number is
        needed too: the outbox checks it can be texted)."""
        return (
            bool(self.phone)
            and self.sms_consent_at is not None
            and self.sms_opted_out_at is None
        )

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def is_coordinator(self) -> bool:
        """Holds the coordinator role (or admin); which projects is another question."""
        return self.role in (Role.coordinator, Role.admin)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:

    return db.session.scalars(
        select(User).where(User.session_token == session_token, User.is_active)
    ).first()
