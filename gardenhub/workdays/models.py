"""Workday, WorkdaySeries, SeriesShift, Shift and Signup."""

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from babel.dates import format_time, get_day_names
from babel.lists import format_list
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    event,
    false,
    inspect,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from gardenhub.accounts.models import User
from gardenhub.db import UTCDateTime, utcnow
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.i18n import FORMATS, _, _l, format_day, language, ngettext
from gardenhub.projects.models import Project

# Stored in the database (the column's default); forms prefill it translated.
DEFAULT_PUBLIC_TITLE = "Community garden workday"


def _formats() -> str:
    return FORMATS.get(language(), "en_GB")


def weekday_names(width: str = "wide") -> list[str]:
    """Monday to Sunday in the language being spoken (Babel's names):
    "wide" ("Monday") as in a sentence, "short" ("Mon") as a heading."""
    if width == "short":
        names = get_day_names("abbreviated", context="stand-alone", locale=_formats())
    else:
        names = get_day_names("wide", locale=_formats())
    return [names[number] for number in range(7)]


def format_clock(clock: time) -> str:
    """A local time of day ("09:00"), written as the language writes times
    (the same as the `localtime` filter does for moments)."""
    return format_time(clock, "short", locale=_formats())


class WorkdayStatus(StrEnum):
    scheduled = "scheduled"
    cancelled = "cancelled"


