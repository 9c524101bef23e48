"""Message preferences and a coordinator's message to a workday's volunteers."""

from wtforms import EmailField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Email, InputRequired, Length

from gardenhub.formfields import BaseForm, strip


class QuietHoursForm(BaseForm):
    quiet_start = TimeField("Quiet from", validators=[InputRequired()])
    quiet_end = TimeField("Quiet until", validators=[InputRequired()])


class MessageForm(BaseForm):
    recipients = SelectField("To", coerce=int)
    subject = StringField(
        "Subject", filters=[strip], validators=[DataRequired(), Length(max=150)]
    )
    body = TextAreaField(
        "Message", filters=[strip], validators=[DataRequired(), Length(max=5000)]
    )
    reply_to = EmailField(
        "Replies go to",
        filters=[strip],
        validators=[DataRequired(), Email(), Length(max=254)],
        description="Recipients never see each other's addresses; "
        "each gets their own copy.",
    )
