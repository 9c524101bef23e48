"""Private feed links: one token per device, stored only as a hash."""

from datetime import datetime

from sqlalchemy import ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gardenhub.accounts.models import User
from gardenhub.db import UTCDateTime, utcnow
from gardenhub.extensions import db
from gardenhub.tokens import hash_secret

hash_token = hash_secret


class FeedStamp(db.Model):
    """When a feed's bytes last changed, shared by every process: a feed's
    Last-Modified. It moves whenever the bytes do (an event removed, a garden's
    address edited), so a client that sends only If-Modified-Since is never
    told "not modified" about changed bytes."""

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # feed hash
    etag: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeedToken(db.Model):
    """A private "my shifts" feed link. The token itself is shown once, at creation;
    a database leak hands out hashes, not working links."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "Remind me N hours before" each confirmed shift, for this link's calendar.
    remind_hours: Mapped[int | None] = mapped_column(SmallInteger)

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
