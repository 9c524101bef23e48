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
from gardenhub.tasks.models import Priority


class TaskForm(BaseForm):
    title = StringField(
        "What needs doing",
        filters=[strip],
        validators=[DataRequired(), Length(max=120)],
    )
    description = TextAreaField(
        "Details", filters=[strip], validators=[Optional(), Length(max=5000)]
    )
    due_on = DateField("Due date (optional)", validators=[Optional()])
    people_needed = IntegerField(
        "People needed",
        default=1,
        validators=[
            InputRequired(),
            NumberRange(1, 100, message="Use 1 to 100 people."),
        ],
    )
    priority = SelectField(
        "Priority",
        default=Priority.normal,
        choices={p.value: p.value.title() for p in Priority},
    )
    workday_id = SelectField(
        "For a workday (optional)", coerce=int, validators=[Optional()]
    )
    is_public = BooleanField(
        "Show on public pages",
        description="Neighbours see the task (never who took it), e.g. “we need "
        "someone to bring a wheelbarrow”.",
    )

    def set_workdays(self, workdays, zone_format) -> None:
        self.workday_id.choices = {0: "Not tied to a workday"} | {
            w.id: f"{zone_format(w)}: {w.title}" for w in workdays
        }


class AssignForm(BaseForm):
    email = EmailField(
        "Person's email",
        filters=[strip],
        validators=[DataRequired(), Email(), Length(max=254)],
        description="Start typing: people from this project's rosters "
        "are suggested. Anyone with an active account can be added.",
    )


class DoneForm(BaseForm):
    note = StringField(
        "Note (optional)", filters=[strip], validators=[Optional(), Length(max=500)]
    )
