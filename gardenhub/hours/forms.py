"""Forms for hours: log them, adjust credited hours, letters, walk-ins."""

from wtforms import (
    BooleanField,
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
    ValidationError,
)

from gardenhub.formfields import BaseForm, DateField, DecimalField, strip
from gardenhub.i18n import _, _l
from gardenhub.notifications.phones import PhoneNumber

HOURS_RANGE = NumberRange(min=0.25, max=24, message=_l("Use 0.25 to 24 hours."))


class LogHoursForm(BaseForm):
    project_id = SelectField(_l("Project"), coerce=int, validators=[DataRequired()])
    worked_on = DateField(
        _l("Date"), validators=[InputRequired()], years_back=5, years_ahead=1
    )
    hours = DecimalField(
        _l("Hours"), places=2, validators=[InputRequired(), HOURS_RANGE]
    )
    description = StringField(
        _l("What you did"),
        filters=[strip],
        validators=[DataRequired(), Length(max=300)],
    )


class SetHoursForm(BaseForm):
    hours = DecimalField(
        _l("Hours"), places=2, validators=[InputRequired(), HOURS_RANGE]
    )


class LetterForm(BaseForm):
    starts_on = DateField(_l("From"), validators=[InputRequired()])
    ends_on = DateField(_l("Until"), validators=[InputRequired()])
    names_projects = BooleanField(
        _l("Name the projects in the letter"),
        description=_l("Off: the letter says only “community garden volunteering”."),
    )
    project_id = SelectField(
        _l("From which organisation"),
        coerce=int,
        default=0,
        validators=[Optional()],
        description=_l(
            "A programme usually wants a letter from one organisation: "
            "it then counts that project's hours and carries its address and "
            "contact."
        ),
    )

    def set_projects(self, projects) -> None:
        self.project_id.choices = [(0, _("All my hours, no organisation named"))] + [
            (p.id, p.org_name) for p in projects if p.org_name
        ]


class WalkInForm(BaseForm):
    email = EmailField(
        _l("Email of someone with an account"),
        filters=[strip],
        validators=[Optional(), Email(), Length(max=254)],
    )
    name = StringField(
        _l("…or a guest's name"),
        filters=[strip],
        validators=[Optional(), Length(max=80)],
    )
    phone = StringField(
        _l("Guest's phone (optional)"),
        filters=[strip],
        validators=[PhoneNumber(texts_field="texts_agreed"), Length(max=40)],
    )
    texts_agreed = BooleanField(
        _l("They agreed to get text messages"),
        description=_l(
            "Ask first. Confirmations, changes and reminders go to this "
            "number; they can reply STOP at any time."
        ),
    )


class PeriodForm(BaseForm):
    class Meta:
        csrf = False  # GET form for exports and reports

    starts_on = DateField(_l("From"), validators=[InputRequired()])
    ends_on = DateField(_l("Until"), validators=[InputRequired()])
    project_id = SelectField(_l("Project"), coerce=int, validators=[Optional()])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(
                _(
                    "The end date is before the start date; swap them or pick "
                    "another end."
                )
            )
