"""Domain errors and the error pages for 400/403/404/405/422/500."""

import logging
import time

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from gardenhub.extensions import db, limiter
from gardenhub.i18n import _, _l

log = logging.getLogger(__name__)


class GardenHubError(Exception):
    """A rule was broken; `message` is shown to the user, `field` names a form field."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


TITLES = {
    400: _l("That request could not be handled"),
    403: _l("You don't have access to this"),
    409: _l("Someone else changed this at the same moment"),
    404: _l("Page not found"),
    405: _l("That action is not allowed here"),
    422: _l("Please check what you entered"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}


# The JSON API's error codes: stable, for scripts to branch on.
API_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}


def _for_api() -> bool:
    return request.path.startswith("/api/")


def _fields(data: dict) -> dict[str, list[str]]:
    """What a refusal says per field: webargs' messages (by location, then
    field) or the view's own `errors`, flattened to field → messages."""
    found = data.get("errors") or {}
    for by_field in (data.get("messages") or {}).values():
        found = {**found, **by_field}
    return {
        str(name): [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
        for name, msgs in found.items()
    }


def api_error(code: int, message=None, *, fields=None, headers=None):
    """Every API refusal: {"error": {"code", "message", "fields"}}."""
    if message is None:
        message = TITLES.get(code) or _("Error")
    body = {
        "error": {
            "code": API_CODES.get(code, "error"),
            "message": str(message),
            "fields": fields or {},
        }
    }
    return body, code, {"Cache-Control": "no-store", **(headers or {})}


def _retry_after() -> dict:
    current = limiter.current_limit
    if current is None:
        return {"Retry-After": "60"}
    return {"Retry-After": str(max(1, int(current.reset_at - time.time()) + 1))}


def render_error(code: int, message: str | None = None):
    if _for_api():
        return api_error(code, message)
    body = render_template(
        f"errors/{code}.html" if code in (403, 404, 500) else "errors/generic.html",
        code=code,
        title=str(TITLES[code]) if code in TITLES else _("Error"),
        message=message,
    )
    return body, code


# Flask-WTF's reasons, which it gives in English only.
CSRF_REASONS = {
    "The CSRF token is missing.": _l("its security code is missing"),
    "The CSRF session token is missing.": _l("your session has no security code"),
    "The CSRF token has expired.": _l("its security code has expired"),
    "The CSRF token is invalid.": _l("its security code is not valid"),
    "The CSRF tokens do not match.": _l("its security code does not match"),
    "The referrer header is missing.": _l("it came without a referrer"),
    "The referrer does not match the host.": _l("it came from another site"),
}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        reason = CSRF_REASONS.get(error.description, error.description)
        return render_error(
            400,
            _(
                "The form had expired or was sent from somewhere else "
                "(%(reason)s). Go back, reload the page and try again.",
                reason=str(reason),
            ),
        )

    @app.errorhandler(GardenHubError)
    def domain_error(error: GardenHubError):
        db.session.rollback()
        return render_error(error.status_code, error.message)

    # A safety net: every rule that a constraint guards is also checked by its
    # service, under a lock, with its own message; this answers when a race
    # still slips past that check, so the loser never sees a 500. Logged, to be
    # fixed where it comes from. (A value the database refuses is a bug in a
    # form's validation: a 500, and the fuzz test's business.)
    @app.errorhandler(IntegrityError)
    def conflict(error: IntegrityError):
        db.session.rollback()
        log.warning("database constraint refused a change on %s", request.path)
        return render_error(
            409,
            _(
                "Someone else made the same change at the same moment, so nothing "
                "was saved. Go back, reload the page and check before trying again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code >= 500:
            return render_error(500)
        if _for_api():
            data = getattr(error, "data", None) or {}
            headers = dict(data.get("headers") or {})
            if error.code == 429:
                headers.update(_retry_after())
            return api_error(
                error.code,
                data.get("message"),
                fields=_fields(data),
                headers=headers,
            )
        if request.path.endswith(".ics") or request.path.startswith("/feeds/"):
            return error.description, error.code, {"Content-Type": "text/plain"}
        message = error.description if error.code in (400, 403, 422) else None
        if error.code == 429:
            message = _(
                "Too many attempts in a short time. Please wait a few minutes "
                "and try again."
            )
        return render_error(error.code, message)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        log.exception("unhandled error on %s", request.path)
        return render_error(500)
