"""Subscribe links for a feed (webcal, Google, Outlook, plain URL) and its QR code."""

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlencode

from markupsafe import Markup

from gardenhub import qr
from gardenhub.i18n import LANGUAGES


@dataclass(frozen=True)
class LanguageOption:
    """The same feed in one language (`?lang=`), named in that language."""

    code: str
    label: str
    links: "SubscribeLinks"


@dataclass(frozen=True)
class SubscribeLinks:
    https: str
    webcal: str
    google: str
    outlook: str
    name: str
    # The language the plain links speak (a garden's), and the feed in each
    # of the others; empty for a private feed, which follows its owner.
    language: str = ""
    languages: tuple[LanguageOption, ...] = ()

    @property
    def language_label(self) -> str:
        return LANGUAGES.get(self.language, "")

    @property
    def other_languages(self) -> tuple[LanguageOption, ...]:
        return tuple(o for o in self.languages if o.code != self.language)


def with_language(https_url: str, code: str) -> str:
    """The feed's address with `?lang=` added."""
    return https_url + ("&" if "?" in https_url else "?") + urlencode({"lang": code})


def links(
    https_url: str,
    name: str,
    *,
    language: str = "",
    natural: str = "",
    offer_languages: bool = False,
) -> SubscribeLinks:
    """Subscribe links for the feed at `https_url` in `language`; `natural` is
    what it speaks without `?lang=` (its garden's language), so only the other
    languages carry one. With `offer_languages`, also the same feed in each
    other language."""

    def address(code: str) -> str:
        return (
            https_url
            if not natural or code == natural
            else with_language(https_url, code)
        )

    options = ()
    if offer_languages:
        options = tuple(
            LanguageOption(code, label, links(address(code), name))
            for code, label in LANGUAGES.items()
        )
    https_url = address(language)
    webcal = "webcal://" + https_url.split("://", 1)[1]
    return SubscribeLinks(
        https=https_url,
        webcal=webcal,
        google="https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        outlook="https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": https_url, "name": name}),
        name=name,
        language=language,
        languages=options,
    )


@lru_cache(maxsize=512)
def qr_svg(data: str) -> Markup:
    """An inline SVG QR code of a feed address (the same few, again and again)."""
    return qr.svg(data)
