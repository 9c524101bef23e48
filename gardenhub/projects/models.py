"""The Project model and its coordinators."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gardenhub.accounts.models import Role, User
from gardenhub.db import UTCDateTime, utcnow
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden

DEFAULT_PUBLIC_NAME = "Community garden project"

project_coordinator = Table(
    "project_coordinator",
    db.metadata,
    Column("project_id", ForeignKey("project.id"), primary_key=True),
    Column("user_id", ForeignKey("user.id"), primary_key=True, index=True),
)


class Project(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # What the public sees (pages, feed names): neutral unless the group wants its
    # name published.
    public_name: Mapped[str] = mapped_column(
        String(120), default=DEFAULT_PUBLIC_NAME, server_default=DEFAULT_PUBLIC_NAME
    )
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    garden_id: Mapped[int | None] = mapped_column(ForeignKey("garden.id"), index=True)
    # Used for workdays away from a garden (a free-text location).
    timezone: Mapped[str] = mapped_column(String(64))
    colour: Mapped[str] = mapped_column(String(7), default="#2f6b3a")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Any change to the row: feeds show the public name, and archiving hides.
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    garden: Mapped[Garden | None] = relationship()
    coordinators: Mapped[list[User]] = relationship(
        secondary=project_coordinator, order_by=User.display_name
    )

    def __repr__(self) -> str:
        return f"<Project {self.slug}>"

    def name_for(self, viewer) -> str:
        if viewer is not None and viewer.is_authenticated:
            return self.name
        return self.public_name

    def is_coordinated_by(self, user) -> bool:
        return bool(
            user
            and user.is_authenticated
            and user.role == Role.coordinator
            and any(c.id == user.id for c in self.coordinators)
        )

    def can_manage(self, user) -> bool:
        """Admins manage every project; coordinators the ones they coordinate."""
        if not user or not user.is_authenticated:
            return False
        return user.is_admin or self.is_coordinated_by(user)
