"""Forms for tasks: plan, assign, mark done."""

from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from gardenhub.formfields import BaseForm, DateField, IntegerField, strip
from gardenhub.i18n import _, _l
from gardenhub.tasks.models import Priority


def priority_choices() -> dict[str, str]:
    """Read when a form is built, so the labels speak the request's language."""
    return {p.value: p.label for p in Priority}


class TaskForm(BaseForm):
    title = StringField(
        _l("What needs doing"),
        filters=[strip],
        validators=[DataRequired(), Length(max=120)],
    )
    description = TextAreaField(
        _l("Details"), filters=[strip], validators=[Optional(), Length(max=5000)]
    )
    due_on = DateField(_l("Due date (optional)"), validators=[Optional()])
    people_needed = IntegerField(
        _l("People needed"),
        default=1,
        validators=[
            InputRequired(),
            NumberRange(1, 100, message=_l("Use 1 to 100 people.")),
        ],
    )
    priority = SelectField(
        _l("Priority"),
        default=Priority.normal,
        choices=priority_choices,
    )
    workday_id = SelectField(
        _l("For a workday (optional)"), coerce=int, validators=[Optional()]
    )
    is_public = BooleanField(
        _l("Show on public pages"),
        description=_l(
            "Neighbours see the task (never who took it), e.g. “we need "
            "someone to bring a wheelbarrow”."
        ),
    )

    def set_workdays(self, workdays, zone_format) -> None:
        self.workday_id.choices = {0: _("Not tied to a workday")} | {
            w.id: f"{zone_format(w)}: {w.title}" for w in workdays
        }


class AssignForm(BaseForm):
    email = EmailField(
        _l("Person's email"),
        filters=[strip],
        validators=[DataRequired(), Email(), Length(max=254)],
        description=_l(
            "Start typing: people from this project's rosters "
            "are suggested. Anyone with an active account can be added."
        ),
    )


class DoneForm(BaseForm):
    note = StringField(
        _l("Note (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=500)],
    )
