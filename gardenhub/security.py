"""Security headers on every response, session time limits, rate limits, and
the edge check that keeps control characters out of addresses and forms."""

import hashlib
import hmac
import re
import time
from datetime import timedelta

from flask import Flask, abort, current_app, flash, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix

from gardenhub.extensions import limiter
from gardenhub.i18n import _

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)


def email_key() -> str:
    """Rate-limit key for one account: the email typed into the form."""
    return "email:" + (request.form.get("email") or "").strip().lower()


# Short windows on purpose: they stop guessing but never lock a real person out
# for more than a few minutes.
LOGIN_PER_IP = "30 per minute;300 per hour"
LOGIN_PER_ACCOUNT = "10 per 5 minutes"
# Registration limits are settings (config.Defaults): an open day on shared
# Wi-Fi is many people on one address, so the per-address hourly limit counts
# only registrations that went through, the burst counts every attempt, and
# one email address can be tried only a few times.


def _setting(name: str):
    return lambda: current_app.config[name]


RESET_PER_IP = "10 per 15 minutes"
RESET_PER_ACCOUNT = "3 per 15 minutes"


def _went_through(response) -> bool:
    return response.status_code == 302


def _did_not_go_through(response) -> bool:
    return response.status_code != 302


def limit_login(view):
    """Only attempts that fail count: the limits stop guessing, and a
    coordinator logging in on a phone, a tablet and the office computer is
    not guessing."""
    view = limiter.limit(
        LOGIN_PER_IP,
        methods=["POST"],
        key_func=get_remote_address,
        deduct_when=_did_not_go_through,
    )(view)
    return limiter.limit(
        LOGIN_PER_ACCOUNT,
        methods=["POST"],
        key_func=email_key,
        deduct_when=_did_not_go_through,
    )(view)


def limit_registration(view):
    view = limiter.limit(
        _setting("REGISTER_BURST_PER_ADDRESS"),
        methods=["POST"],
        key_func=get_remote_address,
    )(view)
    view = limiter.limit(
        _setting("REGISTER_LIMIT_PER_ADDRESS"),
        methods=["POST"],
        key_func=get_remote_address,
        deduct_when=_went_through,
    )(view)
    return limiter.limit(
        _setting("REGISTER_LIMIT_PER_EMAIL"), methods=["POST"], key_func=email_key
    )(view)


def _contact_key() -> str:
    """The address a guest sign-up sends its link to (email or number)."""
    typed = "".join((request.form.get("contact") or "").split()).lower()
    return "guest-contact:" + typed[:254]


def limit_guest_signup(view):
    """Per client address (a burst, and an hour) and per destination: nobody
    floods a shift's coordinators or someone's inbox with links."""
    view = limiter.limit(
        _setting("GUEST_BURST_PER_ADDRESS"),
        methods=["POST"],
        key_func=get_remote_address,
    )(view)
    view = limiter.limit(
        _setting("GUEST_LIMIT_PER_ADDRESS"),
        methods=["POST"],
        key_func=get_remote_address,
    )(view)
    return limiter.limit(
        _setting("GUEST_LIMIT_PER_DESTINATION"),
        methods=["POST"],
        key_func=_contact_key,
        deduct_when=_went_through,
    )(view)


def limit_reset(view):
    view = limiter.limit(RESET_PER_IP, methods=["POST"], key_func=get_remote_address)(
        view
    )
    return limiter.limit(RESET_PER_ACCOUNT, methods=["POST"], key_func=email_key)(view)


def person_tag(user) -> str:
    """Who a page was made for, as the service worker may know it: a keyed
    hash of the session's token ("" for nobody), so the pages it keeps for one
    person are never shown to the next, and a phone's queue is sent only for
    the person who made it."""
    if not user.is_authenticated:
        return ""
    key = current_app.secret_key.encode()
    return hmac.new(key, user.get_id().encode(), hashlib.sha256).hexdigest()[:24]


def start_session(remember: bool) -> None:
    """Call right after log-in: the clocks for the idle and absolute limits."""
    now = int(time.time())
    session["started"] = now
    session["seen"] = now
    session["remember"] = remember


def _limits(app: Flask) -> tuple[timedelta, timedelta]:
    if session.get("remember"):
        lifetime = app.config["REMEMBER_COOKIE_DURATION"]
        return lifetime, lifetime
    return (
        timedelta(minutes=app.config["SESSION_IDLE_MINUTES"]),
        timedelta(hours=app.config["SESSION_MAX_HOURS"]),
    )


# C0 controls and DEL: never part of a real address or query.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def refuse_control_characters() -> None:
    """A 400 for control characters in the path or query, or a NUL anywhere in
    a form. Text fields refuse the other control characters themselves, with a
    message next to the field (`gardenhub.formfields`)."""
    if _CONTROL.search(request.path) or any(
        _CONTROL.search(key) or _CONTROL.search(value)
        for key, value in request.args.items(multi=True)
    ):
        abort(400, _("Web addresses cannot contain control characters."))
    if request.method == "POST" and any(
        "\x00" in key or "\x00" in value
        for key, value in request.form.items(multi=True)
    ):
        abort(400, _("The form contained a NUL character, so nothing was saved."))


def sessionless(view):
    """For a view whose answer never depends on who is logged in (public and
    token feeds): the session is not read, so the response does not
    `Vary: Cookie` and shared caches may keep one copy for everyone."""
    view.sessionless = True
    return view


def _is_sessionless(app: Flask) -> bool:
    view = app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "sessionless", False)


def is_sessionless() -> bool:
    """Whether this request's view is the same for everyone."""
    return _is_sessionless(current_app)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that a sessionless view's
    answer neither sets the cookie nor varies on it (Flask-Login peeks at the
    session after every request, which would add `Vary: Cookie`)."""

    def save_session(self, app, session, response) -> None:
        if _is_sessionless(app):
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        # Behind nginx the connection comes from the proxy; its headers say who
        # the client is (rate limits per person, not one shared bucket).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.before_request(refuse_control_characters)

    @app.before_request
    def enforce_session_limits():
        if request.endpoint == "static" or _is_sessionless(app):
            return
        if not current_user.is_authenticated:
            return
        now = int(time.time())
        if "started" not in session:  # restored from a remember-me cookie
            start_session(remember=True)
            return
        idle, absolute = _limits(app)
        if (
            now - session.get("seen", 0) > idle.total_seconds()
            or now - session["started"] > absolute.total_seconds()
        ):
            logout_user()
            session.clear()
            flash(_("Your session ended. Please log in again."), "info")
            return
        if now - session["seen"] >= 60:  # refresh at most once a minute
            session["seen"] = now

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        policy = headers["Content-Security-Policy"]
        if "frame-ancestors" not in policy or "frame-ancestors 'none'" in policy:
            # Only a view whose own CSP names who may frame it (the widget) is
            # framed; every other page keeps both refusals.
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if (
            "Cache-Control" not in headers
            and not _is_sessionless(app)
            and current_user.is_authenticated
        ):
            # Pages with personal data must not sit in shared caches.
            headers["Cache-Control"] = "private, no-store"
        return response
