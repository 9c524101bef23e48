"""URL slugs made from names, unique within a model."""

import re
import unicodedata

from sqlalchemy import select

from gardenhub.extensions import db


def slugify(text: str, *, max_length: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-") or "item"


def unique_slug(model, text: str) -> str:
    """`slugify(text)`, with -2, -3… appended while `model` already has it."""
    base = slugify(text)
    taken = set(
        db.session.scalars(select(model.slug).where(model.slug.like(f"{base}%")))
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
