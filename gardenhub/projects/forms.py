"""The project form."""

from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from gardenhub import timezones
from gardenhub.formfields import BaseForm, strip
from gardenhub.projects.models import DEFAULT_PUBLIC_NAME, JoinMode, Visibility


class ProjectForm(BaseForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[DataRequired(), Length(max=120)],
        description="Members see it. Public pages show a neutral title.",
    )
    public_name = StringField(
        "Public name",
        filters=[strip],
        default=DEFAULT_PUBLIC_NAME,
        validators=[DataRequired(), Length(max=120)],
        description="What neighbours and public calendars see. Keep it neutral "
        "unless the group wants its name published.",
    )
    description = TextAreaField(
        "Description", filters=[strip], validators=[Optional(), Length(max=5000)]
    )
    garden_id = SelectField("Usual garden", coerce=int, validators=[Optional()])
    timezone = SelectField(
        "Time zone",
        validators=[DataRequired()],
        description="For workdays away from a garden.",
    )
    join_mode = RadioField(
        "Who can join",
        default=JoinMode.request,
        choices={mode.value: mode.label for mode in JoinMode},
        description="A group opens itself up by choice: new projects start by request.",
    )
    default_visibility = RadioField(
        "New workdays are",
        default=Visibility.public,
        choices={
            Visibility.public.value: "Public: listed for the neighbourhood",
            Visibility.members.value: "For members only: nobody else sees them",
        },
    )
    what_to_expect = TextAreaField(
        "What to expect (for newcomers)",
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
        description="What to wear, where to meet, that nobody has to share "
        "anything. It is shown on this project's workday pages (also to "
        "people who are not members, so don't name the group) and in a "
        "newcomer's confirmation.",
    )
    org_name = StringField(
        "Organisation (for hours letters)",
        filters=[strip],
        validators=[Optional(), Length(max=120)],
    )
    org_address = StringField(
        "Organisation's address",
        filters=[strip],
        validators=[Optional(), Length(max=255)],
    )
    org_contact = StringField(
        "Contact for programmes checking a letter",
        filters=[strip],
        validators=[Optional(), Length(max=255)],
        description="An email or phone number of the organisation, never a "
        "volunteer's.",
    )
    vouch = BooleanField(
        "I vouch for this project's hours letters",
        description="Your name then appears on the letters as "
        "the person who vouches for the hours. Only you can turn this on for "
        "yourself.",
    )
    members_can_thank = BooleanField(
        "Members may thank a workday's attendees too (not only coordinators)"
    )
    colour = StringField(
        "Colour",
        validators=[
            DataRequired(),
            Regexp(r"^#[0-9a-fA-F]{6}$", message="Use a colour like #2f6b3a."),
            Length(max=7),
        ],
        render_kw={"type": "color"},
    )

    def __init__(self, gardens, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.garden_id.choices = {0: "No usual garden"} | {
            g.id: g.name for g in gardens
        }
        self.timezone.choices = {zone: zone for zone in timezones.zone_choices()}


class CoordinatorsForm(BaseForm):
    coordinators = SelectMultipleField(
        "Coordinators",
        coerce=int,
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.coordinators.choices = {user.id: user.display_name for user in candidates}
