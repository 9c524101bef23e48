"""The garden form."""

from flask_wtf import FlaskForm
from wtforms import FloatField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from gardenhub import timezones
from gardenhub.formfields import strip


class GardenForm(FlaskForm):
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
    latitude = FloatField(
        "Latitude (optional)", validators=[Optional(), NumberRange(-90, 90)]
    )
    longitude = FloatField(
        "Longitude (optional)", validators=[Optional(), NumberRange(-180, 180)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = {zone: zone for zone in timezones.zone_choices()}
