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
from gardenhub.i18n import _, _l
from gardenhub.projects.models import DEFAULT_PUBLIC_NAME, JoinMode, Visibility


# Read when a form is built, so the labels speak the request's language.
def join_mode_choices() -> dict[str, str]:
    return {mode.value: mode.label for mode in JoinMode}


def visibility_choices() -> dict[str, str]:
    return {v.value: v.label for v in Visibility}


class ProjectForm(BaseForm):
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[DataRequired(), Length(max=120)],
        description=_l("Members see it. Public pages show a neutral title."),
    )
    public_name = StringField(
        _l("Public name"),
        filters=[strip],
        default=DEFAULT_PUBLIC_NAME,
        validators=[DataRequired(), Length(max=120)],
        description=_l(
            "What neighbours and public calendars see. Keep it neutral "
            "unless the group wants its name published."
        ),
    )
    description = TextAreaField(
        _l("Description"), filters=[strip], validators=[Optional(), Length(max=5000)]
    )
    garden_id = SelectField(_l("Usual garden"), coerce=int, validators=[Optional()])
    timezone = SelectField(
        _l("Time zone"),
        validators=[DataRequired()],
        description=_l("For workdays away from a garden."),
    )
    join_mode = RadioField(
        _l("Who can join"),
        default=JoinMode.request,
        choices=join_mode_choices,
        description=_l(
            "A group opens itself up by choice: new projects start by request."
        ),
    )
    default_visibility = RadioField(
        _l("New workdays are"),
        default=Visibility.public,
        choices=visibility_choices,
    )
    what_to_expect = TextAreaField(
        _l("What to expect (for newcomers)"),
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "What to wear, where to meet, that nobody has to share "
            "anything. It is shown on this project's workday pages (also to "
            "people who are not members, so don't name the group) and in a "
            "newcomer's confirmation."
        ),
    )
    org_name = StringField(
        _l("Organisation (for hours letters)"),
        filters=[strip],
        validators=[Optional(), Length(max=120)],
    )
    org_address = StringField(
        _l("Organisation's address"),
        filters=[strip],
        validators=[Optional(), Length(max=255)],
    )
    org_contact = StringField(
        _l("Contact for programmes checking a letter"),
        filters=[strip],
        validators=[Optional(), Length(max=255)],
        description=_l(
            "An email or phone number of the organisation, never a volunteer's."
        ),
    )
    vouch = BooleanField(
        _l("I vouch for this project's hours letters"),
        description=_l(
            "Your name then appears on the letters as "
            "the person who vouches for the hours. Only you can turn this on for "
            "yourself."
        ),
    )
    members_can_thank = BooleanField(
        _l("Members may thank a workday's attendees too (not only coordinators)")
    )
    colour = StringField(
        _l("Colour"),
        validators=[
            DataRequired(),
            Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Use a colour like #2f6b3a.")),
            Length(max=7),
        ],
        render_kw={"type": "color"},
    )

    def __init__(self, gardens, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.garden_id.choices = {0: _("No usual garden")} | {
            g.id: g.name for g in gardens
        }
        self.timezone.choices = {zone: zone for zone in timezones.zone_choices()}


class CoordinatorsForm(BaseForm):
    coordinators = SelectMultipleField(
        _l("Coordinators"),
        coerce=int,
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.coordinators.choices = {user.id: user.display_name for user in candidates}
