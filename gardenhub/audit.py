"""Audit trail: who changed what and when, for coordinator and admin actions."""

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from gardenhub.db import UTCDateTime, unwrap, utcnow
from gardenhub.extensions import db
from gardenhub.timezones import day_start_utc


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
    target = unwrap(target)
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


# What an audit row is about, for the audit page: each domain registers how to
# name its own rows (one query per kind of row, whatever the page shows), so
# this leaf never imports the domains.
Describer = Callable[[object, list[int]], dict[int, tuple[str, str | None]]]
_describers: dict[str, Describer] = {}


def describes(target_type: str) -> Callable[[Describer], Describer]:
    """Register `fn(viewer, ids) -> {id: (label, url or None)}` for a type."""

    def register(fn: Describer) -> Describer:
        _describers[target_type] = fn
        return fn

    return register


def describe(viewer, events: list[AuditEvent]) -> dict[tuple, tuple[str, str | None]]:
    """(target_type, target_id) -> (label, link) for every event's target."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.target_id is not None:
            wanted.setdefault(event.target_type, set()).add(event.target_id)
    found = {}
    for target_type, ids in wanted.items():
        describer = _describers.get(target_type)
        labels = describer(viewer, sorted(ids)) if describer else {}
        for target_id in ids:
            found[(target_type, target_id)] = labels.get(
                target_id, (f"{target_type} #{target_id}", None)
            )
    return found


def actions() -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by("action"))
    )


def events(
    *,
    actor_id: int | None,
    action: str | None,
    since: date | None,
    until: date | None,
    zone: str,
):
    """The audit page's rows, newest first, filtered by who, what and the local
    dates [since, until] in `zone`."""
    query = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
    )
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if since:
        query = query.where(AuditEvent.created_at >= day_start_utc(since, zone))
    if until:
        end = day_start_utc(until + timedelta(days=1), zone)
        query = query.where(AuditEvent.created_at < end)
    return query
