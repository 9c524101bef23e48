"""Private feed links: create, revoke, and look up by token."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.feeds.models import FeedStamp, FeedToken, hash_token
from gardenhub.i18n import _, ngettext

MAX_ACTIVE_TOKENS = 10
# Recording every poll would write on every read; once an hour is enough to
# show "last used".
LAST_USED_PRECISION = timedelta(hours=1)


MAX_REMIND_HOURS = 48


class FeedTokenError(GardenHubError):
    pass


def create_token(
    person, name: str, *, now: datetime, remind_hours: int | None = None
) -> tuple[FeedToken, str]:
    """A new private feed link for one device, optionally with a reminder
    before each shift. Returns the row and the token, which is shown once and
    never stored (256 random bits; only its hash is kept)."""
    if remind_hours is not None and not 1 <= remind_hours <= MAX_REMIND_HOURS:
        raise FeedTokenError(
            _("A reminder comes 1 to %(max)s hours before.", max=MAX_REMIND_HOURS),
            field="remind_hours",
        )
    active = db.session.scalars(
        select(FeedToken).where(
            FeedToken.user_id == person.id, FeedToken.revoked_at.is_(None)
        )
    ).all()
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise FeedTokenError(
            ngettext(
                "You already have %(num)d feed link; "
                "revoke it first if you no longer use it.",
                "You already have %(num)d feed links; "
                "revoke one you no longer use first.",
                MAX_ACTIVE_TOKENS,
            ),
            field="name",
        )
    token = secrets.token_urlsafe(32)
    row = FeedToken(
        user_id=person.id,
        name=name.strip(),
        token_hash=hash_token(token),
        created_at=now,
        remind_hours=remind_hours,
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def _later(now: datetime, before: datetime) -> datetime:
    """HTTP dates count whole seconds: a change within the second of the last
    one must still read as later."""
    return max(now, before + timedelta(seconds=1))


def changed_at(feed: str, digest: str, *, language: str, now: datetime) -> datetime:
    """Last-Modified of the feed named `feed` (its address; hashed, since a
    private feed's address is its secret) in `language`, now that it holds
    bytes whose hash (their ETag) is `digest`: kept while the bytes stay the
    same, `now` once they differ. Each language of a feed is its own
    representation with its own stamp (the Spanish and English bytes
    alternating must not move each other's). Commits its own row."""
    key = hashlib.sha256(f"{feed}\x00{language}".encode()).hexdigest()
    etag = digest
    row = db.session.get(FeedStamp, key)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(FeedStamp(key=key, etag=etag, changed_at=now))
            db.session.commit()
            return now
        except IntegrityError:  # another process stamped it a moment ago
            row = db.session.get(FeedStamp, key, populate_existing=True)
    if row.etag != etag:
        row.etag = etag
        row.changed_at = _later(now, row.changed_at)
    stamp = row.changed_at
    db.session.commit()
    return stamp


def revoke(row: FeedToken, *, now: datetime) -> None:
    if row.revoked_at is None:
        row.revoked_at = now


def revoke_all(person, *, now: datetime) -> None:
    for row in db.session.scalars(
        select(FeedToken).where(
            FeedToken.user_id == person.id, FeedToken.revoked_at.is_(None)
        )
    ):
        row.revoked_at = now


def find_active(token: str) -> FeedToken | None:
    """The active token row whose owner is still active, or None."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalars(
        select(FeedToken).where(
            FeedToken.token_hash == hash_token(token), FeedToken.revoked_at.is_(None)
        )
    ).first()
    if row is None or not row.user.is_active:
        return None
    return row


def record_use(row: FeedToken, *, now: datetime) -> bool:
    """Note the fetch time, at most once per hour. True when something changed."""
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        row.last_used_at = now
        return True
    return False
