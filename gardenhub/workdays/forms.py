"""Forms for planning workdays, series and shifts, and for adding people."""

from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
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
from gardenhub.i18n import _, _l
from gardenhub.notifications.phones import PhoneNumber
from gardenhub.projects.models import Visibility
from gardenhub.workdays.models import weekday_names
from gardenhub.workdays.services import (
    PLANNING_YEARS_AHEAD,
    PLANNING_YEARS_BACK,
    Scope,
    ShiftData,
)

CAPACITY_RANGE = NumberRange(
    1, 10_000, message=_l("Capacity must be between 1 and 10,000.")
)


def weekday_choices() -> dict[str, str]:
    """Monday ("0") to Sunday, named in the language of the request (Babel's
    short day names: "Mon", "lun", "Mo")."""
    return {str(number): name for number, name in enumerate(weekday_names("short"))}


class ShiftRowForm(Form):
    """One shift line inside the workday form; a row with no name is ignored."""

    name = StringField(_l("Shift name"), filters=[strip], validators=[Length(max=120)])
    start = TimeField(_l("From"), validators=[Optional()])
    end = TimeField(_l("Until"), validators=[Optional()])
    capacity = IntegerField(_l("People"), validators=[Optional(), CAPACITY_RANGE])

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if not self.name.data:
            return True
        missing = [f for f in (self.start, self.end, self.capacity) if f.data is None]
        for f in missing:
            f.errors = [*f.errors, _("Needed for this shift.")]
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
        _l("Title members see"),
        filters=[strip],
        validators=[DataRequired(), Length(max=120)],
    )
    public_title = StringField(
        _l("Public title"),
        filters=[strip],
        # Called for each form: prefilled in the coordinator's language.
        default=lambda: _("Community garden workday"),
        validators=[DataRequired(), Length(max=120)],
        description=_l(
            "What neighbours and public calendars see. Keep it neutral "
            "unless the group wants its name published."
        ),
    )
    description = TextAreaField(
        _l("Description for members"),
        filters=[strip],
        validators=[Optional(), Length(max=5000)],
    )
    garden_id = SelectField(_l("Garden"), coerce=int, validators=[Optional()])
    location = StringField(
        _l("Meeting point or address"),
        filters=[strip],
        validators=[Optional(), Length(max=255)],
        description=_l("Needed when it is not at a garden."),
    )
    start = TimeField(
        _l("Starts"), validators=[InputRequired(message=_l("When does it start?"))]
    )
    end = TimeField(
        _l("Ends"), validators=[InputRequired(message=_l("When does it end?"))]
    )
    is_newcomer_friendly = BooleanField(
        _l("Newcomer-friendly"), description=_l("First-timers are especially welcome.")
    )
    visibility = RadioField(
        _l("Who sees it"),
        default=Visibility.public,
        choices=[
            SelectChoice(
                Visibility.public,
                _l(
                    "Public: on public pages and feeds (public title "
                    "only); anyone with an account may sign up"
                ),
            ),
            SelectChoice(
                Visibility.members,
                _l(
                    "Members only: not on any public page or feed; "
                    "only members see it and sign up"
                ),
            ),
        ],
    )

    def set_gardens(self, gardens) -> None:
        self.garden_id.choices = {0: _("Not at a garden")} | {
            g.id: g.name for g in gardens
        }


class WorkdayForm(WorkdayFieldsMixin, BaseForm):
    day = DateField(
        _l("Date"),
        validators=[InputRequired(message=_l("Pick a date."))],
        years_back=PLANNING_YEARS_BACK,
        years_ahead=PLANNING_YEARS_AHEAD,
    )
    shifts = FieldList(FormField(ShiftRowForm), min_entries=3, max_entries=10)


