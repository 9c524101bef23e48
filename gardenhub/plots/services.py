"""Plot rules: create (one or a block), edit, deactivate, assign, end, renew, fees.

Creating or moving plots locks the garden row (`gardenhub.db.lock`), so two
plots never save on one map spot or with one label; assigning locks the plot
row, so two coordinators cannot give the same plot away twice for one season.
"""

import string
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from gardenhub import audit
from gardenhub.accounts.models import User
from gardenhub.db import lock
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.i18n import _
from gardenhub.notifications import services as notifications
from gardenhub.plots.models import (
    FeeStatus,
    OfferStatus,
    Plot,
    PlotAssignment,
    PlotKind,
    PlotOffer,
    PlotStatus,
)
from gardenhub.timezones import local_today


class PlotError(GardenHubError):
    pass


@dataclass
class PlotData:
    label: str
    size: float
    x: int
    y: int
    width: int = 1
    height: int = 1
    kind: str = PlotKind.raised_bed
    size_unit: str = "m²"
    notes: str | None = None
    fee_cents: int | None = None


@dataclass(frozen=True)
class Season:
    name: str
    starts_on: date
    ends_on: date


def current_season(garden: Garden, today: date) -> Season:
    """The garden's configured season, or the rest of this calendar year."""
    if (
        garden.season_starts_on
        and garden.season_ends_on
        and garden.season_ends_on >= today
    ):
        return Season(
            garden.season_name or str(garden.season_starts_on.year),
            garden.season_starts_on,
            garden.season_ends_on,
        )
    return Season(str(today.year), today, date(today.year, 12, 31))


def _check_shape(garden: Garden, data: PlotData, *, ignore: Plot | None = None) -> None:
    if data.size <= 0:
        raise PlotError(_("The size must be more than 0."), field="size")
    if data.fee_cents is not None and data.fee_cents < 0:
        raise PlotError(_("The fee cannot be negative."), field="fee")
    if data.kind not in set(PlotKind):
        raise PlotError(_("Pick a kind from the list."), field="kind")
    if (
        data.x + data.width > garden.map_width
        or data.y + data.height > garden.map_height
    ):
        raise PlotError(
            _(
                "The plot must fit on the map (%(width)s × %(height)s units).",
                width=garden.map_width,
                height=garden.map_height,
            ),
            field="x",
        )
    for other in db.session.scalars(select(Plot).where(Plot.garden_id == garden.id)):
        if other is ignore:
            continue
        if other.label.lower() == data.label.lower():
            raise PlotError(
                _("This garden already has a plot %(label)s.", label=other.label),
                field="label",
            )
        if other.overlaps(data.x, data.y, data.width, data.height):
            raise PlotError(
                _("That spot overlaps plot %(label)s on the map.", label=other.label),
                field="x",
            )


def create_plot(garden: Garden, data: PlotData, *, actor) -> Plot:
    garden = lock(garden)
    _check_shape(garden, data)
    plot = Plot(garden=garden, **vars(data))
    db.session.add(plot)
    audit.record(actor, "plot.create", plot)
    return plot


def block_labels(rows: str, first: int, last: int) -> list[tuple[int, str, int]]:
    """Rows "A-D" and numbers 1..10 -> (row index, "A", 1) … for a block of plots."""
    rows = rows.replace(" ", "").upper()
    if (
        len(rows) == 3
        and rows[1] == "-"
        and rows[0] in string.ascii_uppercase
        and rows[2] in string.ascii_uppercase
        and rows[0] <= rows[2]
    ):
        letters = string.ascii_uppercase[
            string.ascii_uppercase.index(rows[0]) : string.ascii_uppercase.index(
                rows[2]
            )
            + 1
        ]
    elif len(rows) == 1 and rows in string.ascii_uppercase:
        letters = rows
    else:
        raise PlotError(_("Give rows as one letter or a range like A-D."), field="rows")
    if not 1 <= first <= last <= 99:
        raise PlotError(_("Give numbers like 1 to 10."), field="last")
    return [
        (r, letter, n)
        for r, letter in enumerate(letters)
        for n in range(first, last + 1)
    ]


@dataclass
class BlockData:
    """A grid of plots: rows "A-D" × numbers first..last, each the same plot."""

    rows: str
    first: int
    last: int
    size: float
    kind: str
    x: int
    y: int
    width: int
    height: int
    gap: int
    size_unit: str = "m²"
    fee_cents: int | None = None


def create_block(garden: Garden, block: BlockData, *, actor) -> list[Plot]:
    """A grid of plots, e.g. rows A–D × 1–10, laid out left to right, top down.

    All or nothing: an overlap or duplicate label anywhere refuses the block.
    """
    labels = block_labels(block.rows, block.first, block.last)
    garden = lock(garden)
    if len(labels) > 400:
        raise PlotError(_("At most 400 plots at a time."), field="rows")
    created = []
    for row, letter, number in labels:
        data = PlotData(
            label=f"{letter}{number}",
            size=block.size,
            kind=block.kind,
            size_unit=block.size_unit,
            fee_cents=block.fee_cents,
            width=block.width,
            height=block.height,
            x=block.x + (number - block.first) * (block.width + block.gap),
            y=block.y + row * (block.height + block.gap),
        )
        _check_shape(garden, data)
        plot = Plot(garden=garden, **vars(data))
        db.session.add(plot)
        db.session.flush()
        created.append(plot)
    audit.record(actor, "plot.block", garden, f"{len(created)} plots")
    return created


