"""My page gathers every domain's view of the person (a top-layer package)."""

from flask import Blueprint, flash, jsonify, redirect, render_template, session, url_for
from flask_login import current_user, login_required, logout_user
from wtforms import PasswordField
from wtforms.validators import InputRequired, Length

from gardenhub.community import celebrations, goals
from gardenhub.community import queries as community_queries
from gardenhub.csrf import token_checked_by_form
from gardenhub.db import utcnow
from gardenhub.formfields import BaseForm
from gardenhub.hours import queries as hours_queries
from gardenhub.i18n import _, _l
from gardenhub.me import services
from gardenhub.outcomes import committed, status
from gardenhub.plots import queries as plot_queries
from gardenhub.tasks import queries as task_queries
from gardenhub.workdays import newcomers
from gardenhub.workdays import queries as workday_queries

bp = Blueprint("me", __name__)


class DeleteAccountForm(BaseForm):
    password = PasswordField(
        _l("Your password, to confirm"),
        validators=[InputRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )


@bp.get("/me")
@login_required
def page():
    now = utcnow()
    upcoming = workday_queries.my_signups(current_user, now=now, upcoming=True)
    return render_template(
        "me/page.html",
        upcoming=upcoming[:5],
        more_shifts=len(upcoming) > 5,
        positions=workday_queries.waitlist_positions(upcoming[:5]),
        tasks=task_queries.my_assignments(current_user, done=False)[:5],
        plots=plot_queries.my_assignments(current_user, now),
        hours=hours_queries.counted_hours(current_user),
        welcoming=newcomers.buddying(current_user, now=now),
        **_together(current_user, now),
    )


def _together(person, now) -> dict:
    """Goals, partners, thanks and milestones: what My page shows of them."""
    mine = goals.my_goals(person)
    partnering = goals.partnering(person)
    belonging = [
        m
        for m in community_queries.my_memberships(person)
        if m.status in ("member", "paused")
    ]
    return {
        "goals": mine,
        "partners": goals.partnerships_of(mine),
        "partner_choices": goals.partner_choices_for(mine),
        "partnering": partnering,
        "progress": goals.progress_of(mine + [p.goal for p in partnering]),
        "describe_goal": goals.describe,
        "thanks": celebrations.thanks_for(person),
        "milestones": celebrations.my_milestones(person, belonging, now),
    }


@bp.get("/me/data.json")
@login_required
def download():
    """Everything GardenHub holds about you, as JSON."""
    response = jsonify(services.export_data(current_user))
    response.headers["Content-Disposition"] = (
        'attachment; filename="my-gardenhub-data.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/me/delete", methods=["GET", "POST"])
@login_required
@token_checked_by_form
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        with committed(form) as deleted:
            services.delete_account(
                current_user._get_current_object(),
                password=form.password.data,
                now=utcnow(),
            )
        if deleted:
            logout_user()
            session.clear()
            flash(
                _("Your account is deleted. Thank you for everything you grew."),
                "info",
            )
            return redirect(url_for("workdays.home"))
    return render_template("me/delete.html", form=form), status(form)
