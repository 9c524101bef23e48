"""Subscribe links for a feed (webcal, Google, Outlook, plain URL) and its QR code."""

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlencode

import segno
from markupsafe import Markup


@dataclass(frozen=True)
class SubscribeLinks:
    https: str
    webcal: str
    google: str
    outlook: str
    name: str


def links(https_url: str, name: str) -> SubscribeLinks:
    webcal = "webcal://" + https_url.split("://", 1)[1]
    return SubscribeLinks(
        https=https_url,
        webcal=webcal,
        google="https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        outlook="https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": https_url, "name": name}),
        name=name,
    )


@lru_cache(maxsize=512)
def qr_svg(data: str) -> Markup:
    """An inline SVG QR code (no JavaScript, no network)."""
    code = segno.make(data, error="m")
    svg = code.svg_inline(
        scale=4,
        dark="#1d2520",
        light="#ffffff",
        border=2,
        svgclass="qr",
        omitsize=False,
    )
    return Markup(svg)  # noqa: S704 (segno's own SVG; the URL inside is escaped by it)
