"""URL slugs made from names, unique within a model."""

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gardenhub.extensions import db


def slugify(text: str, *, max_length: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-") or "item"


def find_or_404(model, slug: str):
    """The row of `model` with this slug, or a 404."""
    return db.first_or_404(select(model).where(model.slug == slug))


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


def add_with_unique_slug(obj, text: str, *, attempts: int = 5) -> None:
    """Give `obj` the slug `unique_slug` makes from `text` and add it. When
    another request took that slug a moment ago (the unique index refuses it),
    take the next free one, as if the two had come one after the other."""
    model = type(obj)
    for _ in range(attempts):
        obj.slug = unique_slug(model, text)
        try:
            with db.session.begin_nested():
                db.session.add(obj)
            return
        except IntegrityError:
            continue
    raise RuntimeError(f"no free slug for {model.__name__} after {attempts} tries")
