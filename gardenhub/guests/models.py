"""A guest pass: the link that confirms, shows and cancels one guest sign-up."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gardenhub.accounts.models import User
from gardenhub.db import UTCDateTime, utcnow
from gardenhub.extensions import db
from gardenhub.workdays.models import Shift, Signup


class GuestPass(db.Model):
    """One person's link for one shift, sent to the address they typed. The
    seat is taken only when the link is opened and confirmed, so nobody fills a
    shift with addresses they do not control. Until the shift is over it shows,
    cancels, adds to a calendar and checks in; it never logs anyone in.

    Asking again for the same shift sends a fresh link and retires the old one
    (one pass per person and shift). Only a hash of the link is stored."""

    __tablename__ = "guest_pass"
    __table_args__ = (UniqueConstraint("shift_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    signup_id: Mapped[int | None] = mapped_column(ForeignKey("signup.id"))
    # Where the link went: "email" or "sms".
    channel: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The link works until the shift is over.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    shift: Mapped[Shift] = relationship()
    person: Mapped[User] = relationship()
    signup: Mapped[Signup | None] = relationship()

    def has_ended(self, now: datetime) -> bool:
        return now >= self.expires_at
