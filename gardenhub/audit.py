"""Audit trail: who changed what and when, for coordinator and admin actions."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gardenhub.db import UTCDateTime, utcnow
from gardenhub.extensions import db


class AuditEvent(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None]
    detail: Mapped[str | None] = mapped_column(String(500))
    actor = relationship("User")
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )


def record(actor, action: str, target, detail: str | None = None) -> AuditEvent:
    """Add an audit row to the current transaction (flushes to learn the id)."""
    if getattr(target, "id", None) is None:
        db.session.flush()
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=getattr(target, "id", None),
        detail=detail,
    )
    db.session.add(event)
    return event
