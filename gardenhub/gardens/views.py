"""Garden pages: the public garden page and the admin's garden forms."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from gardenhub.accounts.permissions import admin_required
from gardenhub.csrf import form_view
from gardenhub.extensions import db
from gardenhub.gardens import services
from gardenhub.gardens.forms import GardenForm
from gardenhub.gardens.models import Garden
from gardenhub.workdays import queries

bp = Blueprint("gardens", __name__, url_prefix="/gardens")


def _garden_or_404(slug: str) -> Garden:
    return db.first_or_404(select(Garden).where(Garden.slug == slug))


def _data(form: GardenForm) -> services.GardenData:
    return services.GardenData(
        name=form.name.data,
        timezone=form.timezone.data,
        address=form.address.data or None,
        description=form.description.data or None,
        latitude=form.latitude.data,
        longitude=form.longitude.data,
    )


@bp.get("")
def index():
    gardens = db.session.scalars(select(Garden).order_by(Garden.name)).all()
    return render_template("gardens/index.html", gardens=gardens)


@bp.get("/<slug>")
def show(slug: str):
    garden = _garden_or_404(slug)
    upcoming = queries.upcoming_workdays(garden_id=garden.id, limit=20)
    return render_template("gardens/show.html", garden=garden, upcoming=upcoming)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
@form_view
def new():
    form = GardenForm(timezone="Europe/Berlin")
    if form.validate_on_submit():
        try:
            garden = services.create_garden(_data(form), actor=current_user)
        except services.GardenError as error:
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            flash(f"{garden.name} is created.", "success")
            return redirect(url_for("gardens.show", slug=garden.slug))
    status = 422 if form.is_submitted() else 200
    return render_template("gardens/form.html", form=form, garden=None), status


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@admin_required
@form_view
def edit(slug: str):
    garden = _garden_or_404(slug)
    form = GardenForm(obj=garden)
    if form.validate_on_submit():
        try:
            services.update_garden(garden, _data(form), actor=current_user)
        except services.GardenError as error:
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            flash(f"{garden.name} is saved.", "success")
            return redirect(url_for("gardens.show", slug=garden.slug))
    status = 422 if form.is_submitted() else 200
    return render_template("gardens/form.html", form=form, garden=garden), status
