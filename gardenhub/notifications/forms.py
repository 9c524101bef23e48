"""Message preferences and a coordinator's message to a workday's volunteers."""

from wtforms import EmailField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Email, InputRequired, Length

from gardenhub.formfields import BaseForm, strip
from gardenhub.i18n import _l


class QuietHoursForm(BaseForm):
    quiet_start = TimeField(_l("Quiet from"), validators=[InputRequired()])
    quiet_end = TimeField(_l("Quiet until"), validators=[InputRequired()])


class MessageForm(BaseForm):
    recipients = SelectField(_l("To"), coerce=int)
    subject = StringField(
        _l("Subject"), filters=[strip], validators=[DataRequired(), Length(max=150)]
    )
    body = TextAreaField(
        _l("Message"), filters=[strip], validators=[DataRequired(), Length(max=5000)]
    )
    reply_to = EmailField(
        _l("Replies go to"),
        filters=[strip],
        validators=[DataRequired(), Email(), Length(max=254)],
        description=_l(
            "Recipients never see each other's addresses; each gets their own copy."
        ),
    )
