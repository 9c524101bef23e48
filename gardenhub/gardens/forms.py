"""The garden, its season and its coordinators."""

from wtforms import (
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
)

from gardenhub import timezones
from gardenhub.i18n import LANGUAGES
from gardenhub.formfields import (
    BaseForm,
    DateField,
    FloatField,
    IntegerField,
    strip,
)


class GardenForm(BaseForm):
    name = StringField(
        "Name", filters=[strip], validators=[DataRequired(), Length(max=120)]
    )
    address = StringField(
        "Address", filters=[strip], validators=[Optional(), Length(max=255)]
    )
    description = TextAreaField(
        "Description", filters=[strip], validators=[Optional(), Length(max=5000)]
    )
    timezone = SelectField(
        "Time zone",
        validators=[DataRequired()],
        description="Every time at this garden is shown in it.",
    )
    language = SelectField(
        "Language",
        choices=dict(LANGUAGES),
        default="en",
        validators=[Optional()],
        description="Its public calendar feeds, and messages to people who "
        "have not chosen a language, use it.",
    )
    latitude = FloatField(
        "Latitude (optional)", validators=[Optional(), NumberRange(-90, 90)]
    )
    longitude = FloatField(
        "Longitude (optional)", validators=[Optional(), NumberRange(-180, 180)]
    )
    map_width = IntegerField(
        "Map width (grid units)",
        default=24,
        validators=[Optional(), NumberRange(1, 200)],
    )
    map_height = IntegerField(
        "Map height (grid units)",
        default=16,
        validators=[Optional(), NumberRange(1, 200)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = {zone: zone for zone in timezones.zone_choices()}


class SeasonForm(BaseForm):
    season_name = StringField(
        "Season name", filters=[strip], validators=[Optional(), Length(max=40)]
    )
    season_starts_on = DateField("Season starts", validators=[Optional()])
    season_ends_on = DateField("Season ends", validators=[Optional()])


class GardenCoordinatorsForm(BaseForm):
    coordinators = SelectMultipleField(
        "Garden coordinators",
        coerce=int,
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.coordinators.choices = {user.id: user.display_name for user in candidates}
