"""How a view answers: load → check → one service call → answer.

The view idiom, written once:

    form = ShiftForm()
    if form.validate_on_submit():
        with committed(form, success=_("The shift is added.")) as saved:
            services.add_shift(workday, form.to_data(), actor=current_user, now=now)
        if saved:
            return redirect(url_for("workdays.show", workday_id=workday.id))
    return render_template("workdays/shift_form.html", form=form), status(form)

A one-button POST (no form to show again) flashes the refusal instead:

    with committed(success=_("The sign-up is cancelled.")):
        signups.cancel(signup, actor=current_user, now=utcnow())
    return redirect(back)

`committed` commits on success and rolls back on a `GardenHubError`, putting
the message next to the field it names (or above the form, or in a flash
message when there is no form). Any other exception is a bug: it propagates to
the 500 handler, which rolls back too.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import flash
from wtforms import FieldList

from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.i18n import _


class Outcome:
    """True once the service call went through and was committed."""

    def __init__(self):
        self.ok = False

    def __bool__(self) -> bool:
        return self.ok


def show_error(form, error: GardenHubError) -> None:
    """Put the error next to the field it names, or above the form."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None and not isinstance(field, FieldList):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@contextmanager
def committed(form=None, *, success: str | None = None) -> Iterator[Outcome]:
    """Run the view's service call: commit and flash `success`, or roll back
    and show the rule it broke (on `form`, else as a flash message)."""
    outcome = Outcome()
    try:
        yield outcome
    except GardenHubError as error:
        db.session.rollback()
        if form is None:
            flash(str(error.message), "error")
        else:
            show_error(form, error)
    else:
        db.session.commit()
        outcome.ok = True
        if success:
            flash(success, "success")


def status(form) -> int:
    """200 for a form being shown, 422 for one sent back with its errors."""
    return 422 if form.is_submitted() else 200


def refused(form) -> bool:
    """For a small form posted from another page (a walk-in, a role): True
    when it does not validate, with each problem flashed for that page."""
    if form.validate_on_submit():
        return False
    messages = [
        _("%(label)s: %(message)s", label=field.label.text, message=message)
        for field in form
        if field.type != "CSRFTokenField"
        for message in field.errors
        if not isinstance(message, dict | list)  # a sub-form's errors
    ]
    if form.meta.csrf and form.csrf_token.errors:
        messages.insert(0, _("The form had expired. Please send it again."))
    for message in messages or [_("Please check what you entered.")]:
        flash(message, "error")
    return True