class SeriesForm(WorkdayFieldsMixin, BaseForm):
    weekdays = SelectMultipleField(
        _l("On"),
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
        validators=[DataRequired(message=_l("Pick at least one weekday."))],
    )
    interval_weeks = SelectField(
        _l("Repeats"),
        coerce=int,
        choices=[
            SelectChoice(1, _l("Every week")),
            SelectChoice(2, _l("Every 2nd week")),
            SelectChoice(3, _l("Every 3rd week")),
            SelectChoice(4, _l("Every 4th week")),
        ],
    )
    starts_on = DateField(
        _l("First date"),
        validators=[InputRequired()],
        years_back=PLANNING_YEARS_BACK,
        years_ahead=PLANNING_YEARS_AHEAD,
    )
    ends_on = DateField(
        _l("Last date"),
        validators=[Optional()],
        years_back=PLANNING_YEARS_BACK,
        years_ahead=PLANNING_YEARS_AHEAD,
    )
    count = IntegerField(
        _l("…or number of workdays"),
        validators=[
            Optional(),
            NumberRange(1, 200, message=_l("A series has 1 to 200 workdays.")),
        ],
    )
    shifts = FieldList(FormField(ShiftRowForm), min_entries=3, max_entries=10)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.weekdays.choices = weekday_choices()


class EditWorkdayForm(WorkdayFieldsMixin, BaseForm):
    day = DateField(
        _l("Date"),
        validators=[InputRequired()],
        description=_l("Only changes when editing this workday alone."),
        years_back=PLANNING_YEARS_BACK,
        years_ahead=PLANNING_YEARS_AHEAD,
    )
    scope = RadioField(
        _l("Apply to"),
        default=Scope.this,
        choices=[
            SelectChoice(Scope.this, _l("Only this workday")),
            SelectChoice(Scope.following, _l("This and following workdays")),
            SelectChoice(Scope.all, _l("All upcoming workdays in the series")),
        ],
    )


class ShiftForm(BaseForm):
    name = StringField(
        _l("Shift name"), filters=[strip], validators=[DataRequired(), Length(max=120)]
    )
    start = TimeField(_l("From"), validators=[InputRequired()])
    end = TimeField(_l("Until"), validators=[InputRequired()])
    capacity = IntegerField(
        _l("People needed"), validators=[InputRequired(), CAPACITY_RANGE]
    )
    description = TextAreaField(
        _l("What happens"), filters=[strip], validators=[Optional(), Length(max=2000)]
    )
    skill = StringField(
        _l("Skill or thing to bring"),
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
        _l("Reason (shown to members)"),
        filters=[strip],
        validators=[Optional(), Length(max=500)],
    )


class AddPersonForm(BaseForm):
    email = EmailField(
        _l("Email of someone with an account"),
        filters=[strip],
        validators=[DataRequired(), Email(), Length(max=254)],
    )


class AddGuestForm(BaseForm):
    name = StringField(
        _l("Name"), filters=[strip], validators=[DataRequired(), Length(max=80)]
    )
    phone = StringField(
        _l("Phone (optional)"),
        filters=[strip],
        validators=[PhoneNumber(texts_field="texts_agreed"), Length(max=40)],
    )
    texts_agreed = BooleanField(_l("They agreed to get text messages"))
    email = EmailField(
        _l("Email (optional)"),
        filters=[strip],
        validators=[Optional(), Email(), Length(max=254)],
    )


class SignupForm(BaseForm):
    """The sign-up button, with an optional note and a wish for a buddy."""

    note = TextAreaField(
        _l("A note for the coordinators (optional)"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=300, message=_l("Keep the note to 300 characters.")),
        ],
        description=_l(
            "Only this project's coordinators read it, and it is erased "
            "soon after the workday. For example: “a quiet task please”."
        ),
    )
    wants_buddy = BooleanField(
        _l("I'd like someone to welcome me"),
        description=_l("A member who is happy to welcome newcomers looks out for you."),
    )
    buddy_sees_name = BooleanField(_l("They may see my name"))


class BuddyForm(BaseForm):
    buddy = SelectField(_l("Welcome buddy"), coerce=int, validators=[InputRequired()])
