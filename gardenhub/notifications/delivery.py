"""Deliver the outbox (emails over SMTP, texts through the SMS backend):
claim rows, send, record, retry with backoff.

Exactly once: a worker first claims due rows (status "sending", committed; on
PostgreSQL with FOR UPDATE SKIP LOCKED, on SQLite under the database write
lock), so a second worker never picks them up. A row left in "sending" by a
crashed worker is marked failed for a person to check, never resent blindly.
Only channels that are configured are claimed: without SMTP emails wait as
"queued"; without an SMS backend texts were stored "held" (`services.queue`).
"""

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import select

from gardenhub.db import utcnow
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.i18n import _
from gardenhub.notifications import sms
from gardenhub.notifications.models import Channel, Notification, OutboxStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
STUCK_AFTER = timedelta(hours=1)


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def channels() -> list[str]:
    """The channels this deployment can deliver."""
    found = []
    if smtp_configured():
        found.append(Channel.email)
    if sms.configured():
        found.append(Channel.sms)
    return found


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 … minutes, at most six hours."""
    return min(timedelta(minutes=2**attempts), timedelta(hours=6))


def claim(now: datetime, limit: int, on: list[str] | None = None) -> list[int]:
    """Mark up to `limit` due messages (of the channels `on`, else every
    channel) as ours; commits so others skip them."""
    query = (
        select(Notification)
        .where(
            Notification.status == OutboxStatus.queued,
            Notification.next_attempt_at <= now,
            Notification.channel.in_(on or list(Channel)),
        )
        .order_by(Notification.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = db.session.scalars(query).all()
    for row in rows:
        row.status = OutboxStatus.sending
        row.claimed_at = now
    db.session.commit()
    return [row.id for row in rows]


def _mark_stuck(now: datetime) -> None:
    for row in db.session.scalars(
        select(Notification).where(
            Notification.status == OutboxStatus.sending,
            Notification.claimed_at < now - STUCK_AFTER,
        )
    ):
        row.status = OutboxStatus.failed
        row.last_error = _("Delivery was interrupted; it may or may not have arrived.")
    db.session.commit()


def _email(row: Notification) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(domain="gardenhub")
    if row.reply_to:
        message["Reply-To"] = row.reply_to
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    if row.attachment is not None:
        message.add_attachment(
            row.attachment,
            maintype="text",
            subtype="calendar",
            filename=row.attachment_name,
            params={"method": "PUBLISH"},
        )
    return message


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=20)
    if config.get("MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def deliver(*, now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Send what is due, by every configured channel. Without SMTP settings
    emails are not sent (the admin outbox page shows them); without an SMS
    backend no text is. Returns counts by outcome."""
    now = now or utcnow()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    on = channels()
    if not on:
        return counts
    _mark_stuck(now)
    ids = claim(now, limit, on)
    if not ids:
        return counts
    smtp = None
    texts = Texts(now)
    for message_id in ids:
        row = db.session.get(Notification, message_id)
        if row.channel == Channel.sms:
            counts[texts.send(row)] += 1
            db.session.commit()
            continue
        try:
            email = _email(row)
        except (ValueError, TypeError, LookupError) as error:
            # This one message cannot be made into an email (a header the
            # email library refuses): it fails alone and the rest go out.
            row.status = OutboxStatus.failed
            row.attempts += 1
            reason = f"{type(error).__name__}: {error}"
            row.last_error = _("Could not be built: %(error)s", error=reason)[:500]
            counts["failed"] += 1
            log.warning("notification %s could not be built", row.id)
            db.session.commit()
            continue
        try:
            smtp = smtp or _connect()
            smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as error:
            counts[_retry_or_fail(row, f"{type(error).__name__}: {error}", now)] += 1
            log.warning(
                "delivery of notification %s failed: %s", row.id, type(error).__name__
            )
            smtp = None
        else:
            _sent(row)
            counts["sent"] += 1
        db.session.commit()
    if smtp is not None:
        smtp.quit()
    return counts


def _sent(row: Notification) -> None:
    row.status = OutboxStatus.sent
    row.sent_at = utcnow()
    row.attempts += 1


def _retry_or_fail(
    row: Notification, error: str, now: datetime, wait: timedelta | None = None
) -> str:
    """Count a failed try: queue it again after `wait` (else the backoff), or
    give up after MAX_ATTEMPTS. Returns the outcome for the counts."""
    row.attempts += 1
    row.last_error = error[:500]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = OutboxStatus.failed
        return "failed"
    row.status = OutboxStatus.queued
    row.next_attempt_at = now + (wait if wait is not None else backoff(row.attempts))
    return "retry"


class Texts:
    """One delivery run's texts: one backend, and once the provider said "too
    many" (429), the rest of this run's texts wait as long, untried."""

    def __init__(self, now: datetime):
        self.now = now
        self.backend = None
        self.paused_until: datetime | None = None

    def send(self, row: Notification) -> str:
        if self.paused_until is not None:
            row.status = OutboxStatus.queued
            row.next_attempt_at = self.paused_until
            return "retry"
        try:
            self.backend = self.backend or sms.backend()
            row.provider_ref = sms.send(row, self.backend)[:64]
        except sms.Refused as error:
            row.attempts += 1
            row.status = OutboxStatus.failed
            row.last_error = error.reason[:500]
            log.warning("text %s refused by the provider", row.id)
            return "failed"
        except sms.Later as error:
            outcome = _retry_or_fail(row, error.reason, self.now, error.retry_after)
            if error.retry_after is not None:
                self.paused_until = row.next_attempt_at
            log.warning("text %s not sent this time: %s", row.id, error.reason)
            return outcome
        _sent(row)
        return "sent"


class DeliveryError(GardenHubError):
    pass


def retry(row: Notification, *, now: datetime) -> None:
    """An admin sends a failed message again (after checking it did not arrive).
    Raises DeliveryError for a message that has not failed."""
    if row.status != OutboxStatus.failed:
        raise DeliveryError(_("Only a failed message can be sent again."))
    row.status = OutboxStatus.queued
    row.next_attempt_at = now
