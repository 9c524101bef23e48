"""How views report a service's outcome: a domain error onto its form field, or a
one-button action committed (or rolled back) with a message, then a redirect."""

from flask import flash, redirect
from wtforms import FieldList

from gardenhub.errors import GardenHubError
from gardenhub.extensions import db


def show_error(form, error: GardenHubError) -> None:
    """Put the error next to the field it names, or above the form."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None and not isinstance(field, FieldList):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def act(action, success: str, back: str):
    """Run one service call: commit and flash `success` (if any), or roll back and
    flash the rule it broke. Either way, go to `back`."""
    try:
        action()
    except GardenHubError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        if success:
            flash(success, "success")
    return redirect(back)
