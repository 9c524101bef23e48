"""Personal access tokens for the JSON API: named, scoped, expiring and
revocable; stored only as a hash, like feed links."""

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gardenhub import audit
from gardenhub.accounts.models import User
from gardenhub.db import UTCDateTime, utcnow
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.i18n import _, _l
from gardenhub.tokens import hash_secret, new_secret

# What a token may do. "read" is every token's floor.
SCOPES = {
    "read": _l("Read my shifts and tasks"),
    "signup": _l("Sign me up, cancel and take offered seats"),
    "coordinate": _l("Coordinate my projects: workdays, rosters and check-in"),
}
LIFETIMES = (30, 90, 365)  # days
MAX_LIVE = 20
PREFIX = "gh_"
# Writing "last used" at most this often keeps a busy script from writing a
# row per request.
TOUCH_EVERY = timedelta(minutes=1)


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(100))  # space-separated
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def scope_list(self) -> list[str]:
        return [scope for scope in SCOPES if scope in self.scopes.split()]

    def allows(self, scope: str) -> bool:
        return scope in self.scopes.split()

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def can_manage(self, user) -> bool:
        """Only its owner sees or revokes it."""
        return user.is_authenticated and user.id == self.user_id


class TokenError(GardenHubError):
    pass


def live_tokens(person, now: datetime) -> list[ApiToken]:
    return db.session.scalars(
        select(ApiToken)
        .where(
            ApiToken.user_id == person.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def create(
    person: User, *, name: str, scopes: list[str], days: int, now: datetime
) -> tuple[ApiToken, str]:
    """A new token and its secret (shown once). Only coordinators get the
    "coordinate" scope; at most MAX_LIVE live tokens per person."""
    chosen = {"read", *scopes}
    if not chosen <= set(SCOPES):
        raise TokenError(_("Choose from the listed permissions."), field="scopes")
    if "coordinate" in chosen and not person.is_coordinator:
        raise TokenError(
            _("Only coordinators can give a token coordinating rights."),
            field="scopes",
        )
    if days not in LIFETIMES:
        raise TokenError(_("Choose how long the token works."), field="days")
    db.session.get(User, person.id, with_for_update=True)
    live = db.session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(
            ApiToken.user_id == person.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    )
    if live >= MAX_LIVE:
        raise TokenError(
            _("You have %(count)s tokens already: revoke one first.", count=MAX_LIVE)
        )
    secret = PREFIX + new_secret()
    token = ApiToken(
        user_id=person.id,
        name=name,
        token_hash=hash_secret(secret),
        scopes=" ".join(scope for scope in SCOPES if scope in chosen),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(person, "api_token.create", person, name)
    return token, secret


def revoke(token: ApiToken, *, actor, now: datetime) -> None:
    if token.revoked_at is None:
        token.revoked_at = now
        audit.record(actor, "api_token.revoke", token.user, token.name)


def authenticate(header: str | None, now: datetime) -> ApiToken | None:
    """The live token an `Authorization: Bearer …` header names, whose owner
    can still log in; None otherwise. Notes when it was last used."""
    if not header or not header.startswith("Bearer "):
        return None
    secret = header[len("Bearer ") :].strip()
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))
    )
    if token is None or not token.is_live(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now  # the API's gate commits it
    return token


def forget(person: User) -> None:
    """Account deletion: every token goes."""
    db.session.execute(db.delete(ApiToken).where(ApiToken.user_id == person.id))
