"""Signing up without an account: the form, and the link's page.

The link's secret is its only key: the page is never cached and sends no
referrer, so the secret does not travel on to other sites.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from gardenhub import security
from gardenhub.config import base_url
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.guests import services
from gardenhub.guests.forms import GuestSignupForm
from gardenhub.guests.models import GuestPass
from gardenhub.i18n import _, language, speaking
from gardenhub.outcomes import committed, status
from gardenhub.workdays import queries
from gardenhub.workdays.calendar import shift_ics
from gardenhub.workdays.models import Shift

bp = Blueprint("guests", __name__)


def _open_shift(shift_id: int) -> Shift:
    shift = db.get_or_404(Shift, shift_id)
    if not services.open_to_guests(shift, utcnow()):
        abort(404, _("This shift takes sign-ups from people with an account only."))
    return shift


@bp.route("/shifts/<int:shift_id>/guest", methods=["GET", "POST"])
@security.limit_guest_signup
def sign_up(shift_id: int):
    shift = _open_shift(shift_id)
    form = GuestSignupForm()
    form.phone_zone = shift.workday.timezone  # numbers typed without +49
    if form.validate_on_submit():
        if form.is_bot():
            return redirect(url_for("guests.sent", shift_id=shift.id))
        with committed(form) as done:
            services.ask(
                shift,
                name=form.name.data,
                contact=form.parsed,
                now=utcnow(),
                language=language(),
            )
        if done:
            return redirect(url_for("guests.sent", shift_id=shift.id))
    return render_template(
        "guests/sign_up.html",
        form=form,
        shift=shift,
        counts=queries.shift_counts(shift.workday),
    ), status(form)


@bp.get("/shifts/<int:shift_id>/guest/sent")
def sent(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    return render_template("guests/sent.html", shift=shift)


def _pass_or_404(token: str) -> GuestPass:
    return services.find(token) or abort(404, _("This link is not valid."))


# The secret is in the address: never cached, never sent on as a referrer.
PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


@bp.get("/g/<token>")
def show(token: str):
    guest_pass = _pass_or_404(token)
    now = utcnow()
    ended = guest_pass.has_ended(now)
    page = render_template(
        "guests/link.html",
        guest_pass=guest_pass,
        token=token,
        now=now,
        ended=ended,
        may_check_in=services.may_check_in(guest_pass, now),
    )
    return page, 410 if ended else 200, PRIVATE


@bp.post("/g/<token>/confirm")
def confirm(token: str):
    guest_pass = _pass_or_404(token)
    with committed() as done:
        signup = services.confirm(guest_pass, now=utcnow())
    if done:
        flash(
            _("Your seat is confirmed. See you there!")
            if signup.status == "confirmed"
            else _(
                "The shift filled up meanwhile: you are on its waitlist. If a "
                "seat frees up, we send you a message to take it."
            ),
            "success",
        )
    return redirect(url_for("guests.show", token=token))


@bp.post("/g/<token>/cancel")
def cancel(token: str):
    guest_pass = _pass_or_404(token)
    with committed(success=_("The sign-up is cancelled. Thanks for letting us know.")):
        services.cancel(guest_pass, now=utcnow())
    return redirect(url_for("guests.show", token=token))


@bp.post("/g/<token>/here")
def check_in(token: str):
    guest_pass = _pass_or_404(token)
    with committed(success=_("You're checked in. Welcome!")):
        services.check_in(guest_pass, now=utcnow())
    return redirect(url_for("guests.show", token=token))


@bp.get("/g/<token>.ics")
def calendar_file(token: str):
    guest_pass = _pass_or_404(token)
    signup = guest_pass.signup
    if guest_pass.has_ended(utcnow()) or signup is None or not signup.is_active:
        abort(404, _("There is no seat on this link to add to a calendar."))
    with speaking(guest_pass.person.language):
        body = shift_ics(signup, guest_pass.person, base_url())
    name = f"shift-{signup.shift_id}.ics"
    return (
        body,
        200,
        {
            **PRIVATE,
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )
