"""CSRF policy: every POST is checked app-wide, before the view runs.

A view built around a FlaskForm can opt out of that early check with
`token_checked_by_form`: its form validates the same token itself, so a
missing or stale token comes back as an error next to a form that keeps what
the person typed, instead of a bare 400 page. The opt-out is only safe because
the form checks; `tests/test_fuzz.py` posts every such view's form without a
token and fails unless it is refused and nothing is saved.
"""

from collections.abc import Callable

from gardenhub.extensions import csrf

# The endpoints' view functions that check their CSRF token in their form.
CHECKED_BY_FORM: set[Callable] = set()


def token_checked_by_form(view: Callable) -> Callable:
    CHECKED_BY_FORM.add(view)
    return csrf.exempt(view)
