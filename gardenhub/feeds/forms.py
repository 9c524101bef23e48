"""The form that names a new private feed link."""

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from gardenhub.formfields import BaseForm, strip


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
