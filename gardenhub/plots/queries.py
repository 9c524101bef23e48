"""Read queries for the garden page, plot pages, the waitlist and My plot."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.plots.models import (
    OfferStatus,
    Plot,
    PlotAssignment,
    PlotOffer,
    PlotRequest,
    RequestStatus,
)
from gardenhub.timezones import local_today


@dataclass(frozen=True)
class PlotView:
    plot: Plot
    holder: PlotAssignment | None  # the current (or next) assignment
    offer: PlotOffer | None


def garden_plots(garden: Garden, today: date) -> list[PlotView]:
    """Every plot of the garden with its holder and open offer (three queries)."""
    plots = db.session.scalars(
        select(Plot).where(Plot.garden_id == garden.id).order_by(Plot.y, Plot.x)
    ).all()
    ids = [plot.id for plot in plots]
    holders: dict[int, PlotAssignment] = {}
    for assignment in db.session.scalars(
        select(PlotAssignment)
        .options(joinedload(PlotAssignment.gardener))
        .where(
            PlotAssignment.plot_id.in_(ids),
            PlotAssignment.ended_at.is_(None),
            PlotAssignment.ends_on >= today,
        )
        .order_by(PlotAssignment.starts_on.desc())
    ):
        holders[assignment.plot_id] = assignment  # the earliest wins (desc order)
    offers = {
        offer.plot_id: offer
        for offer in db.session.scalars(
            select(PlotOffer).where(
                PlotOffer.plot_id.in_(ids), PlotOffer.status == OfferStatus.open
            )
        )
    }
    return [PlotView(plot, holders.get(plot.id), offers.get(plot.id)) for plot in plots]


def plot_view(plot: Plot, today: date) -> PlotView:
    """One plot with its holder and open offer, as on the map."""
    holder = db.session.scalars(
        select(PlotAssignment)
        .options(joinedload(PlotAssignment.gardener))
        .where(
            PlotAssignment.plot_id == plot.id,
            PlotAssignment.ended_at.is_(None),
            PlotAssignment.ends_on >= today,
        )
        .order_by(PlotAssignment.starts_on)
        .limit(1)
    ).first()
    offer = db.session.scalars(
        select(PlotOffer).where(
            PlotOffer.plot_id == plot.id, PlotOffer.status == OfferStatus.open
        )
    ).first()
    return PlotView(plot, holder, offer)


def waitlist_positions(requests: list[PlotRequest]) -> dict[int, int]:
    """Place in line (1 = next) of each active request, in one query."""
    active = [r for r in requests if r.is_active]
    if not active:
        return {}
    ahead = PlotRequest.__table__.alias("ahead")
    rows = db.session.execute(
        select(PlotRequest.id, func.count(ahead.c.id))
        .join(
            ahead,
            and_(
                ahead.c.garden_id == PlotRequest.garden_id,
                ahead.c.status.in_((RequestStatus.waiting, RequestStatus.offered)),
                (ahead.c.created_at < PlotRequest.created_at)
                | (
                    (ahead.c.created_at == PlotRequest.created_at)
                    & (ahead.c.id <= PlotRequest.id)
                ),
            ),
        )
        .where(PlotRequest.id.in_([r.id for r in active]))
        .group_by(PlotRequest.id)
    )
    return dict(rows.all())


def plot_history(plot: Plot) -> list[PlotAssignment]:
    return list(
        db.session.scalars(
            select(PlotAssignment)
            .options(joinedload(PlotAssignment.gardener))
            .where(PlotAssignment.plot_id == plot.id)
            .order_by(PlotAssignment.starts_on.desc(), PlotAssignment.id.desc())
        )
    )


def my_assignments(person, now: datetime) -> list[PlotAssignment]:
    """A person's current and coming plots, each judged by its garden's date."""
    earliest = now.astimezone(UTC).date() - timedelta(days=1)  # any zone's today
    found = db.session.scalars(
        select(PlotAssignment)
        .options(joinedload(PlotAssignment.plot).joinedload(Plot.garden))
        .where(
            PlotAssignment.gardener_id == person.id,
            PlotAssignment.ended_at.is_(None),
            PlotAssignment.ends_on >= earliest,
        )
        .order_by(PlotAssignment.starts_on)
    )
    return [a for a in found if a.ends_on >= local_today(a.plot.garden.timezone, now)]


def my_requests(person) -> list[PlotRequest]:
    return list(
        db.session.scalars(
            select(PlotRequest)
            .options(joinedload(PlotRequest.garden))
            .where(PlotRequest.requester_id == person.id)
            .order_by(
                PlotRequest.status.in_(
                    (RequestStatus.waiting, RequestStatus.offered)
                ).desc(),
                PlotRequest.created_at.desc(),
            )
            .limit(20)
        )
    )


def open_offers_for(requests: list[PlotRequest]) -> dict[int, PlotOffer]:
    ids = [r.id for r in requests]
    if not ids:
        return {}
    return {
        offer.request_id: offer
        for offer in db.session.scalars(
            select(PlotOffer)
            .options(joinedload(PlotOffer.plot))
            .where(PlotOffer.request_id.in_(ids), PlotOffer.status == OfferStatus.open)
        )
    }


def waitlist(garden: Garden) -> list[PlotRequest]:
    return list(
        db.session.scalars(
            select(PlotRequest)
            .options(joinedload(PlotRequest.requester))
            .where(
                PlotRequest.garden_id == garden.id,
                PlotRequest.status.in_((RequestStatus.waiting, RequestStatus.offered)),
            )
            .order_by(PlotRequest.created_at, PlotRequest.id)
        )
    )


def renewal_deadlines(person, start: date, end: date) -> list[PlotAssignment]:
    """Assignments up for renewal whose garden's deadline falls in [start, end)."""
    return list(
        db.session.scalars(
            select(PlotAssignment)
            .join(Plot, Plot.id == PlotAssignment.plot_id)
            .join(Garden, Garden.id == Plot.garden_id)
            .options(joinedload(PlotAssignment.plot).joinedload(Plot.garden))
            .where(
                PlotAssignment.gardener_id == person.id,
                PlotAssignment.ended_at.is_(None),
                PlotAssignment.renewed_at.is_(None),
                Garden.renewal_deadline.is_not(None),
                Garden.renewal_deadline >= start,
                Garden.renewal_deadline < end,
                PlotAssignment.ends_on < Garden.next_season_starts_on,
            )
        )
    )
