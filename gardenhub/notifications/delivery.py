"""Deliver the outbox over SMTP: claim rows, send, record, retry with backoff.

Exactly once: a worker first claims due rows (status "sending", committed; on
PostgreSQL with FOR UPDATE SKIP LOCKED, on SQLite under the database write
lock), so a second worker never picks them up. A row left in "sending" by a
crashed worker is marked failed for a person to check, never resent blindly.
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
from gardenhub.notifications.models import Notification, OutboxStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
STUCK_AFTER = timedelta(hours=1)


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 … minutes, at most six hours."""
    return min(timedelta(minutes=2**attempts), timedelta(hours=6))


def claim(now: datetime, limit: int) -> list[int]:
    """Mark up to `limit` due messages as ours; commits so others skip them."""
    query = (
        select(Notification)
        .where(
            Notification.status == OutboxStatus.queued,
            Notification.next_attempt_at <= now,
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
    """Send what is due. Without SMTP settings nothing is sent (the admin outbox
    page shows the messages). Returns counts by outcome."""
    now = now or utcnow()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if not smtp_configured():
        return counts
    _mark_stuck(now)
    ids = claim(now, limit)
    if not ids:
        return counts
    smtp = None
    for message_id in ids:
        row = db.session.get(Notification, message_id)
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
            row.attempts += 1
            row.last_error = f"{type(error).__name__}: {error}"[:500]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutboxStatus.failed
                counts["failed"] += 1
            else:
                row.status = OutboxStatus.queued
                row.next_attempt_at = now + backoff(row.attempts)
                counts["retry"] += 1
            log.warning(
                "delivery of notification %s failed: %s", row.id, type(error).__name__
            )
            smtp = None
        else:
            row.status = OutboxStatus.sent
            row.sent_at = utcnow()
            row.attempts += 1
            counts["sent"] += 1
        db.session.commit()
    if smtp is not None:
        smtp.quit()
    return counts


class DeliveryError(GardenHubError):
    pass


def retry(row: Notification, *, now: datetime) -> None:
    """An admin sends a failed message again (after checking it did not arrive).
    Raises DeliveryError for a message that has not failed."""
    if row.status != OutboxStatus.failed:
        raise DeliveryError(_("Only a failed message can be sent again."))
    row.status = OutboxStatus.queued
    row.next_attempt_at = now
