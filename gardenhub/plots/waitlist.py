"""The plot waitlist: first come, first served, with offers that have a deadline.

A freed plot is offered to the first waiting request that matches it (size,
accessible bed). Declined or expired offers move on to the next match by
themselves. A request that lets two offers expire, or is not confirmed for a
long time, lapses. Every change to a garden's queue locks the garden row
(`gardenhub.db.lock`) first, so requests, offers and answers in one garden
happen one at a time (two coordinators cannot offer the same plot, or two plots
to one request, and a double-clicked request is one request); the database's
unique indexes hold the same rules as a last line.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from gardenhub import audit
from gardenhub.db import lock
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.i18n import _, speaking
from gardenhub.notifications import services as notifications
from gardenhub.plots.models import (
    OfferStatus,
    Plot,
    PlotOffer,
    PlotRequest,
    PlotStatus,
    RequestStatus,
)
from gardenhub.plots.services import assign, current_season, open_offer
from gardenhub.timezones import local_today


class WaitlistError(GardenHubError):
    pass


def _config(key: str) -> int:
    return current_app.config[key]


def _speaking_to(request: PlotRequest):
    """A lapse reason is stored in the requester's language (as their emails)."""
    return speaking(request.requester.language or request.garden.language)


def request_plot(
    garden: Garden,
    person,
    *,
    min_size: float | None,
    needs_accessible: bool,
    notes: str | None,
    now: datetime,
) -> PlotRequest:
    """Join the garden's plot waitlist. Raises WaitlistError on a second active
    request for the same garden (the database refuses it too)."""
    if min_size is not None and min_size <= 0:
        raise WaitlistError(_("The size must be more than 0."), field="min_size")
    lock(garden)
    existing = db.session.scalars(
        select(PlotRequest).where(
            PlotRequest.garden_id == garden.id,
            PlotRequest.requester_id == person.id,
            PlotRequest.status.in_((RequestStatus.waiting, RequestStatus.offered)),
        )
    ).first()
    if existing is not None:
        raise WaitlistError(_("You are already on this garden's waitlist."))
    request = PlotRequest(
        garden=garden,
        requester=person,
        min_size=min_size,
        needs_accessible=needs_accessible,
        notes=notes,
        created_at=now,
        confirmed_at=now,
    )
    db.session.add(request)
    db.session.flush()
    return request


def position(request: PlotRequest) -> int:
    """1 = next in line; shown only to the requester."""
    return db.session.scalar(
        select(func.count(PlotRequest.id)).where(
            PlotRequest.garden_id == request.garden_id,
            PlotRequest.status.in_((RequestStatus.waiting, RequestStatus.offered)),
            (PlotRequest.created_at < request.created_at)
            | (
                (PlotRequest.created_at == request.created_at)
                & (PlotRequest.id <= request.id)
            ),
        )
    )


def queue(garden: Garden) -> list[PlotRequest]:
    return list(
        db.session.scalars(
            select(PlotRequest)
            .where(
                PlotRequest.garden_id == garden.id,
                PlotRequest.status.in_((RequestStatus.waiting, RequestStatus.offered)),
            )
            .order_by(PlotRequest.created_at, PlotRequest.id)
        )
    )


def suggest(plot: Plot) -> PlotRequest | None:
    """The first waiting request this plot suits, skipping anyone who already
    declined it or let its offer expire."""
    passed = set(
        db.session.scalars(
            select(PlotOffer.request_id).where(
                PlotOffer.plot_id == plot.id,
                PlotOffer.status.in_((OfferStatus.declined, OfferStatus.expired)),
            )
        )
    )
    for request in queue(plot.garden):
        if (
            request.status == RequestStatus.waiting
            and request.id not in passed
            and request.matches(plot)
        ):
            return request
    return None


def withdraw(request: PlotRequest, *, person, now: datetime) -> None:
    lock(request.garden)
    db.session.refresh(request)
    if request.requester_id != person.id:
        raise WaitlistError(_("This is someone else's request."))
    if not request.is_active:
        raise WaitlistError(_("This request is already closed."))
    offer = _open_offer_of(request)
    request.status = RequestStatus.withdrawn
    request.closed_at = now
    if offer is not None:
        _close_offer(offer, OfferStatus.declined, now)
        _offer_next(offer.plot, now=now, actor=None)


def still_interested(request: PlotRequest, *, person, now: datetime) -> None:
    if request.requester_id != person.id or not request.is_active:
        raise WaitlistError(_("This request is not yours or is closed."))
    request.confirmed_at = now


def offer(
    plot: Plot, request: PlotRequest | None, *, actor, now: datetime
) -> PlotOffer:
    """Offer a free plot to `request` (default: the first match in the queue).

    Raises WaitlistError when the plot is not free, already offered, or the
    request is not waiting or does not match. Locks the garden, then the plot.
    """
    lock(plot.garden)
    plot = lock(plot)
    if request is not None:
        db.session.refresh(request)
    if plot.status not in (PlotStatus.available,):
        raise WaitlistError(
            _(
                "Plot %(label)s is not available (it is %(status)s).",
                label=plot.label,
                status=plot.status_label,
            )
        )
    if open_offer(plot) is not None:
        raise WaitlistError(
            _("Plot %(label)s is already offered to someone.", label=plot.label)
        )
    request = request or suggest(plot)
    if request is None:
        raise WaitlistError(_("Nobody waiting matches this plot."))
    if request.garden_id != plot.garden_id or request.status != RequestStatus.waiting:
        raise WaitlistError(_("That request is not waiting for this garden."))
    if not request.matches(plot):
        raise WaitlistError(_("This plot does not suit that request (size or access)."))
    return _make_offer(plot, request, actor=actor, now=now)


