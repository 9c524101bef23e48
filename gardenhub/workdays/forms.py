"""Forms for planning workdays, series and shifts, and for adding people."""

from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    widgets,
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
from gardenhub.projects.models import Visibility
from gardenhub.workdays.models import DEFAULT_PUBLIC_TITLE
from gardenhub.workdays.services import (
    PLANNING_YEARS_AHEAD,
    PLANNING_YEARS_BACK,
    Scope,
    ShiftData,
)

CAPACITY_RANGE = NumberRange(
    1, 10_000, message="Capacity must be between 1 and 10,000."
)
WEEKDAYS = {
    "0": "Mon",
    "1": "Tue",
    "2": "Wed",
    "3": "Thu",
    "4": "Fri",
    "5": "Sat",
    "6": "Sun",
}


class ShiftRowForm(Form):
    """One shift line inside the workday form; a row with no name is ignored."""

    name = StringField("Shift name", filters=[strip], validators=[Length(max=120)])
    start = TimeField("From", validators=[Optional()])
    end = TimeField("Until", validators=[Optional()])
    capacity = IntegerField("People", validators=[Optional(), CAPACITY_RANGE])

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if not self.name.data:
            return True
        missing = [f for f in (self.start, self.end, self.capacity) if f.data is None]
        for f in missing:
            f.errors = [*f.errors, "Needed for this shift."]
        return not missing

    def to_data(self) -> ShiftData | None:
        if not self.name.data:
            return None
        return ShiftData(
            name=self.name.data,
            start=self.start.data,
            end=self.end.data,
            capacity=self.capacity.data,
        )


class WorkdayFieldsMixin:
    title = StringField(
        "Title members see",
        filters=[strip],
        validators=[DataRequired(), Length(max=120)],
    )
    public_title = StringField(
        "Public title",
        filters=[strip],
        default=DEFAULT_PUBLIC_TITLE,
        validators=[DataRequired(), Length(max=120)],
        description="What neighbours and public calendars see. Keep it neutral "
        "unless the group wants its name published.",
    )
    description = TextAreaField(
        "Description for members",
        filters=[strip],
        validators=[Optional(), Length(max=5000)],
    )
    garden_id = SelectField("Garden", coerce=int, validators=[Optional()])
    location = StringField(
        "Meeting point or address",
        filters=[strip],
        validators=[Optional(), Length(max=255)],
        description="Needed when it is not at a garden.",
    )
    start = TimeField(
        "Starts", validators=[InputRequired(message="When does it start?")]
    )
    end = TimeField("Ends", validators=[InputRequired(message="When does it end?")])
    is_newcomer_friendly = BooleanField(
        "Newcomer-friendly", description="First-timers are especially welcome."
    )
    visibility = RadioField(
        "Who sees it",
        default=Visibility.public,
        choices={
            Visibility.public: "Public: on public pages and feeds (public title "
            "only); anyone with an account may sign up",
            Visibility.members: "Members only: not on any public page or feed; "
            "only members see it and sign up",
        },
    )

    def set_gardens(self, gardens) -> None:
        self.garden_id.choices = {0: "Not at a garden"} | {
            g.id: g.name for g in gardens
        }


class WorkdayForm(WorkdayFieldsMixin, BaseForm):
    day = DateField(
        "Date",
        validators=[InputRequired(message="Pick a date.")],
        years_back=PLANNING_YEARS_BACK,
        years_ahead=PLANNING_YEARS_AHEAD,
    )
    shifts = FieldList(FormField(ShiftRowForm), min_entries=3, max_entries=10)


class SeriesForm(WorkdayFieldsMixin, BaseForm):
    weekdays = SelectMultipleField(
        "On",
        choices=WEEKDAYS,
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
        validators=[DataRequired(message="Pick at least one weekday.")],
    )
    interval_weeks = SelectField(
        "Repeats",
        coerce=int,
        choices={
            1: "Every week",
            2: "Every 2nd week",
            3: "Every 3rd week",
            4: "Every 4th week",
        },
    )
    starts_on = DateField(
        "First date",
        validators=[InputRequired()],
        years_back=PLANNING_YEARS_BACK,
        years_ahead=PLANNING_YEARS_AHEAD,
    )
    ends_on = DateField(
        "Last date",
        validators=[Optional()],
        years_back=PLANNING_YEARS_BACK,
        years_ahead=PLANNING_YEARS_AHEAD,
    )
    count = IntegerField(
        "…or number of workdays",
        validators=[
            Optional(),
            NumberRange(1, 200, message="A series has 1 to 200 workdays."),
        ],
    )
    shifts = FieldList(FormField(ShiftRowForm), min_entries=3, max_entries=10)


class EditWorkdayForm(WorkdayFieldsMixin, BaseForm):
    day = DateField(
        "Date",
        validators=[InputRequired()],
        description="Only changes when editing this workday alone.",
        years_back=PLANNING_YEARS_BACK,
        years_ahead=PLANNING_YEARS_AHEAD,
    )
    scope = RadioField(
        "Apply to",
        default=Scope.this,
        choices={
            Scope.this: "Only this workday",
            Scope.following: "This and following workdays",
            Scope.all: "All upcoming workdays in the series",
        },
    )


class ShiftForm(BaseForm):
    name = StringField(
        "Shift name", filters=[strip], validators=[DataRequired(), Length(max=120)]
    )
    start = TimeField("From", validators=[InputRequired()])
    end = TimeField("Until", validators=[InputRequired()])
    capacity = IntegerField(
        "People needed", validators=[InputRequired(), CAPACITY_RANGE]
    )
    description = TextAreaField(
        "What happens", filters=[strip], validators=[Optional(), Length(max=2000)]
    )
    skill = StringField(
        "Skill or thing to bring",
        filters=[strip],
        validators=[Optional(), Length(max=200)],
    )

    def to_data(self) -> ShiftData:
        return ShiftData(
            name=self.name.data,
            start=self.start.data,
            end=self.end.data,
            capacity=self.capacity.data,
            description=self.description.data or None,
            skill=self.skill.data or None,
        )


class CancelWorkdayForm(BaseForm):
    reason = StringField(
        "Reason (shown to members)",
        filters=[strip],
        validators=[Optional(), Length(max=500)],
    )


class AddPersonForm(BaseForm):
    email = EmailField(
        "Email of someone with an account",
        filters=[strip],
        validators=[DataRequired(), Email(), Length(max=254)],
    )


class AddGuestForm(BaseForm):
    name = StringField(
        "Name", filters=[strip], validators=[DataRequired(), Length(max=80)]
    )
    phone = StringField(
        "Phone (optional)", filters=[strip], validators=[Optional(), Length(max=40)]
    )
    email = EmailField(
        "Email (optional)",
        filters=[strip],
        validators=[Optional(), Email(), Length(max=254)],
    )


class SignupForm(BaseForm):
    """The sign-up button, with an optional note and a wish for a buddy."""

    note = TextAreaField(
        "A note for the coordinators (optional)",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=300, message="Keep the note to 300 characters."),
        ],
        description="Only this project's coordinators read it, and it is erased "
        "soon after the workday. For example: “a quiet task please”.",
    )
    wants_buddy = BooleanField(
        "I'd like someone to welcome me",
        description="A member who is happy to welcome newcomers looks out for you.",
    )
    buddy_sees_name = BooleanField("They may see my name")


class BuddyForm(BaseForm):
    buddy = SelectField("Welcome buddy", coerce=int, validators=[InputRequired()])
