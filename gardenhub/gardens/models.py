"""Garden: a place with a time zone, a plot map grid and its coordinators."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gardenhub.accounts.models import Role, User
from gardenhub.db import UTCDateTime, utcnow
from gardenhub.extensions import db

garden_coordinator = Table(
    "garden_coordinator",
    db.metadata,
    Column("garden_id", ForeignKey("garden.id"), primary_key=True),
    Column("user_id", ForeignKey("user.id"), primary_key=True, index=True),
)


class Garden(db.Model):
    __table_args__ = (
        CheckConstraint("map_width between 1 and 200", name="map_width"),
        CheckConstraint("map_height between 1 and 200", name="map_height"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    address: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    # IANA zone: every time at this garden is entered and shown in it.
    timezone: Mapped[str] = mapped_column(String(64))
    # The language of its public feeds and of messages to people who chose none.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # The plot map is a grid of this many units.
    map_width: Mapped[int] = mapped_column(default=24, server_default="24")
    map_height: Mapped[int] = mapped_column(default=16, server_default="16")
    # The season plots are handed out for (offers and assignments default to it).
    season_name: Mapped[str | None] = mapped_column(String(40))
    season_starts_on: Mapped[date | None]
    season_ends_on: Mapped[date | None]
    # Renewals for the next season: open while the deadline is set.
    renewal_deadline: Mapped[date | None]
    next_season_name: Mapped[str | None] = mapped_column(String(40))
    next_season_starts_on: Mapped[date | None]
    next_season_ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Any change to the row: public feeds show the garden's name and address.
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    coordinators: Mapped[list[User]] = relationship(
        secondary=garden_coordinator, order_by=User.display_name
    )

    def __repr__(self) -> str:
        return f"<Garden {self.slug}>"

    @property
    def place(self) -> str:
        """Its name and address, as calendars show a location."""
        return f"{self.name}, {self.address}" if self.address else self.name

    @property
    def geo(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    def is_coordinated_by(self, user) -> bool:
        return bool(
            user
            and user.is_authenticated
            and user.role == Role.coordinator
            and any(c.id == user.id for c in self.coordinators)
        )

    def can_manage(self, user) -> bool:
        """Admins and this garden's coordinators manage its plots and waitlist."""
        if not user or not user.is_authenticated:
            return False
        return user.is_admin or self.is_coordinated_by(user)
