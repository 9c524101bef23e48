"""Plot pages: plots and blocks, assignments, fees, renewals, the waitlist, My plot."""

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from gardenhub import audit
from gardenhub.csrf import token_checked_by_form
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.formfields import bounded_id
from gardenhub.gardens.models import Garden
from gardenhub.i18n import _, format_day, ngettext
from gardenhub.outcomes import committed, refused, status
from gardenhub.plots import queries, services, waitlist
from gardenhub.plots.forms import (
    AssignPlotForm,
    BlockForm,
    PlotForm,
    PlotRequestForm,
    RenewalForm,
)
from gardenhub.plots.models import Plot, PlotAssignment, PlotOffer, PlotRequest
from gardenhub.roles import coordinator_required, manageable
from gardenhub.slugs import find_or_404
from gardenhub.timezones import local_today

bp = Blueprint("plots", __name__)


@bp.app_template_global()
def garden_plot_map(garden: Garden) -> dict:
    """What the garden page's map shows: every plot with its holder and open
    offer, and which of them the viewer holds (the gardens package sits below
    plots and never imports it)."""
    plots = queries.garden_plots(garden, local_today(garden.timezone))
    viewer = current_user.id if current_user.is_authenticated else None
    return {
        "plots": plots,
        "my_plot_ids": {
            v.plot.id for v in plots if v.holder and v.holder.gardener_id == viewer
        },
    }


