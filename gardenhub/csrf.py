"""CSRF policy: every POST is checked app-wide, before the view runs.

A view built around a FlaskForm can opt out of that early check with
`token_checked_by_form`: its form validates the same token itself, so a
missing or stale token comes back as an error next to a form that keeps what
the person typed, instead of a bare 400 page. The opt-out is only safe because
the form checks; `tests/test_fuzz.py` posts every such view's form without a
token and fails unless it is refused and nothing is saved.

A webhook an SMS provider posts to opts out with `signature_checked`: it
carries the provider's signature instead of a token (see below).
"""

from collections.abc import Callable

from gardenhub.extensions import csrf

# The endpoints' view functions that check their CSRF token in their form.
CHECKED_BY_FORM: set[Callable] = set()


def token_checked_by_form(view: Callable) -> Callable:
    CHECKED_BY_FORM.add(view)
    return csrf.exempt(view)


# The endpoints' view functions that machines post to (an SMS provider's
# webhook): no session and no form, so no token to check. Each request must
# carry the provider's signature instead, checked before anything is read;
# `tests/test_fuzz.py` posts hostile bodies to each without one and fails
# unless every one gets a 403 and nothing is saved.
CHECKED_BY_SIGNATURE: set[Callable] = set()


def signature_checked(view: Callable) -> Callable:
    CHECKED_BY_SIGNATURE.add(view)
    return csrf.exempt(view)


# The JSON API's blueprints: scripts authenticate with a personal access
# token in the Authorization header, never with the session cookie, so there
# is nothing for a forged cross-site request to ride on.
TOKEN_AUTH: set[str] = set()


def token_instead(blueprint):
    TOKEN_AUTH.add(blueprint.name)
    return csrf.exempt(blueprint)
