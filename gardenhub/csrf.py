"""CSRF policy: every POST is checked app-wide, before the view runs.

Views built around a FlaskForm opt out of the early check with `form_view`:
the form validates the same token itself, so a missing or stale token comes
back as an error next to a form that keeps what the person typed.
"""

from collections.abc import Callable

from gardenhub.extensions import csrf


def form_view(view: Callable) -> Callable:
    return csrf.exempt(view)