@bp.route("/gardens/<slug>/plots/new", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def new(slug: str):
    garden = manageable(find_or_404(Garden, slug))
    form = PlotForm()
    if form.validate_on_submit():
        data = form.to_data()
        with committed(
            form, success=_("Plot %(label)s is on the map.", label=data.label)
        ) as saved:
            services.create_plot(garden, data, actor=current_user)
        if saved:
            return redirect(url_for("gardens.show", slug=garden.slug))
    return render_template(
        "plots/form.html", form=form, garden=garden, plot=None
    ), status(form)


@bp.route("/gardens/<slug>/plots/block", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def block(slug: str):
    garden = manageable(find_or_404(Garden, slug))
    form = BlockForm()
    if form.validate_on_submit():
        with committed(form) as saved:
            made = services.create_block(garden, form.to_data(), actor=current_user)
        if saved:
            flash(
                ngettext(
                    "%(num)d plot is on the map.",
                    "%(num)d plots are on the map.",
                    len(made),
                ),
                "success",
            )
            return redirect(url_for("gardens.show", slug=garden.slug))
    return render_template("plots/block.html", form=form, garden=garden), status(form)


@bp.get("/plots/<int:plot_id>")
def show(plot_id: int):
    plot = db.get_or_404(Plot, plot_id)
    garden = plot.garden
    can_manage = garden.can_manage(current_user)
    today = local_today(garden.timezone)
    season = services.current_season(garden, today)
    return render_template(
        "plots/show.html",
        plot=plot,
        garden=garden,
        view=queries.plot_view(plot, today),
        can_manage=can_manage,
        history=queries.plot_history(plot) if can_manage else [],
        suggestion=waitlist.suggest(plot)
        if can_manage and plot.status == "available"
        else None,
        assign_form=AssignPlotForm(
            formdata=None,
            season_name=season.name,
            starts_on=season.starts_on,
            ends_on=season.ends_on,
        ),
        fee_label=lambda a: services.fee_label(current_user, a),
    )


@bp.route("/plots/<int:plot_id>/edit", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def edit(plot_id: int):
    plot = manageable(db.get_or_404(Plot, plot_id))
    form = PlotForm(
        obj=plot, fee=Decimal(plot.fee_cents) / 100 if plot.fee_cents else None
    )
    if form.validate_on_submit():
        with committed(
            form, success=_("Plot %(label)s is saved.", label=plot.label)
        ) as saved:
            services.update_plot(plot, form.to_data(), actor=current_user)
        if saved:
            return redirect(url_for("plots.show", plot_id=plot.id))
    return render_template(
        "plots/form.html", form=form, garden=plot.garden, plot=plot
    ), status(form)


@bp.post("/plots/<int:plot_id>/status")
@coordinator_required
def set_status(plot_id: int):
    plot = manageable(db.get_or_404(Plot, plot_id))
    chosen = request.form.get("status", "")
    done = {
        "available": _("Plot %(label)s is available.", label=plot.label),
        "reserved": _("Plot %(label)s is reserved.", label=plot.label),
        "inactive": _("Plot %(label)s is inactive.", label=plot.label),
    }.get(chosen)  # anything else is refused by the service
    with committed(success=done):
        services.set_status(plot, chosen, actor=current_user, now=utcnow())
    return redirect(url_for("plots.show", plot_id=plot.id))


@bp.post("/plots/<int:plot_id>/assign")
@coordinator_required
@token_checked_by_form
def assign(plot_id: int):
    plot = manageable(db.get_or_404(Plot, plot_id))
    form = AssignPlotForm()
    if not refused(form):
        with committed() as done:
            made = services.assign_to(
                plot,
                form.email.data,
                services.Season(
                    form.season_name.data, form.starts_on.data, form.ends_on.data
                ),
                actor=current_user,
                now=utcnow(),
            )
        if done:
            flash(
                _(
                    "Plot %(label)s is assigned to %(name)s.",
                    label=plot.label,
                    name=made.gardener.display_name,
                ),
                "success",
            )
    return redirect(url_for("plots.show", plot_id=plot.id))


@bp.post("/plot-assignments/<int:assignment_id>/end")
@coordinator_required
def end(assignment_id: int):
    assignment = manageable(db.get_or_404(PlotAssignment, assignment_id))
    with committed(success=_("The assignment has ended; the plot is available.")):
        services.end_assignment(assignment, actor=current_user, now=utcnow())
    return redirect(url_for("plots.show", plot_id=assignment.plot_id))


@bp.post("/plot-assignments/<int:assignment_id>/fee")
@coordinator_required
def fee(assignment_id: int):
    assignment = manageable(db.get_or_404(PlotAssignment, assignment_id))
    with committed(success=_("The fee is recorded.")):
        services.set_fee_status(
            assignment, request.form.get("fee_status", ""), actor=current_user
        )
    return redirect(url_for("plots.show", plot_id=assignment.plot_id))


@bp.post("/plot-assignments/<int:assignment_id>/renew")
@login_required
def renew(assignment_id: int):
    assignment = db.get_or_404(PlotAssignment, assignment_id)
    if assignment.gardener_id != current_user.id:
        abort(403)
    with committed(
        success=_(
            "Plot %(label)s is yours next season too.", label=assignment.plot.label
        )
    ):
        services.renew(assignment, person=current_user, now=utcnow())
    return redirect(url_for("plots.my_plot"))


@bp.route("/gardens/<slug>/renewals", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def renewals(slug: str):
    garden = manageable(find_or_404(Garden, slug))
    form = RenewalForm()
    today = local_today(garden.timezone)
    if form.validate_on_submit():
        season = services.Season(
            form.season_name.data, form.starts_on.data, form.ends_on.data
        )
        with committed(
            form,
            success=_(
                "Renewals for %(season)s are open until %(day)s.",
                season=season.name,
                day=format_day(form.deadline.data, "short"),
            ),
        ) as opened:
            services.open_renewals(
                garden, season, form.deadline.data, actor=current_user, today=today
            )
        if opened:
            return redirect(url_for("plots.renewals", slug=garden.slug))
    views = [v for v in queries.garden_plots(garden, today) if v.holder]
    return render_template(
        "plots/renewals.html", garden=garden, form=form, views=views, today=today
    ), status(form)


@bp.post("/gardens/<slug>/renewals/close")
@coordinator_required
def close_renewals(slug: str):
    garden = manageable(find_or_404(Garden, slug))
    with committed(
        success=_("Renewals are closed; plots nobody renewed are available.")
    ):
        services.close_renewals(garden, actor=current_user, now=utcnow())
    return redirect(url_for("plots.renewals", slug=garden.slug))


@bp.get("/gardens/<slug>/waitlist")
@coordinator_required
def waiting(slug: str):
    garden = manageable(find_or_404(Garden, slug))
    requests = queries.waitlist(garden)
    return render_template(
        "plots/waitlist.html",
        garden=garden,
        requests=requests,
        offers=queries.open_offers_for(requests),
    )


@bp.post("/plots/<int:plot_id>/offer")
@coordinator_required
def offer(plot_id: int):
    plot = manageable(db.get_or_404(Plot, plot_id))
    chosen = bounded_id(request.form.get("request_id"))
    target = db.session.get(PlotRequest, chosen) if chosen else None
    with committed(
        success=_(
            "Plot %(label)s is offered; the answer is due within the response window.",
            label=plot.label,
        )
    ):
        waitlist.offer(plot, target, actor=current_user, now=utcnow())
    return redirect(url_for("plots.show", plot_id=plot.id))


@bp.route("/gardens/<slug>/request", methods=["GET", "POST"])
@login_required
@token_checked_by_form
def request_plot(slug: str):
    garden = find_or_404(Garden, slug)
    form = PlotRequestForm()
    if form.validate_on_submit():
        with committed(form) as joined:
            made = waitlist.request_plot(
                garden,
                current_user,
                min_size=form.min_size.data,
                needs_accessible=form.needs_accessible.data,
                notes=form.notes.data or None,
                now=utcnow(),
            )
        if joined:
            flash(
                _(
                    "You are on the waitlist for %(garden)s: number %(position)s "
                    "in line.",
                    garden=garden.name,
                    position=waitlist.position(made),
                ),
                "success",
            )
            return redirect(url_for("plots.my_plot"))
    return render_template("plots/request.html", form=form, garden=garden), status(form)


def _own_request_or_403(request_id: int) -> PlotRequest:
    found = db.get_or_404(PlotRequest, request_id)
    if found.requester_id != current_user.id:
        abort(403)
    return found


@bp.post("/plot-requests/<int:request_id>/withdraw")
@login_required
def withdraw(request_id: int):
    found = _own_request_or_403(request_id)
    with committed(success=_("You have left the waitlist.")):
        waitlist.withdraw(found, person=current_user, now=utcnow())
    return redirect(url_for("plots.my_plot"))


@bp.post("/plot-requests/<int:request_id>/still-interested")
@login_required
def still_interested(request_id: int):
    found = _own_request_or_403(request_id)
    with committed(success=_("Thanks: your place on the waitlist is kept.")):
        waitlist.still_interested(found, person=current_user, now=utcnow())
    return redirect(url_for("plots.my_plot"))


def _own_offer_or_403(offer_id: int) -> PlotOffer:
    found = db.get_or_404(PlotOffer, offer_id)
    if found.request.requester_id != current_user.id:
        abort(403)
    return found


@bp.post("/plot-offers/<int:offer_id>/accept")
@login_required
def accept(offer_id: int):
    found = _own_offer_or_403(offer_id)
    now = utcnow()
    # Two steps: an offer past its deadline moves on whatever happens next.
    with committed():
        waitlist.pass_on_if_expired(found, now=now)
    with committed(
        success=_("Plot %(label)s is yours. Happy gardening!", label=found.plot.label)
    ):
        waitlist.accept(found, person=current_user, now=now)
    return redirect(url_for("plots.my_plot"))


@bp.post("/plot-offers/<int:offer_id>/decline")
@login_required
def decline(offer_id: int):
    found = _own_offer_or_403(offer_id)
    with committed(
        success=_("Declined. You keep your place for a plot that suits you better.")
    ):
        waitlist.decline(found, person=current_user, now=utcnow())
    return redirect(url_for("plots.my_plot"))


@bp.get("/my/plot")
@login_required
def my_plot():
    requests = queries.my_requests(current_user)
    return render_template(
        "plots/my_plot.html",
        assignments=queries.my_assignments(current_user, utcnow()),
        requests=requests,
        offers=queries.open_offers_for(requests),
        positions=queries.waitlist_positions(requests),
        renewable=lambda a: services.renewable(a, local_today(a.plot.garden.timezone)),
        fee_label=lambda a: services.fee_label(current_user, a),
    )


@audit.describes("plot")
def _describe_plots(viewer, ids: list[int]) -> dict:
    found = db.session.scalars(
        select(Plot).options(joinedload(Plot.garden)).where(Plot.id.in_(ids))
    )
    return {
        p.id: (
            _("Plot %(label)s, %(garden)s", label=p.label, garden=p.garden.name),
            url_for("plots.show", plot_id=p.id),
        )
        for p in found
    }
