"""The form for signing up without an account, and the link page's buttons."""

from email_validator import EmailNotValidError, validate_email
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from gardenhub.formfields import BaseForm, strip
from gardenhub.guests.services import Contact
from gardenhub.i18n import _, _l
from gardenhub.notifications import phones, sms


class GuestSignupForm(BaseForm):
    name = StringField(
        _l("Your name (a first name is enough)"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Tell us what to call you.")),
            Length(max=80),
        ],
        render_kw={"autocomplete": "given-name"},
    )
    contact = StringField(
        _l("Email address or mobile number"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("We need somewhere to send your link.")),
            Length(max=254),
        ],
        description=_l(
            "We send you a link to confirm. Only this project's coordinators "
            "see it, to reach you about this shift; the public never does."
        ),
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )
    # A honeypot: people never see it (nor hear it), bots fill it in.
    website = StringField(
        _l("Leave this empty"),
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )

    def validate_contact(self, field) -> None:
        self.parsed = parse_contact(field.data or "", getattr(self, "phone_zone", None))

    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())


def parse_contact(value: str, zone: str | None = None) -> Contact:
    """An email address (anything with an @) or a mobile number we may text
    (when texts are set up), read in the garden's country (`zone`)."""
    value = value.strip()
    if "@" in value:
        try:
            checked = validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(_("Enter a valid email address.")) from None
        return Contact(email=checked.normalized)
    if not sms.configured():
        raise ValidationError(
            _("Enter an email address; sign-up by text message is not set up here.")
        )
    try:
        number = phones.parse(value, region=phones.region_for(zone), for_texts=True)
    except phones.PhoneError as error:
        raise ValidationError(error.message) from None
    return Contact(phone=number)
