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


class AskForm(BaseForm):
    note = TextAreaField(
        "A short note for the coordinators (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=300)],
        description="Only the project's coordinators read it. You don't have to "
        "say anything about yourself.",
    )


class JoinForm(BaseForm):
    """One button (the invitation's "Join"): the form only checks its token."""


class PauseForm(BaseForm):
    until = DateField(
        "Until (optional)",
        validators=[Optional()],
        years_back=0,
        years_ahead=2,
        description="Leave it empty to pause until you resume.",
    )
    release_signups = BooleanField("Give back my seats on workdays still to come")


class InviteForm(BaseForm):
    label = StringField(
        "Name this invitation",
        filters=[strip],
        validators=[DataRequired(), Length(max=60)],
        description="For you, e.g. “June open evening”. Nobody else sees it.",
    )
    days = IntegerField(
        "Valid for (days)",
        default=14,
        validators=[InputRequired(), NumberRange(1, 90, message="Use 1 to 90 days.")],
    )
    max_uses = IntegerField(
        "For how many people",
        default=20,
        validators=[
            InputRequired(),
            NumberRange(1, 500, message="Use 1 to 500 people."),
        ],
    )


class GoalForm(BaseForm):
    project_id = SelectField(
        "In which project", coerce=int, validators=[InputRequired()]
    )
    kind = RadioField(
        "What it counts",
        choices={
            "workdays_per_month": "Workdays a month (for example 2)",
            "hours": "Hours in all by the end date (for example 20)",
        },
        default="workdays_per_month",
        validators=[InputRequired(message="Pick what the goal counts.")],
    )
    target = DecimalField(
        "How many",
        places=1,
        validators=[
            InputRequired(message="How many?"),
            NumberRange(0.5, 2000, message="Pick a number from 1 to 2000."),
        ],
    )
    starts_on = DateField(
        "From", validators=[InputRequired()], years_back=1, years_ahead=1
    )
    ends_on = DateField(
        "Until",
        validators=[InputRequired(message="A goal needs an end date.")],
        years_back=0,
        years_ahead=2,
        description="A season at most: up to a year.",
    )


class PartnerForm(BaseForm):
    partner = SelectField(
        "Ask a fellow member", coerce=int, validators=[InputRequired()]
    )


class ThanksForm(BaseForm):
    text = TextAreaField(
        "A thank-you for everyone who came",
        filters=[strip],
        validators=[
            DataRequired(message="Write a few words of thanks."),
            Length(max=300, message="Keep it to 300 characters."),
        ],
        description="It appears on their My page (and by email for those who "
        "want it). It is never shown publicly.",
    )
