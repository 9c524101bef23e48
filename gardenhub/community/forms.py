"""Forms for joining and stepping back, invitations, and the account pause."""

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from gardenhub.formfields import BaseForm, DateField, IntegerField, strip


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