def _make_offer(plot: Plot, request: PlotRequest, *, actor, now: datetime) -> PlotOffer:
    made = PlotOffer(
        plot=plot,
        request=request,
        offered_by_id=getattr(actor, "id", None),
        created_at=now,
        expires_at=now + timedelta(hours=_config("PLOT_OFFER_HOURS")),
    )
    db.session.add(made)
    request.status = RequestStatus.offered
    plot.status = PlotStatus.reserved
    db.session.flush()
    audit.record(actor, "plot.offer", plot, f"request {request.id}")
    notifications.queue(request.requester, "plot_offered", offer=made, now=now)
    return made


def _open_offer_of(request: PlotRequest) -> PlotOffer | None:
    return db.session.scalars(
        select(PlotOffer).where(
            PlotOffer.request_id == request.id, PlotOffer.status == OfferStatus.open
        )
    ).first()


def _close_offer(made: PlotOffer, status: str, now: datetime) -> None:
    made.status = status
    made.responded_at = now
    made.plot.status = PlotStatus.available
    db.session.flush()


def _offer_next(plot: Plot, *, now: datetime, actor) -> PlotOffer | None:
    following = suggest(plot)
    if following is None:
        return None
    return _make_offer(plot, following, actor=actor, now=now)


def accept(made: PlotOffer, *, person, now: datetime):
    """The requester takes the plot: the assignment is created for the garden's
    season. Raises WaitlistError for someone else's, answered or run-out offers,
    before anything is written (a view passes run-out offers on first, with
    `pass_on_if_expired`, as its own step)."""
    garden = lock(made.plot.garden)
    db.session.refresh(made)
    request = made.request
    if request.requester_id != person.id:
        raise WaitlistError(_("This offer is for someone else."))
    if made.status == OfferStatus.expired or (
        made.status == OfferStatus.open and made.expires_at <= now
    ):
        raise WaitlistError(_("This offer has expired and passed to the next person."))
    if made.status != OfferStatus.open:
        raise WaitlistError(
            _(
                "This offer is no longer open (it was %(status)s).",
                status=OfferStatus(made.status).label,
            )
        )
    made.status = OfferStatus.accepted
    made.responded_at = now
    request.status = RequestStatus.accepted
    request.closed_at = now
    season = current_season(garden, local_today(garden.timezone, now))
    return assign(made.plot, person, season, actor=person, now=now, allow_reserved=True)


def pass_on_if_expired(made: PlotOffer, *, now: datetime) -> None:
    """An offer past its deadline moves to the next match; its own step."""
    lock(made.plot.garden)
    db.session.refresh(made)
    if made.status == OfferStatus.open and made.expires_at <= now:
        _expire(made, now)


def decline(made: PlotOffer, *, person, now: datetime) -> None:
    """Declining keeps the request's place for a better match."""
    lock(made.plot.garden)
    db.session.refresh(made)
    if made.request.requester_id != person.id:
        raise WaitlistError(_("This offer is for someone else."))
    if made.status != OfferStatus.open:
        raise WaitlistError(_("This offer is no longer open."))
    made.request.status = RequestStatus.waiting
    _close_offer(made, OfferStatus.declined, now)
    _offer_next(made.plot, now=now, actor=None)


def _expire(made: PlotOffer, now: datetime) -> None:
    request = made.request
    request.missed_offers += 1
    if request.missed_offers >= _config("PLOT_MISSED_OFFERS_LIMIT"):
        request.status = RequestStatus.lapsed
        request.closed_at = now
        with _speaking_to(request):
            request.lapse_reason = _("No answer to two offers.")
    else:
        request.status = RequestStatus.waiting
    _close_offer(made, OfferStatus.expired, now)
    _offer_next(made.plot, now=now, actor=None)


def expire_offers(*, now: datetime) -> int:
    """Expired offers move on; stale requests lapse (for cron). Returns offers moved."""
    expired = db.session.scalars(
        select(PlotOffer).where(
            PlotOffer.status == OfferStatus.open, PlotOffer.expires_at <= now
        )
    ).all()
    for made in expired:
        pass_on_if_expired(made, now=now)
    stale_before = now - timedelta(days=_config("PLOT_REQUEST_MAX_DAYS"))
    for request in db.session.scalars(
        select(PlotRequest).where(
            PlotRequest.status == RequestStatus.waiting,
            PlotRequest.confirmed_at < stale_before,
        )
    ):
        request.status = RequestStatus.lapsed
        request.closed_at = now
        with _speaking_to(request):
            request.lapse_reason = _("Not confirmed for a long time.")
    return len(expired)
