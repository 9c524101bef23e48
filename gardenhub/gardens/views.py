"""Garden pages: the public garden page and the admin's garden forms."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from gardenhub import audit
from gardenhub.accounts import services as accounts
from gardenhub.csrf import token_checked_by_form
from gardenhub.extensions import db
from gardenhub.gardens import services
from gardenhub.gardens.forms import GardenCoordinatorsForm, GardenForm, SeasonForm
from gardenhub.gardens.models import Garden
from gardenhub.i18n import _
from gardenhub.outcomes import committed, refused, status
from gardenhub.roles import admin_required, coordinator_required, manageable
from gardenhub.slugs import find_or_404

bp = Blueprint("gardens", __name__, url_prefix="/gardens")


def _data(form: GardenForm) -> services.GardenData:
    return services.GardenData(
        name=form.name.data,
        timezone=form.timezone.data,
        address=form.address.data or None,
        description=form.description.data or None,
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        map_width=form.map_width.data or 24,
        map_height=form.map_height.data or 16,
        language=form.language.data or "en",
    )


@bp.get("")
def index():
    gardens = db.session.scalars(select(Garden).order_by(Garden.name)).all()
    return render_template("gardens/index.html", gardens=gardens)


@bp.get("/<slug>")
def show(slug: str):
    # The plot map comes from the plots package, which sits above gardens: the
    # template asks for it (plots' template global `garden_plot_map`).
    garden = find_or_404(Garden, slug)
    return render_template(
        "gardens/show.html", garden=garden, can_manage=garden.can_manage(current_user)
    )


@bp.post("/<slug>/coordinators")
@admin_required
def set_coordinators(slug: str):
    garden = find_or_404(Garden, slug)
    form = GardenCoordinatorsForm(accounts.active_coordinators())
    if not form.validate():  # the page only offers people who may coordinate
        abort(400, _("Choose coordinators from the list."))
    with committed(success=_("Garden coordinators are saved.")):
        services.set_coordinators(garden, form.coordinators.data, actor=current_user)
    return redirect(url_for("gardens.edit", slug=garden.slug))


@bp.post("/<slug>/season")
@coordinator_required
@token_checked_by_form
def set_season(slug: str):
    garden = manageable(find_or_404(Garden, slug))
    form = SeasonForm()
    if not refused(form):
        with committed(success=_("The season is saved.")):
            services.set_season(
                garden,
                form.season_name.data,
                form.season_starts_on.data,
                form.season_ends_on.data,
                actor=current_user,
            )
    return redirect(url_for("plots.renewals", slug=garden.slug))


@bp.route("/new", methods=["GET", "POST"])
@admin_required
@token_checked_by_form
def new():
    form = GardenForm(timezone="Europe/Berlin")
    if form.validate_on_submit():
        with committed(
            form, success=_("%(name)s is created.", name=form.name.data)
        ) as created:
            garden = services.create_garden(_data(form), actor=current_user)
        if created:
            return redirect(url_for("gardens.show", slug=garden.slug))
    return render_template("gardens/form.html", form=form, garden=None), status(form)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@admin_required
@token_checked_by_form
def edit(slug: str):
    garden = find_or_404(Garden, slug)
    form = GardenForm(obj=garden)
    if form.validate_on_submit():
        with committed(
            form, success=_("%(name)s is saved.", name=form.name.data)
        ) as saved:
            services.update_garden(garden, _data(form), actor=current_user)
        if saved:
            return redirect(url_for("gardens.show", slug=garden.slug))
    coordinators = GardenCoordinatorsForm(
        accounts.active_coordinators(),
        formdata=None,
        coordinators=[user.id for user in garden.coordinators],
    )
    return render_template(
        "gardens/form.html", form=form, garden=garden, coordinators_form=coordinators
    ), status(form)


@audit.describes("garden")
def _describe_gardens(viewer, ids: list[int]) -> dict:
    return {
        g.id: (g.name, url_for("gardens.show", slug=g.slug))
        for g in db.session.scalars(select(Garden).where(Garden.id.in_(ids)))
    }
