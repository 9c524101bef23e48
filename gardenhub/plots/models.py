"""Plot, PlotAssignment (who held which plot when), PlotRequest (the plot
waitlist) and PlotOffer."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gardenhub.accounts.models import User
from gardenhub.db import UTCDateTime, utcnow
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.i18n import _


class PlotKind(StrEnum):
    raised_bed = "raised_bed"
    in_ground = "in_ground"
    accessible = "accessible"
    communal = "communal"

    @property
    def label(self) -> str:
        return {
            "raised_bed": _("Raised bed"),
            "in_ground": _("In-ground"),
            "accessible": _("Accessible bed"),
            "communal": _("Communal"),
        }[self.value]


class PlotStatus(StrEnum):
    available = "available"
    assigned = "assigned"
    reserved = "reserved"  # held: an open offer, or kept back by a coordinator
    inactive = "inactive"

    @property
    def label(self) -> str:
        return {
            "available": _("available"),
            "assigned": _("assigned"),
            "reserved": _("reserved"),
            "inactive": _("inactive"),
        }[self.value]


class Plot(db.Model):
    __table_args__ = (
        UniqueConstraint("garden_id", "label"),
        CheckConstraint("size > 0", name="size"),
        CheckConstraint("fee_cents is null or fee_cents >= 0", name="fee"),
        CheckConstraint("width >= 1 and height >= 1", name="extent"),
        CheckConstraint("x >= 0 and y >= 0", name="position"),
        CheckConstraint(
            "kind in ('raised_bed', 'in_ground', 'accessible', 'communal')",
            name="kind",
        ),
        CheckConstraint(
            "status in ('available', 'assigned', 'reserved', 'inactive')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    garden_id: Mapped[int] = mapped_column(ForeignKey("garden.id"), index=True)
    label: Mapped[str] = mapped_column(String(20))
    size: Mapped[float]
    size_unit: Mapped[str] = mapped_column(String(10), default="m²")
    kind: Mapped[str] = mapped_column(String(20), default=PlotKind.raised_bed)
    status: Mapped[str] = mapped_column(String(20), default=PlotStatus.available)
    x: Mapped[int]
    y: Mapped[int]
    width: Mapped[int] = mapped_column(default=1)
    height: Mapped[int] = mapped_column(default=1)
    notes: Mapped[str | None] = mapped_column(String(500))
    # Seasonal fee in cents; None when the garden charges nothing for it.
    fee_cents: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    garden: Mapped[Garden] = relationship()

    def __repr__(self) -> str:
        return f"<Plot {self.label}>"

    def can_manage(self, user) -> bool:
        return self.garden.can_manage(user)

    @property
    def kind_label(self) -> str:
        return PlotKind(self.kind).label

    @property
    def status_label(self) -> str:
        return PlotStatus(self.status).label

    def overlaps(self, x: int, y: int, width: int, height: int) -> bool:
        return (
            x < self.x + self.width
            and self.x < x + width
            and y < self.y + self.height
            and self.y < y + height
        )


class FeeStatus(StrEnum):
    due = "due"
    paid = "paid"
    waived = "waived"  # confidential: only garden coordinators and admins see it

    @property
    def label(self) -> str:
        return {"due": _("due"), "paid": _("paid"), "waived": _("waived")}[self.value]


class PlotAssignment(db.Model):
    """Who held which plot when; never deleted. `ended_on` closes it early."""

    __tablename__ = "plot_assignment"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates"),
        Index("ix_plot_assignment_plot_dates", "plot_id", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plot_id: Mapped[int] = mapped_column(ForeignKey("plot.id"))
    gardener_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    season_name: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Renewal for the next season: set when the gardener renews.
    renewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fee_status: Mapped[str | None] = mapped_column(String(10))

    plot: Mapped[Plot] = relationship()
    gardener: Mapped[User] = relationship(foreign_keys=[gardener_id])

    def can_manage(self, user) -> bool:
        return self.plot.can_manage(user)

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    def is_current(self, today: date) -> bool:
        return self.is_active and self.starts_on <= today <= self.ends_on


class RequestStatus(StrEnum):
    waiting = "waiting"
    offered = "offered"
    accepted = "accepted"
    withdrawn = "withdrawn"
    lapsed = "lapsed"

    @property
    def label(self) -> str:
        """As in "Request withdrawn" on My plot."""
        return {
            "waiting": _("Request waiting"),
            "offered": _("Request offered"),
            "accepted": _("Request accepted"),
            "withdrawn": _("Request withdrawn"),
            "lapsed": _("Request lapsed"),
        }[self.value]


ACTIVE_REQUEST_SQL = "status in ('waiting', 'offered')"


class PlotRequest(db.Model):
    """A place in a garden's plot waitlist: first come, first served."""

    __tablename__ = "plot_request"
    __table_args__ = (
        Index(
            "uq_plot_request_active",
            "garden_id",
            "requester_id",
            unique=True,
            postgresql_where=text(ACTIVE_REQUEST_SQL),
            sqlite_where=text(ACTIVE_REQUEST_SQL),
        ),
        Index("ix_plot_request_queue", "garden_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    garden_id: Mapped[int] = mapped_column(ForeignKey("garden.id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # Preferences: the smallest size that would do, and whether an accessible bed
    # is needed.
    min_size: Mapped[float | None]
    needs_accessible: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.waiting)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The requester says "still interested" now and then; stale requests lapse.
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    missed_offers: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lapse_reason: Mapped[str | None] = mapped_column(String(200))

    garden: Mapped[Garden] = relationship()
    requester: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in (RequestStatus.waiting, RequestStatus.offered)

    @property
    def status_label(self) -> str:
        return RequestStatus(self.status).label

    def matches(self, plot: Plot) -> bool:
        if plot.kind == PlotKind.communal:
            return False
        if self.needs_accessible and plot.kind != PlotKind.accessible:
            return False
        return self.min_size is None or plot.size >= self.min_size


class OfferStatus(StrEnum):
    open = "open"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"

    @property
    def label(self) -> str:
        return {
            "open": _("open"),
            "accepted": _("accepted"),
            "declined": _("declined"),
            "expired": _("expired"),
        }[self.value]


OPEN_OFFER_SQL = "status = 'open'"


class PlotOffer(db.Model):
    """A free plot offered to one request, with a deadline to answer."""

    __tablename__ = "plot_offer"
    __table_args__ = (
        # One open offer per plot and per request, whatever the concurrency.
        Index(
            "uq_plot_offer_open_plot",
            "plot_id",
            unique=True,
            postgresql_where=text(OPEN_OFFER_SQL),
            sqlite_where=text(OPEN_OFFER_SQL),
        ),
        Index(
            "uq_plot_offer_open_request",
            "request_id",
            unique=True,
            postgresql_where=text(OPEN_OFFER_SQL),
            sqlite_where=text(OPEN_OFFER_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plot_id: Mapped[int] = mapped_column(ForeignKey("plot.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("plot_request.id"), index=True)
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(20), default=OfferStatus.open)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plot: Mapped[Plot] = relationship()
    request: Mapped[PlotRequest] = relationship()
