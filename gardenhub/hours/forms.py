"""Forms for hours: log them, adjust credited hours, letters, walk-ins."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from gardenhub.formfields import strip

HOURS_RANGE = NumberRange(min=0.25, max=24, message="Use 0.25 to 24 hours.")


class LogHoursForm(FlaskForm):
    project_id = SelectField("Project", coerce=int, validators=[DataRequired()])
    worked_on = DateField("Date", validators=[InputRequired()])
    hours = DecimalField("Hours", places=2, validators=[InputRequired(), HOURS_RANGE])
    description = StringField(
        "What you did", filters=[strip], validators=[DataRequired(), Length(max=300)]
    )


class SetHoursForm(FlaskForm):
    hours = DecimalField("Hours", places=2, validators=[InputRequired(), HOURS_RANGE])


class LetterForm(FlaskForm):
    starts_on = DateField("From", validators=[InputRequired()])
    ends_on = DateField("Until", validators=[InputRequired()])
    names_projects = BooleanField(
        "Name the projects in the letter",
        description="Off: the letter says only “community garden volunteering”.",
    )


class WalkInForm(FlaskForm):
    email = EmailField(
        "Email of someone with an account",
        filters=[strip],
        validators=[Optional(), Email(), Length(max=254)],
    )
    name = StringField(
        "…or a guest's name", filters=[strip], validators=[Optional(), Length(max=80)]
    )


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # GET form for exports and reports

    starts_on = DateField("From", validators=[InputRequired()])
    ends_on = DateField("Until", validators=[InputRequired()])
    project_id = SelectField("Project", coerce=int, validators=[Optional()])
