"""The form that names a new private feed link."""

from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from gardenhub.formfields import BaseForm, strip

REMIND_CHOICES = (1, 2, 3, 6, 12, 24, 48)


class FeedTokenForm(BaseForm):
    name = StringField(
        "Name this link",
        filters=[strip],
        validators=[
            DataRequired(message="Name it after the device, e.g. “phone”."),
            Length(max=60),
        ],
        description="For example “phone” or “work laptop”, so you know which "
        "to revoke.",
    )
    remind_hours = SelectField(
        "Remind me before each shift",
        choices={0: "No reminder"}
        | {n: f"{n} hour{'s' if n != 1 else ''} before" for n in REMIND_CHOICES},
        coerce=int,
        default=0,
        description="Your calendar app shows the reminder (with neutral words "
        "in discreet mode). To change it, make a new link and revoke this one.",
    )
