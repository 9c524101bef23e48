"""Security headers on every response, session time limits, and rate limits."""

import time
from datetime import timedelta

from flask import Flask, flash, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user

from gardenhub.extensions import limiter

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
REGISTER_PER_IP = "10 per hour"
RESET_PER_IP = "10 per 15 minutes"
RESET_PER_ACCOUNT = "3 per 15 minutes"


def limit_login(view):
    view = limiter.limit(LOGIN_PER_IP, methods=["POST"], key_func=get_remote_address)(
        view
    )
    return limiter.limit(LOGIN_PER_ACCOUNT, methods=["POST"], key_func=email_key)(view)


def limit_registration(view):
    return limiter.limit(
        REGISTER_PER_IP, methods=["POST"], key_func=get_remote_address
    )(view)


def limit_reset(view):
    view = limiter.limit(RESET_PER_IP, methods=["POST"], key_func=get_remote_address)(
        view
    )
    return limiter.limit(RESET_PER_ACCOUNT, methods=["POST"], key_func=email_key)(view)


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


def init_app(app: Flask) -> None:
    @app.before_request
    def enforce_session_limits():
        if request.endpoint == "static" or not current_user.is_authenticated:
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
            flash("Your session ended. Please log in again.", "info")
            return
        if now - session["seen"] >= 60:  # refresh at most once a minute
            session["seen"] = now

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if current_user.is_authenticated and "Cache-Control" not in headers:
            # Pages with personal data must not sit in shared caches.
            headers["Cache-Control"] = "private, no-store"
        return response