def update_plot(plot: Plot, data: PlotData, *, actor) -> None:
    lock(plot.garden)
    _check_shape(plot.garden, data, ignore=plot)
    for key, value in vars(data).items():
        setattr(plot, key, value)
    audit.record(actor, "plot.update", plot)


def set_status(plot: Plot, status: str, *, actor, now: datetime) -> None:
    """Coordinators reserve, deactivate or free a plot; a plot someone holds now,
    or one with an open offer, keeps its status. Plots are never deleted."""
    plot = lock(plot)
    if status not in (PlotStatus.available, PlotStatus.reserved, PlotStatus.inactive):
        raise PlotError(_("Pick available, reserved or inactive."))
    if holder_now(plot, local_today(plot.garden.timezone, now)) is not None:
        raise PlotError(
            _(
                "Plot %(label)s is assigned; end the assignment first.",
                label=plot.label,
            )
        )
    if open_offer(plot) is not None:
        raise PlotError(
            _(
                "Plot %(label)s has an open offer; wait for the answer.",
                label=plot.label,
            )
        )
    plot.status = status
    audit.record(actor, f"plot.{status}", plot)


def holder_now(plot: Plot, today: date) -> PlotAssignment | None:
    return db.session.scalars(
        select(PlotAssignment).where(
            PlotAssignment.plot_id == plot.id,
            PlotAssignment.ended_at.is_(None),
            PlotAssignment.starts_on <= today,
            PlotAssignment.ends_on >= today,
        )
    ).first()


def open_offer(plot: Plot) -> PlotOffer | None:
    return db.session.scalars(
        select(PlotOffer).where(
            PlotOffer.plot_id == plot.id, PlotOffer.status == OfferStatus.open
        )
    ).first()


def assign(
    plot: Plot,
    gardener,
    season: Season,
    *,
    actor,
    now: datetime,
    allow_reserved: bool = False,
) -> PlotAssignment:
    """Give `plot` to `gardener` for a season; history is kept.

    Raises PlotError when the plot is inactive, or already assigned for any part
    of those dates. Locks the plot row first.
    """
    plot = lock(plot)
    if season.ends_on < season.starts_on:
        raise PlotError(_("The season must end after it starts."), field="ends_on")
    if plot.status == PlotStatus.inactive:
        raise PlotError(_("Plot %(label)s is inactive.", label=plot.label))
    if plot.status == PlotStatus.reserved and not allow_reserved and open_offer(plot):
        raise PlotError(
            _(
                "Plot %(label)s is offered to someone on the waitlist.",
                label=plot.label,
            )
        )
    clash = db.session.scalars(
        select(PlotAssignment).where(
            PlotAssignment.plot_id == plot.id,
            PlotAssignment.ended_at.is_(None),
            PlotAssignment.starts_on <= season.ends_on,
            PlotAssignment.ends_on >= season.starts_on,
        )
    ).first()
    if clash is not None:
        raise PlotError(
            _(
                "Plot %(label)s is already assigned for %(season)s.",
                label=plot.label,
                season=clash.season_name,
            )
        )
    assignment = PlotAssignment(
        plot=plot,
        gardener=gardener,
        season_name=season.name,
        starts_on=season.starts_on,
        ends_on=season.ends_on,
        created_at=now,
        assigned_by_id=getattr(actor, "id", None),
        fee_status=FeeStatus.due if plot.fee_cents else None,
    )
    db.session.add(assignment)
    plot.status = PlotStatus.assigned
    db.session.flush()
    audit.record(actor, "plot.assign", plot, f"user {gardener.id}, {season.name}")
    return assignment


def assign_to(
    plot: Plot, email: str, season: Season, *, actor, now: datetime
) -> PlotAssignment:
    """`assign` to the person with an active account with this email. Raises
    PlotError when there is none."""
    gardener = db.session.scalars(
        select(User).where(User.email == email.strip().lower(), User.is_active)
    ).first()
    if gardener is None or gardener.is_guest:
        raise PlotError(
            _("Nobody with an active account has that email."), field="email"
        )
    return assign(plot, gardener, season, actor=actor, now=now)


def end_assignment(assignment: PlotAssignment, *, actor, now: datetime) -> None:
    """End it early (the gardener gives the plot up); the plot becomes available."""
    plot = lock(assignment.plot)
    if not assignment.is_active:
        raise PlotError(_("This assignment has already ended."))
    today = local_today(plot.garden.timezone, now)
    assignment.ended_at = now
    assignment.ends_on = max(min(assignment.ends_on, today), assignment.starts_on)
    db.session.flush()
    if plot.status == PlotStatus.assigned and _future_holder(plot, today) is None:
        plot.status = PlotStatus.available
    audit.record(actor, "plot.unassign", plot, f"user {assignment.gardener_id}")


