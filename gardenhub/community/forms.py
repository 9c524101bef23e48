"""Forms for joining and stepping back, invitations, the account pause, goals,
partners and thanks."""

from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from gardenhub.formfields import BaseForm, DateField, DecimalField, IntegerField, strip
from gardenhub.i18n import _, _l


class AskForm(BaseForm):
    note = TextAreaField(
        _l("A short note for the coordinators (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=300)],
        description=_l(
            "Only the project's coordinators read it. You don't have to "
            "say anything about yourself."
        ),
    )


class JoinForm(BaseForm):
    """One button (the invitation's "Join"): the form only checks its token."""


class PauseForm(BaseForm):
    until = DateField(
        _l("Until (optional)"),
        validators=[Optional()],
        years_back=0,
        years_ahead=2,
        description=_l("Leave it empty to pause until you resume."),
    )
    release_signups = BooleanField(_l("Give back my seats on workdays still to come"))


class InviteForm(BaseForm):
    label = StringField(
        _l("Name this invitation"),
        filters=[strip],
        validators=[DataRequired(), Length(max=60)],
        description=_l("For you, e.g. “June open evening”. Nobody else sees it."),
    )
    days = IntegerField(
        _l("Valid for (days)"),
        default=14,
        validators=[
            InputRequired(),
            NumberRange(1, 90, message=_l("Use 1 to 90 days.")),
        ],
    )
    max_uses = IntegerField(
        _l("For how many people"),
        default=20,
        validators=[
            InputRequired(),
            NumberRange(1, 500, message=_l("Use 1 to 500 people.")),
        ],
    )


def goal_kind_choices() -> dict[str, str]:
    """Read when a form is built, so the labels speak the request's language."""
    return {
        "workdays_per_month": _("Workdays a month (for example 2)"),
        "hours": _("Hours in all by the end date (for example 20)"),
    }


class GoalForm(BaseForm):
    project_id = SelectField(
        _l("In which project"), coerce=int, validators=[InputRequired()]
    )
    kind = RadioField(
        _l("What it counts"),
        choices=goal_kind_choices,
        default="workdays_per_month",
        validators=[InputRequired(message=_l("Pick what the goal counts."))],
    )
    target = DecimalField(
        _l("How many"),
        places=1,
        validators=[
            InputRequired(message=_l("How many?")),
            NumberRange(0.5, 2000, message=_l("Pick a number from 1 to 2000.")),
        ],
    )
    starts_on = DateField(
        _l("From"), validators=[InputRequired()], years_back=1, years_ahead=1
    )
    ends_on = DateField(
        _l("Until"),
        validators=[InputRequired(message=_l("A goal needs an end date."))],
        years_back=0,
        years_ahead=2,
        description=_l("A season at most: up to a year."),
    )


class PartnerForm(BaseForm):
    partner = SelectField(
        _l("Ask a fellow member"), coerce=int, validators=[InputRequired()]
    )


class ThanksForm(BaseForm):
    text = TextAreaField(
        _l("A thank-you for everyone who came"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Write a few words of thanks.")),
            Length(max=300, message=_l("Keep it to 300 characters.")),
        ],
        description=_l(
            "It appears on their My page (and by email for those who "
            "want it). It is never shown publicly."
        ),
    )
