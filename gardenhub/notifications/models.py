"""The outbox: every message, stored first and delivered afterwards."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gardenhub.db import UTCDateTime, utcnow
from gardenhub.extensions import db
from gardenhub.i18n import _l


class Channel(StrEnum):
    email = "email"
    sms = "sms"  # a text message: `to_address` is a number in E.164


CHANNEL_LABELS = {Channel.email: _l("email"), Channel.sms: _l("text message")}


class OutboxStatus(StrEnum):
    queued = "queued"
    sending = "sending"  # claimed by one worker; never picked up by another
    sent = "sent"
    failed = "failed"  # gave up after retries, or delivery was interrupted
    # No address (email), or no SMS backend configured (texts): readable in
    # the outbox only.
    held = "held"
    cancelled = "cancelled"  # its person deleted their account before it went


# What the outbox pages show for each status.
STATUS_LABELS = {
    OutboxStatus.queued: _l("queued"),
    OutboxStatus.sending: _l("sending"),
    OutboxStatus.sent: _l("sent"),
    OutboxStatus.failed: _l("failed"),
    OutboxStatus.held: _l("held"),
    OutboxStatus.cancelled: _l("cancelled"),
}


class Notification(db.Model):
    __table_args__ = (Index("ix_notification_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    channel: Mapped[str] = mapped_column(
        String(10), default=Channel.email, server_default=Channel.email.value
    )
    # An email address, or for a text the number in E.164 ("+4917012345678").
    to_address: Mapped[str | None] = mapped_column(String(254))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.queued)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # The provider's id of a text (Twilio's message SID, the gateway's id).
    provider_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