def _future_holder(plot: Plot, today: date) -> PlotAssignment | None:
    return db.session.scalars(
        select(PlotAssignment).where(
            PlotAssignment.plot_id == plot.id,
            PlotAssignment.ended_at.is_(None),
            PlotAssignment.ends_on >= today,
        )
    ).first()


def set_fee_status(assignment: PlotAssignment, status: str, *, actor) -> None:
    if not assignment.plot.fee_cents:
        raise PlotError(_("This plot has no fee."))
    if status not in set(FeeStatus):
        raise PlotError(_("Pick due, paid or waived."))
    assignment.fee_status = status
    audit.record(actor, "plot.fee", assignment.plot, status)


def fee_label(viewer, assignment: PlotAssignment) -> str:
    """A waiver is confidential: garden coordinators, admins and the gardener see
    "waived"; anyone else who may see the roster sees "cleared"."""
    status = assignment.fee_status
    if status is None:
        return ""
    if status == FeeStatus.waived:
        garden = assignment.plot.garden
        if garden.can_manage(viewer) or viewer.id == assignment.gardener_id:
            return FeeStatus.waived.label
        return _("cleared")
    return _("cleared") if status == FeeStatus.paid else FeeStatus.due.label


# Renewals -------------------------------------------------------------------


def open_renewals(
    garden: Garden, next_season: Season, deadline: date, *, actor, today: date
) -> None:
    """Gardeners of the current season may renew for `next_season` until `deadline`."""
    if deadline < today:
        raise PlotError(_("The deadline must not be in the past."), field="deadline")
    if next_season.ends_on < next_season.starts_on:
        raise PlotError(_("The next season must end after it starts."), field="ends_on")
    if deadline >= next_season.starts_on:
        raise PlotError(
            _("The deadline must be before the next season starts."), field="deadline"
        )
    garden.renewal_deadline = deadline
    garden.next_season_name = next_season.name
    garden.next_season_starts_on = next_season.starts_on
    garden.next_season_ends_on = next_season.ends_on
    audit.record(actor, "garden.renewals.open", garden, next_season.name)
    for assignment in db.session.scalars(
        select(PlotAssignment)
        .join(Plot, Plot.id == PlotAssignment.plot_id)
        .where(
            Plot.garden_id == garden.id,
            PlotAssignment.ended_at.is_(None),
            PlotAssignment.renewed_at.is_(None),
            PlotAssignment.ends_on >= today,
            PlotAssignment.ends_on < next_season.starts_on,
        )
    ):
        notifications.queue(
            assignment.gardener, "plot_renewal_due", assignment=assignment
        )


def next_season(garden: Garden) -> Season | None:
    if garden.renewal_deadline is None or garden.next_season_starts_on is None:
        return None
    return Season(
        garden.next_season_name or str(garden.next_season_starts_on.year),
        garden.next_season_starts_on,
        garden.next_season_ends_on,
    )


def renewable(assignment: PlotAssignment, today: date) -> bool:
    garden = assignment.plot.garden
    season = next_season(garden)
    return (
        season is not None
        and assignment.is_active
        and assignment.renewed_at is None
        and today <= garden.renewal_deadline
        and assignment.ends_on < season.starts_on
    )


def renew(assignment: PlotAssignment, *, person, now: datetime) -> PlotAssignment:
    """The gardener keeps their plot for the next season (before the deadline)."""
    if assignment.gardener_id != person.id:
        raise PlotError(_("Only the gardener can renew their plot."))
    garden = assignment.plot.garden
    today = local_today(garden.timezone, now)
    if not renewable(assignment, today):
        raise PlotError(
            _(
                "Renewals for this plot are not open (or the deadline has "
                "passed). Ask a coordinator."
            )
        )
    renewed = assign(
        assignment.plot, person, next_season(garden), actor=person, now=now
    )
    renewed.fee_status = FeeStatus.due if assignment.plot.fee_cents else None
    assignment.renewed_at = now
    return renewed


def close_renewals(garden: Garden, *, actor, now: datetime) -> list[Plot]:
    """After the deadline: plots nobody renewed become available for the next
    season (their gardeners keep them until the current season ends)."""
    season = next_season(garden)
    if season is None:
        raise PlotError(_("Renewals are not open."))
    if local_today(garden.timezone, now) <= garden.renewal_deadline:
        raise PlotError(_("Wait until the deadline has passed."))
    freed = []
    for plot in db.session.scalars(
        select(Plot).where(
            Plot.garden_id == garden.id, Plot.status == PlotStatus.assigned
        )
    ):
        taken = db.session.scalars(
            select(PlotAssignment.id).where(
                PlotAssignment.plot_id == plot.id,
                PlotAssignment.ended_at.is_(None),
                PlotAssignment.ends_on >= season.starts_on,
            )
        ).first()
        if taken is None:
            plot.status = PlotStatus.available
            freed.append(plot)
    garden.season_name, garden.season_starts_on, garden.season_ends_on = (
        season.name,
        season.starts_on,
        season.ends_on,
    )
    garden.renewal_deadline = None
    audit.record(actor, "garden.renewals.close", garden, f"{len(freed)} freed")
    return freed
