"""QR codes as inline SVG, drawn on the server (no JavaScript, no network)."""

import io

import segno
from markupsafe import Markup


def svg(data: str, *, scale: int = 4) -> Markup:
    code = segno.make(data, error="m")
    drawing = code.svg_inline(
        scale=scale,
        dark="#1d2520",
        light="#ffffff",
        border=2,
        svgclass="qr",
        omitsize=False,
    )
    return Markup(drawing)  # noqa: S704 (segno's own SVG; the data inside is escaped by it)


def svg_document(data: str, *, scale: int = 8) -> bytes:
    """A standalone SVG file (with its XML namespace), for an <img> to load."""
    out = io.BytesIO()
    segno.make(data, error="m").save(
        out, kind="svg", scale=scale, dark="#1d2520", light="#ffffff", border=2
    )
    return out.getvalue()
