"""The form that names a new private feed link."""

from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from gardenhub.formfields import BaseForm, strip
from gardenhub.i18n import _l, _ln

REMIND_CHOICES = (1, 2, 3, 6, 12, 24, 48)


class FeedTokenForm(BaseForm):
    name = StringField(
        _l("Name this link"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Name it after the device, e.g. “phone”.")),
            Length(max=60),
        ],
        description=_l(
            "For example “phone” or “work laptop”, so you know which to revoke."
        ),
    )
    remind_hours = SelectField(
        _l("Remind me before each shift"),
        choices=[SelectChoice(0, _l("No reminder"))]
        + [
            SelectChoice(n, _ln("%(num)d hour before", "%(num)d hours before", n))
            for n in REMIND_CHOICES
        ],
        coerce=int,
        default=0,
        description=_l(
            "Your calendar app shows the reminder (with neutral words "
            "in discreet mode). To change it, make a new link and revoke this one."
        ),
    )
