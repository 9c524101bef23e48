"""Forms for hours: log them, adjust credited hours, letters, walk-ins, and
the changes a phone queued at the gate."""

from datetime import datetime

from werkzeug.datastructures import MultiDict
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
from gardenhub.hours import gate
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


def _whole(value) -> int | None:
    """An id as JSON sends it: a whole number a database column can hold."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value
    return None


def gate_action(
    raw, *, zone: str, now: datetime
) -> tuple[gate.Action | None, gate.Answer | None]:
    """One change from a phone's queue, checked like the page's own forms: the
    change, or the answer that refuses it (nothing is applied or recorded)."""
    if not isinstance(raw, dict):
        return None, gate.Answer("", "invalid", _("This change could not be read."))
    key = raw.get("key")
    if not isinstance(key, str) or not gate.KEY.fullmatch(key):
        return None, gate.Answer(
            "", "invalid", _("This change has no valid key, so it was not applied.")
        )
    kind = raw.get("kind")
    if kind not in gate.KINDS:
        return None, gate.Answer(key, "invalid", _("This change could not be read."))
    try:
        sent = datetime.fromisoformat(str(raw.get("made_at")))
    except ValueError:
        sent = None
    if sent is not None and sent.tzinfo is None:
        sent = None
    action = gate.Action(key=key, kind=kind, made_at=gate.made_at(sent, now))
    if kind != "walk_in":
        action.signup_id = _whole(raw.get("signup"))
        return action, None
    action.shift_id = _whole(raw.get("shift"))
    fields = {
        name: raw[name]
        for name in ("email", "name", "phone")
        if isinstance(raw.get(name), str)
    }
    if raw.get("texts_agreed") is True:
        fields["texts_agreed"] = "y"
    form = WalkInForm(formdata=MultiDict(fields), meta={"csrf": False})
    form.phone_zone = zone
    if not form.validate():
        problems = [
            _("%(label)s: %(message)s", label=field.label.text, message=message)
            for field in form
            for message in field.errors
        ]
        return None, gate.Answer(key, "invalid", " ".join(problems))
    action.email, action.name, action.phone = (
        form.email.data,
        form.name.data,
        form.phone.data,
    )
    action.texts_agreed = form.texts_agreed.data
    return action, None
