"""Phone numbers: read with `phonenumbers`, stored in E.164, shown nationally.

One helper for every phone field (the profile, a coordinator's guest at the
roster or the gate): `parse()` turns what a person typed into "+4917012345678"
or raises PhoneError with a message for the form. `PhoneNumber` is the same
check as a WTForms validator; `national()` is the Jinja filter `phone`.

Numbers typed without a country code belong to the garden's country (from its
time zone) or else `GARDENHUB_SMS_DEFAULT_REGION`. Premium-rate and shared-cost
numbers are refused everywhere; a number that is to get texts must also be a
mobile number of a country texts go to (`GARDENHUB_SMS_COUNTRIES`).
"""

from functools import cache
from importlib import resources

import phonenumbers
from babel import Locale
from flask import current_app
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from wtforms.validators import StopValidation

from gardenhub.i18n import FORMATS, _, _l, language

# Numbers nobody should be asked to call or text: they cost the caller extra.
COSTLY = {PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST}
# Numbers a text reaches. FIXED_LINE_OR_MOBILE: countries (the US, Canada)
# whose numbers do not tell.
TEXTABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneError(ValueError):
    """What is wrong with a number, in words for the person who typed it."""

    @property
    def message(self) -> str:
        return str(self.args[0])


@cache
def _zone_countries() -> dict[str, str]:
    """Time zone name -> ISO country code, from the tz database's zone.tab."""
    try:
        text = (
            resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
        )
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover
        return {}
    found = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            found.setdefault(parts[2], parts[0])
    return found


def region_for(zone: str | None = None) -> str:
    """The country a number without a country code belongs to: the one of the
    garden's time zone (Europe/Berlin: DE), else GARDENHUB_SMS_DEFAULT_REGION."""
    from_zone = _zone_countries().get(zone or "")
    configured = str(current_app.config.get("SMS_DEFAULT_REGION") or "DE").upper()
    return from_zone or configured


def text_countries() -> set[str]:
    """The countries whose mobile numbers may get texts."""
    chosen = current_app.config.get("SMS_COUNTRIES")
    if isinstance(chosen, str):
        chosen = [part.strip() for part in chosen.split(",")]
    if not chosen:
        chosen = [region_for(None)]
    return {str(code).upper() for code in chosen if code}


def country_name(code: str) -> str:
    """ "Germany" / "Alemania" / "Deutschland" for "DE", in the current language."""
    locale = Locale.parse(FORMATS.get(language(), "en_GB"))
    return locale.territories.get(code, code)


def _countries_list(codes: set[str]) -> str:
    return ", ".join(sorted(country_name(code) for code in codes))


def parse(raw: str | None, *, region: str | None = None, for_texts=False) -> str:
    """The number `raw` in E.164 ("+4917012345678"), or PhoneError.

    `region` is the country of numbers typed without "+" (see `region_for`).
    With `for_texts`, the number must be a mobile one in `text_countries()`.
    """
    region = region or region_for(None)
    text = (raw or "").strip()
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        if text.startswith(("+", "00")):
            raise PhoneError(
                _(
                    "This is not a phone number we can use. Check the digits "
                    "after the country code."
                )
            )
        raise PhoneError(
            _(
                "This is not a valid phone number in %(country)s. For a number "
                "from another country, start with + and its country code.",
                country=country_name(region),
            )
        )
    kind = phonenumbers.number_type(number)
    if kind in COSTLY:
        raise PhoneError(
            _(
                "This is a premium-rate or shared-cost number. Please give a "
                "normal phone number."
            )
        )
    if for_texts:
        if kind not in TEXTABLE:
            raise PhoneError(
                _("Texts need a mobile number; this one looks like a landline.")
            )
        allowed = text_countries()
        if phonenumbers.region_code_for_number(number) not in allowed:
            raise PhoneError(
                _(
                    "We can send texts only to mobile numbers from %(countries)s.",
                    countries=_countries_list(allowed),
                )
            )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def is_e164(value: str | None) -> bool:
    """A stored number we normalised (older free-text values may not be)."""
    if not value or not value.startswith("+"):
        return False
    try:
        number = phonenumbers.parse(value, None)
    except NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and (
        phonenumbers.format_number(number, PhoneNumberFormat.E164) == value
    )


def can_text(value: str | None) -> bool:
    """A stored number a text may go to (E.164, mobile, an allowed country)."""
    if not is_e164(value):
        return False
    try:
        parse(value, for_texts=True)
    except PhoneError:
        return False
    return True


def national(value: str | None, region: str | None = None) -> str:
    """The Jinja filter `phone`: "0170 1234567" for a number of the garden's
    country, "+34 612 34 56 78" for another; a value that never parsed (typed
    before numbers were checked) is shown as it was typed."""
    if not value:
        return ""
    if not is_e164(value):
        return value
    number = phonenumbers.parse(value, None)
    home = region or region_for(None)
    style = (
        PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == home
        else PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


class PhoneNumber:
    """WTForms validator (and normaliser) for a phone field: an empty field
    passes (pair it with Optional or DataRequired); anything else becomes
    E.164 or a form error. `texts_field` names a checkbox of the same form
    that asks for texts to this number: then it must be a mobile number, and
    an empty number is an error. A form may set `phone_zone` (the garden's
    time zone) for numbers typed without a country code."""

    def __init__(self, *, texts_field: str | None = None):
        self.texts_field = texts_field

    def __call__(self, form, field):
        wants_texts = bool(
            self.texts_field and getattr(form, self.texts_field).data is True
        )
        if not field.data:
            if wants_texts:
                raise StopValidation(str(NEEDS_NUMBER))
            return
        zone = getattr(form, "phone_zone", None)
        try:
            field.data = parse(
                field.data, region=region_for(zone), for_texts=wants_texts
            )
        except PhoneError as error:
            raise StopValidation(error.message) from None


NEEDS_NUMBER = _l("Give a mobile number to get texts.")
