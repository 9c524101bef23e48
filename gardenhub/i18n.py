"""Languages: which one a request speaks, and dates, times and numbers in it.

Every user-facing string goes through these names:

    from gardenhub.i18n import _, _l, ngettext

`_` translates now (inside a request, or under `speaking(...)`); `_l` is lazy,
for strings defined at import time (form labels, module constants); `ngettext`
picks the plural form (`ngettext("%(num)d spot open", "%(num)d spots open", n)`).
Templates have `_`, `ngettext` and `{% trans %}` built in.

The language of a page: the person's saved choice, then the `lang` cookie of the
footer's switch, then the browser's Accept-Language, then the deployment's
default (`GARDENHUB_DEFAULT_LANGUAGE`). Emails speak their recipient's language,
public feeds their garden's (or `?lang=`), private feeds their owner's.

Dates and times are formatted with Babel in the language's conventions and the
garden's zone: English follows British usage (24-hour clock, "Tue 1 Dec 2026").
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

__all__ = [
    "LANGUAGES",
    "_",
    "_l",
    "_ln",
    "ngettext",
    "speaking",
    "language",
]

_ = gettext

# The languages with a complete catalog, by their own name (what the switch shows).
LANGUAGES = {"en": "English", "es": "Español", "de": "Deutsch"}
RIGHT_TO_LEFT: frozenset[str] = frozenset()
COOKIE = "lang"
COOKIE_DAYS = 365
# Formatting conventions per language (Babel locales): English is British usage.
FORMATS = {"en": "en_GB", "es": "es_ES", "de": "de_DE"}

# What `day` offers: a name for each way a plain date is shown, written out
# per language (CLDR patterns), so each orders and abbreviates it its own way.
DAY_STYLES = {
    "en": {
        "full": "EEEE d MMMM y",  # Tuesday 1 December 2026
        "long": "d MMMM y",  # 1 December 2026
        "medium": "EEE d MMM y",  # Tue 1 Dec 2026
        "short": "d MMM y",  # 1 Dec 2026
        "weekday": "EEEE d MMMM",  # Tuesday 1 December
        "day": "EEE d MMM",  # Tue 1 Dec
        "day_month": "d MMM",  # 1 Dec
        "month": "LLLL y",  # December 2026
        "month_name": "LLL",  # Dec
    },
    "es": {
        "full": "EEEE, d 'de' MMMM 'de' y",
        "long": "d 'de' MMMM 'de' y",
        "medium": "EEE, d MMM y",
        "short": "d MMM y",
        "weekday": "EEEE, d 'de' MMMM",
        "day": "EEE, d MMM",
        "day_month": "d MMM",
        "month": "LLLL 'de' y",
        "month_name": "LLL",
    },
    "de": {
        "full": "EEEE, d. MMMM y",
        "long": "d. MMMM y",
        "medium": "EEE, d. MMM y",
        "short": "d. MMM y",
        "weekday": "EEEE, d. MMMM",
        "day": "EEE, d. MMM",
        "day_month": "d. MMM",
        "month": "LLLL y",
        "month_name": "LLL",
    },
}

babel = Babel()


def known(code: str | None) -> str | None:
    """`code` when it names a language we speak, else None."""
    if not code:
        return None
    code = code.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def default_language() -> str:
    return known(current_app.config.get("DEFAULT_LANGUAGE")) or "en"


def select_language() -> str:
    """The language of this request (Flask-Babel's locale selector)."""
    if not has_request_context():
        return default_language()
    chosen = g.get("language")
    if chosen:
        return chosen
    from flask_login import current_user

    saved = getattr(current_user, "language", None) if _user_loaded() else None
    return (
        known(saved)
        or known(request.cookies.get(COOKIE))
        or browser_language()
        or default_language()
    )


def browser_language() -> str | None:
    """The first language of Accept-Language (by quality) we speak, matched on
    its primary tag: "en-US, de;q=0.5" is English (Werkzeug's best_match would
    prefer the exact "de" over "en-US")."""
    for value, quality in request.accept_languages:
        if quality > 0 and (code := known(value)):
            return code
    return None


def _user_loaded() -> bool:
    """Whether this request has (or may load) a logged-in user. Sessionless
    views (feeds) never load one just to pick a language."""
    from flask_login import current_user

    return bool(getattr(current_user, "is_authenticated", False))


def language() -> str:
    """The language being spoken now: "en", "es" or "de"."""
    locale = get_locale()
    return known(str(locale)) or default_language()


def direction() -> str:
    return "rtl" if language() in RIGHT_TO_LEFT else "ltr"


@contextmanager
def speaking(code: str | None) -> Iterator[str]:
    """Translate and format in `code` (a recipient's language) inside the block;
    unknown or empty codes speak the default language."""
    chosen = known(code) or default_language()
    with force_locale(chosen):
        yield chosen


def _formats() -> Locale:
    return _locale(FORMATS.get(language(), "en_GB"))


@lru_cache(maxsize=len(FORMATS))
def _locale(identifier: str) -> Locale:
    """Babel's Locale, parsed once per language (a page formats hundreds of
    dates and times; parsing each time was a tenth of a list page)."""
    return Locale.parse(identifier)


def _local(moment: datetime, tz_name: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz_name))


def format_time(moment: datetime | None, tz_name: str) -> str:
    """A time of day in the garden's zone: "14:00" (or the language's clock)."""
    if moment is None:
        return ""
    return babel_dates.format_time(_local(moment, tz_name), "short", locale=_formats())


def format_date(moment: datetime | None, tz_name: str) -> str:
    """The garden-local day of a moment: "Tue 1 Dec 2026"."""
    if moment is None:
        return ""
    return format_day(_local(moment, tz_name).date(), "medium")


def format_datetime(moment: datetime | None, tz_name: str) -> str:
    """Day and time in the garden's zone: "Tue 1 Dec 2026, 14:00"."""
    if moment is None:
        return ""
    local = _local(moment, tz_name)
    pattern = _formats().datetime_formats["medium"]
    return str(pattern).format(format_time(moment, tz_name), format_day(local.date()))


def format_day(day: date | None, style: str = "medium") -> str:
    """A calendar date (no zone: it is already a local day) in one of
    DAY_STYLES: `{{ task.due_on|day("weekday") }}`."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.date()
    pattern = DAY_STYLES.get(language(), DAY_STYLES["en"])[style]
    return babel_dates.format_date(day, pattern, locale=_formats())


def format_number(value: float | Decimal | int | None) -> str:
    """A number in the language's way: hours "2.5" / "2,5", no trailing zeros."""
    if value is None:
        return ""
    return babel_numbers.format_decimal(value, locale=_formats())


def language_choices() -> list[tuple[str, str]]:
    return list(LANGUAGES.items())


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_language,
        default_translation_directories="translations",
    )
    # `{% trans %}` blocks are written across lines; their msgids are trimmed.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.filters["localtime"] = format_time
    app.jinja_env.filters["localdatetime"] = format_datetime
    app.jinja_env.filters["localdate"] = format_date
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["number"] = format_number
    app.add_template_global(language, "current_language")
    app.add_template_global(direction, "text_direction")
    app.add_template_global(language_choices)
