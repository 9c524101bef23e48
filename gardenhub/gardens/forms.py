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
from gardenhub.formfields import (
    BaseForm,
    DateField,
    FloatField,
    IntegerField,
    strip,
)
from gardenhub.i18n import LANGUAGES, _l


class GardenForm(BaseForm):
    name = StringField(
        _l("Name"), filters=[strip], validators=[DataRequired(), Length(max=120)]
    )
    address = StringField(
        _l("Address"), filters=[strip], validators=[Optional(), Length(max=255)]
    )
    description = TextAreaField(
        _l("Description"), filters=[strip], validators=[Optional(), Length(max=5000)]
    )
    timezone = SelectField(
        _l("Time zone"),
        validators=[DataRequired()],
        description=_l("Every time at this garden is shown in it."),
    )
    language = SelectField(
        _l("Language"),
        # Each language by its own name, as the footer's switch shows it.
        choices=dict(LANGUAGES),
        default="en",
        validators=[Optional()],
        description=_l(
            "Its public calendar feeds, and messages to people who "
            "have not chosen a language, use it."
        ),
    )
    latitude = FloatField(
        _l("Latitude (optional)"), validators=[Optional(), NumberRange(-90, 90)]
    )
    longitude = FloatField(
        _l("Longitude (optional)"), validators=[Optional(), NumberRange(-180, 180)]
    )
    map_width = IntegerField(
        _l("Map width (grid units)"),
        default=24,
        validators=[Optional(), NumberRange(1, 200)],
    )
    map_height = IntegerField(
        _l("Map height (grid units)"),
        default=16,
        validators=[Optional(), NumberRange(1, 200)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = {zone: zone for zone in timezones.zone_choices()}


class SeasonForm(BaseForm):
    season_name = StringField(
        _l("Season name"), filters=[strip], validators=[Optional(), Length(max=40)]
    )
    season_starts_on = DateField(_l("Season starts"), validators=[Optional()])
    season_ends_on = DateField(_l("Season ends"), validators=[Optional()])


class GardenCoordinatorsForm(BaseForm):
    coordinators = SelectMultipleField(
        _l("Garden coordinators"),
        coerce=int,
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.coordinators.choices = {user.id: user.display_name for user in candidates}