class SignupStatus(StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    offered = "offered"  # a freed seat is held for this person until offer_expires_at
    cancelled = "cancelled"
    expired = "expired"  # an offer nobody confirmed in time


# What people read for a status (the values themselves are stored).
SIGNUP_STATUS_LABELS = {
    SignupStatus.confirmed: _l("confirmed"),
    SignupStatus.waitlisted: _l("waitlisted"),
    SignupStatus.offered: _l("offered"),
    SignupStatus.cancelled: _l("cancelled"),
    SignupStatus.expired: _l("expired"),
}


ACTIVE_STATUSES = (
    SignupStatus.confirmed,
    SignupStatus.waitlisted,
    SignupStatus.offered,
)
# Statuses that occupy a seat: capacity counts these.
SEAT_STATUSES = (SignupStatus.confirmed, SignupStatus.offered)
_ACTIVE_SQL = "status in ('confirmed', 'waitlisted', 'offered')"


class WorkdaySeries(db.Model):
    """A weekly rule ("every 2nd Wednesday, 8 times") that created its workdays."""

    __tablename__ = "workday_series"
    __table_args__ = (
        CheckConstraint("interval_weeks between 1 and 8", name="interval"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    # Weekday numbers, Monday = 0, comma-separated: "5" or "1,3".
    weekdays: Mapped[str] = mapped_column(String(20))
    interval_weeks: Mapped[int] = mapped_column(default=1)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    count: Mapped[int | None]
    start_time: Mapped[time]
    end_time: Mapped[time]
    timezone: Mapped[str] = mapped_column(String(64))
    visibility: Mapped[str] = mapped_column(
        String(20), default="public", server_default="public"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()
    shift_templates: Mapped[list["SeriesShift"]] = relationship(
        back_populates="series", order_by="SeriesShift.start_time"
    )

    @property
    def weekday_numbers(self) -> list[int]:
        return [int(d) for d in self.weekdays.split(",") if d]

    def describe(self) -> str:
        """ "Every 2 weeks on Wednesday, 09:00–12:00, 8 times", in the language
        being spoken."""
        names = weekday_names()
        days = format_list([names[d] for d in self.weekday_numbers], locale=_formats())
        start, end = format_clock(self.start_time), format_clock(self.end_time)
        if self.interval_weeks == 1:
            rule = _(
                "Every %(days)s, %(start)s–%(end)s", days=days, start=start, end=end
            )
        else:
            rule = ngettext(
                "Every %(num)d week on %(days)s, %(start)s–%(end)s",
                "Every %(num)d weeks on %(days)s, %(start)s–%(end)s",
                self.interval_weeks,
                days=days,
                start=start,
                end=end,
            )
        if self.ends_on:
            return _(
                "%(rule)s until %(day)s",
                rule=rule,
                day=format_day(self.ends_on, "short"),
            )
        if self.count:
            return ngettext(
                "%(rule)s, %(num)d time",
                "%(rule)s, %(num)d times",
                self.count,
                rule=rule,
            )
        return rule


class SeriesShift(db.Model):
    """A shift every workday of a series starts with (local times of day)."""

    __tablename__ = "series_shift"
    __table_args__ = (CheckConstraint("capacity >= 1", name="capacity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("workday_series.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    start_time: Mapped[time]
    end_time: Mapped[time]
    capacity: Mapped[int]
    description: Mapped[str | None] = mapped_column(Text)
    skill: Mapped[str | None] = mapped_column(String(200))

    series: Mapped[WorkdaySeries] = relationship(back_populates="shift_templates")


class Workday(db.Model):
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_workday_starts_at_status", "starts_at", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    garden_id: Mapped[int | None] = mapped_column(ForeignKey("garden.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("workday_series.id"), index=True
    )
    # What members see, and what neighbours and public feeds see.
    title: Mapped[str] = mapped_column(String(120))
    public_title: Mapped[str] = mapped_column(String(120), default=DEFAULT_PUBLIC_TITLE)
    description: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(255))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_newcomer_friendly: Mapped[bool] = mapped_column(default=False)
    # "public": on public pages and feeds; "members": for the project's members.
    visibility: Mapped[str] = mapped_column(
        String(20), default="public", server_default="public"
    )
    status: Mapped[str] = mapped_column(String(20), default=WorkdayStatus.scheduled)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    # Rises with every change; published as the iCal SEQUENCE.
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()
    garden: Mapped[Garden | None] = relationship()
    series: Mapped[WorkdaySeries | None] = relationship()
    shifts: Mapped[list["Shift"]] = relationship(
        back_populates="workday", order_by="(Shift.starts_at, Shift.id)"
    )

    def __repr__(self) -> str:
        return f"<Workday {self.id} {self.starts_at:%Y-%m-%d}>"

    @property
    def timezone(self) -> str:
        return self.garden.timezone if self.garden else self.project.timezone

    @property
    def place(self) -> str:
        if self.garden and self.location:
            return f"{self.garden.name}, {self.location}"
        if self.garden:
            return self.garden.name
        return self.location or ""

    @property
    def is_cancelled(self) -> bool:
        return self.status == WorkdayStatus.cancelled

    def title_for(self, member: bool) -> str:
        """Members see the project's own title; everyone else a neutral one."""
        return self.title if member else self.public_title

    @property
    def is_members_only(self) -> bool:
        return self.visibility == "members"

    def can_manage(self, user) -> bool:
        return self.project.can_manage(user)

    def touch(self, now: datetime | None = None) -> None:
        """Record a change: feeds publish the new revision as SEQUENCE."""
        self.revision += 1
        self.updated_at = now or utcnow()


class Shift(db.Model):
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workday_id: Mapped[int] = mapped_column(ForeignKey("workday.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int]
    description: Mapped[str | None] = mapped_column(Text)
    skill: Mapped[str | None] = mapped_column(String(200))
    # When the seats taken last changed: feeds show open spots and must notice.
    seats_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    workday: Mapped[Workday] = relationship(back_populates="shifts")
    signups: Mapped[list["Signup"]] = relationship(
        back_populates="shift", order_by="(Signup.created_at, Signup.id)"
    )

    def __repr__(self) -> str:
        return f"<Shift {self.id} cap={self.capacity}>"

    def can_manage(self, user) -> bool:
        return self.workday.can_manage(user)


class Signup(db.Model):
    __table_args__ = (
        # One active sign-up per person and shift; cancelled ones stay as history.
        Index(
            "uq_signup_active",
            "shift_id",
            "volunteer_id",
            unique=True,
            postgresql_where=text(_ACTIVE_SQL),
            sqlite_where=text(_ACTIVE_SQL),
        ),
        Index("ix_signup_shift_status", "shift_id", "status"),
        CheckConstraint(
            "status in ('confirmed', 'waitlisted', 'offered', 'cancelled', 'expired')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set in the same statement that decides to remind: once per sign-up.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Check-in at the gate; the hours credited default to the shift's length.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # A note for the coordinators only ("a quiet task please"), erased a while
    # after the workday.
    note: Mapped[str | None] = mapped_column(String(300))
    # A newcomer may ask for a welcome buddy; a coordinator pairs one, who sees
    # the newcomer's name only if the newcomer agreed.
    wants_buddy: Mapped[bool] = mapped_column(default=False, server_default=false())
    buddy_sees_name: Mapped[bool] = mapped_column(default=False, server_default=false())
    buddy_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    shift: Mapped[Shift] = relationship(back_populates="signups")
    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])
    buddy: Mapped[User | None] = relationship(foreign_keys=[buddy_id])

    def can_manage(self, user) -> bool:
        return self.shift.can_manage(user)

    @property
    def shift_hours(self) -> Decimal:
        seconds = (self.shift.ends_at - self.shift.starts_at).total_seconds()
        return (Decimal(seconds) / 3600).quantize(Decimal("0.01"))

    def __repr__(self) -> str:
        return f"<Signup {self.id} {self.status}>"

    @property
    def status_label(self) -> str:
        """The status as people read it ("waitlisted"), translated."""
        label = SIGNUP_STATUS_LABELS.get(self.status)
        return str(label) if label is not None else self.status

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_STATUSES


# A garden's place is part of every workday held there: when its name,
# address or coordinates change, its workdays still to come change too (a
# higher SEQUENCE and a new DTSTAMP in every calendar). Listening here keeps
# gardens/ from reaching up into workdays.
PLACE_FIELDS = ("name", "address", "latitude", "longitude")


@event.listens_for(Session, "before_flush")
def _garden_moved_its_workdays(session, flush_context, instances) -> None:
    now = utcnow()
    for garden in [g for g in session.dirty if isinstance(g, Garden)]:
        state = inspect(garden)
        if any(state.attrs[field].history.has_changes() for field in PLACE_FIELDS):
            session.execute(
                update(Workday)
                .where(Workday.garden_id == garden.id, Workday.ends_at > now)
                .values(revision=Workday.revision + 1, updated_at=now)
                .execution_options(synchronize_session="fetch")
            )
