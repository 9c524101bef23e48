"""The base form and the fields every domain's forms share.

Every form derives from `BaseForm`, which refuses control characters at the
edge: single-line text fields accept neither line breaks nor control
characters, multi-line ones (text areas) accept line breaks and tabs. Numbers
must be finite, dates must lie in a plausible window, so nothing that a
database or a calendar cannot hold gets past a form.
"""

import math
import re
from datetime import UTC, datetime

import wtforms
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField
from wtforms.validators import StopValidation, ValidationError

from gardenhub.i18n import _, _l

# C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
_SINGLE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The same, but tab, line feed and carriage return are fine in a text area.
_MULTI_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")

SINGLE_LINE_MESSAGE = _l(
    "Use one line of plain text (no line breaks or control characters)."
)
MULTI_LINE_MESSAGE = _l("Remove the control characters from this text.")


def strip(value):
    """Trim surrounding white space so "   " counts as empty."""
    return value.strip() if isinstance(value, str) else value


def has_control_characters(text: str, *, multi_line: bool = False) -> bool:
    pattern = _MULTI_LINE_FORBIDDEN if multi_line else _SINGLE_LINE_FORBIDDEN
    return bool(pattern.search(text))


def _plain_text(multi_line: bool):
    message = MULTI_LINE_MESSAGE if multi_line else SINGLE_LINE_MESSAGE

    def check(form, field):
        if isinstance(field.data, str) and has_control_characters(
            field.data, multi_line=multi_line
        ):
            raise StopValidation(str(message))

    return check


def leaf_fields(form):
    """Every field of `form` that holds a value, inside FieldLists and
    FormFields too, in page order."""
    for field in form:
        if isinstance(field, FormField):
            yield from leaf_fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from leaf_fields(
                    entry.form if isinstance(entry, FormField) else [entry]
                )
        else:
            yield field


def guard_text_fields(form) -> None:
    """Check text fields for control characters before their own validators
    run, so a bad value gets one clear message and nothing else."""
    for field in leaf_fields(form):
        if not isinstance(field, wtforms.StringField):
            continue
        multi_line = isinstance(field, wtforms.TextAreaField)
        field.validators = [_plain_text(multi_line), *field.validators]


class BaseForm(FlaskForm):
    """A FlaskForm that refuses control characters in every text field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_text_fields(self)


NOT_A_NUMBER = _l("Enter a number.")


class DecimalField(wtforms.DecimalField):
    """A decimal that must be a finite number ("NaN", "sNaN", "Infinity" are not)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(NOT_A_NUMBER)) from None
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(str(NOT_A_NUMBER))


class FloatField(wtforms.FloatField):
    """A float that must be finite."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(NOT_A_NUMBER)) from None
        if self.data is not None and not math.isfinite(self.data):
            self.data = None
            raise ValueError(str(NOT_A_NUMBER))


# Ids and counts fit the database's 32-bit integers.
MAX_INT = 2**31 - 1


class IntegerField(wtforms.IntegerField):
    """An integer that fits the database (a NumberRange may narrow it further)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not -MAX_INT <= self.data <= MAX_INT:
            self.data = None
            raise ValueError(_("That number is too large."))


class DateField(wtforms.DateField):
    """A date within `years_back` years before and `years_ahead` after this year.

    Year 1 or 9999 would save and then break every calendar and report that
    adds a day to it; the window keeps dates to ones people actually mean.
    """

    def __init__(self, *args, years_back: int = 10, years_ahead: int = 10, **kwargs):
        super().__init__(*args, **kwargs)
        self.years_back = years_back
        self.years_ahead = years_ahead

    def window(self) -> tuple[int, int]:
        year = datetime.now(UTC).year
        return year - self.years_back, year + self.years_ahead

    def pre_validate(self, form):
        if self.data is None:
            return
        first, last = self.window()
        if not first <= self.data.year <= last:
            raise ValidationError(
                _("Pick a date between %(first)s and %(last)s.", first=first, last=last)
            )


def bounded_id(value) -> int | None:
    """A form or query value as a database id, or None when it cannot be one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_INT else None


def error_summary(form) -> list[tuple[str, str]]:
    """(field id, "Label: message") for every field error of `form`, in page
    order (rows of a FieldList included), for the summary above a long form."""
    return [
        (field.id, _("%(label)s: %(message)s", label=field.label.text, message=message))
        for field in leaf_fields(form)
        if field.type != "CSRFTokenField"
        for message in field.errors
    ]
