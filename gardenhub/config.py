"""Configuration defaults and the start-up check that refuses unsafe settings."""

import os
import secrets
from datetime import timedelta
from email.utils import parseaddr

from flask import Flask, current_app, has_request_context, request


class Defaults:
    # "development" keeps a generated secret key in instance/; anything else is
    # production and needs GARDENHUB_SECRET_KEY.
    ENV = "production"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = "sqlite:///gardenhub.sqlite"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # The public address for absolute links (feeds, emails, QR codes). Required
    # in production; in development it follows the address being served.
    BASE_URL: str | None = None
    # Behind this many reverse proxies (nginx: 1), trust their X-Forwarded-For
    # and -Proto headers for the client's address. 0: the connection's own.
    TRUSTED_PROXIES = 0

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    WTF_CSRF_TIME_LIMIT = 6 * 3600
    # Without "keep me logged in": logged out after this idle time, and after this
    # long in any case.
    SESSION_IDLE_MINUTES = 120
    SESSION_MAX_HOURS = 12

    # Rate limits: in memory per process by default; set
    # GARDENHUB_RATELIMIT_STORAGE_URL=redis://host:6379/0 for several processes.
    RATELIMIT_STORAGE_URL = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # When that storage (Redis) is down, limits fall back to each process's
    # memory and then fail open, with a logged warning: log-in never breaks
    # because the limiter's storage did.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Registrations per client address that went through (an open day on
    # shared Wi-Fi), every attempt per address in a burst, and per email.
    REGISTER_LIMIT_PER_ADDRESS = "50 per hour"
    REGISTER_BURST_PER_ADDRESS = "30 per minute"
    REGISTER_LIMIT_PER_EMAIL = "5 per hour"
    # Signing up without an account: every attempt per client address in a
    # burst and per hour, and links that went out per email address or number.
    GUEST_BURST_PER_ADDRESS = "10 per minute"
    GUEST_LIMIT_PER_ADDRESS = "60 per hour"
    GUEST_LIMIT_PER_DESTINATION = "3 per hour"

    # Past sign-ups and hours lose the person's identity after this many days
    # (flask privacy retention); counts and hours stay.
    RETENTION_DAYS = 180
    # A volunteer's note to the coordinators on a sign-up is erased this many
    # days after the workday (flask signups erase-notes).
    SIGNUP_NOTE_DAYS = 7

    # Sign-ups: how long a waitlist offer holds a seat, and how close to the
    # shift a freed seat simply opens to anyone.
    OFFER_WINDOW_HOURS = 12
    OFFER_CUTOFF_HOURS = 2
    MAX_SHIFT_CAPACITY = 10_000
    MAX_SERIES_OCCURRENCES = 200

    # Check-in at the gate (and walk-ins) opens this long before a shift and
    # closes this long after its workday ends; hours can be corrected later.
    CHECK_IN_OPENS_HOURS = 2
    CHECK_IN_CLOSES_HOURS = 12
    # At the gate: how far back a phone's queued check-ins may count, and how
    # often the self check-in code on the coordinator's screen changes.
    GATE_QUEUE_HOURS = 24
    GATE_CODE_SECONDS = 30
    # The JSON API (flask-smorest): requests per token, or per address without one.
    API_RATE_LIMIT = "120 per minute"
    API_TITLE = "GardenHub"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    # Tasks still short of people this many days before they are due show up on
    # the coordinator's "needs attention" list.
    TASK_DUE_SOON_DAYS = 2

    # Plot waitlist: hours to answer an offer; unanswered offers before a request
    # lapses; days a waiting request stays without "still interested".
    PLOT_OFFER_HOURS = 48
    PLOT_MISSED_OFFERS_LIMIT = 2
    PLOT_REQUEST_MAX_DAYS = 365

    # Calendar feeds: a rolling window, and how often clients should refresh.
    FEED_DAYS_BACK = 60
    FEED_DAYS_AHEAD = 365
    FEED_REFRESH_MINUTES = 60
    # Each process answers polls of an unchanged public feed from memory for this
    # long before it asks the database again (clients are told max-age=900).
    FEED_RECHECK_SECONDS = 5
    # Names the zone of feeds that span gardens (the all-workdays feed).
    DEFAULT_TIMEZONE = "Europe/Berlin"
    # The language of a page when neither the person, the language switch nor
    # the browser names one we speak ("en", "es" or "de"); gardens have their own
    # for public feeds and messages to people without an account.
    DEFAULT_LANGUAGE = "en"

    # Reminders go out this many hours before a shift (outside quiet hours).
    REMINDER_HOURS = 24
    OUTBOX_POLL_SECONDS = 30
    PASSWORD_RESET_SECONDS = 3600

    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "GardenHub <gardenhub@localhost>"

    # Text messages (README, *Text messages*). No backend: texts stay in the
    # outbox as "held", readable there, as emails do without SMTP.
    SMS_BACKEND: str | None = None  # "twilio" or "gateway"
    SMS_TWILIO_ACCOUNT_SID: str | None = None
    SMS_TWILIO_AUTH_TOKEN: str | None = None
    # A sender number in E.164 ("+4915…") or a Messaging Service SID ("MG…").
    SMS_TWILIO_FROM: str | None = None
    # Where Twilio's REST API answers (a test server, or a regional address).
    SMS_TWILIO_API_URL = "https://api.twilio.com"
    # SMS Gateway for Android (capcom6/android-sms-gateway), local server mode:
    # e.g. http://192.168.1.20:8080, with the app's Basic-auth login.
    SMS_GATEWAY_URL: str | None = None
    SMS_GATEWAY_USERNAME: str | None = None
    SMS_GATEWAY_PASSWORD: str | None = None
    # The app's webhook signing key (Settings → Webhooks → Signing Key).
    SMS_GATEWAY_WEBHOOK_SECRET: str | None = None
    # Signed webhooks older (or newer) than this many seconds are refused.
    SMS_WEBHOOK_MAX_AGE_SECONDS = 300
    SMS_TIMEOUT_SECONDS = 10
    # Numbers typed without a country code belong to this country (ISO 3166
    # code) when the garden's own time zone does not tell.
    SMS_DEFAULT_REGION = "DE"
    # Texts go only to mobile numbers of these countries; None: the default
    # region's only (a text abroad costs the group more).
    SMS_COUNTRIES: list[str] | None = None


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says how to fix it."""


def is_development(config: dict) -> bool:
    return bool(config.get("DEBUG") or config.get("TESTING")) or (
        config.get("ENV") == "development"
    )


def finalize(app: Flask) -> None:
    """Fill in development conveniences and refuse unsafe production settings."""
    os.makedirs(app.instance_path, exist_ok=True)
    config = app.config
    if is_development(config):
        # Plain http://127.0.0.1 must work while developing.
        config["SESSION_COOKIE_SECURE"] = False
        config["REMEMBER_COOKIE_SECURE"] = False
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = _instance_secret_key(app.instance_path)
    elif not config.get("SECRET_KEY"):
        raise ConfigError(
            "GARDENHUB_SECRET_KEY is not set. In production GardenHub needs an "
            "explicit secret key, for example: export GARDENHUB_SECRET_KEY="
            "\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\". "
            "For local development set GARDENHUB_ENV=development instead."
        )
    if config.get("BASE_URL"):
        config["BASE_URL"] = config["BASE_URL"].rstrip("/")
    elif not is_development(config):
        raise ConfigError(
            "GARDENHUB_BASE_URL is not set. In production GardenHub needs the "
            "public address people use, for links in emails and calendar feeds, "
            "for example: export GARDENHUB_BASE_URL=https://garden.example.org"
        )
    config["RATELIMIT_STORAGE_URI"] = config["RATELIMIT_STORAGE_URL"]
    # The `flask db` commands (Flask-Migrate, Alembic: about 11 MiB) are
    # loaded for the command line, where Flask sets FLASK_RUN_FROM_CLI, and
    # where asked (tests); a gunicorn worker never runs a migration.
    config.setdefault("MIGRATIONS", os.environ.get("FLASK_RUN_FROM_CLI") == "true")
    _check_sms(config)


SMS_NEEDS = {
    "twilio": ("SMS_TWILIO_ACCOUNT_SID", "SMS_TWILIO_AUTH_TOKEN", "SMS_TWILIO_FROM"),
    "gateway": ("SMS_GATEWAY_URL", "SMS_GATEWAY_USERNAME", "SMS_GATEWAY_PASSWORD"),
}


def _check_sms(config) -> None:
    """A chosen SMS backend has all its settings; an unknown one is refused."""
    backend = config.get("SMS_BACKEND")
    if not backend:
        return
    if backend not in SMS_NEEDS:
        raise ConfigError(
            f'GARDENHUB_SMS_BACKEND={backend!r} is not known: use "twilio" or '
            '"gateway", or leave it unset to keep texts in the outbox.'
        )
    missing = [
        f"GARDENHUB_{name}" for name in SMS_NEEDS[backend] if not config.get(name)
    ]
    if missing:
        raise ConfigError(
            f"GARDENHUB_SMS_BACKEND is {backend!r} but {', '.join(missing)} "
            "is not set. Set it, or unset GARDENHUB_SMS_BACKEND to keep texts "
            "in the outbox."
        )


# Outside a request in development (a CLI command) with no BASE_URL set.
DEVELOPMENT_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """The address absolute links start with: GARDENHUB_BASE_URL, or (in
    development, where it may be unset) the address this request came to,
    so `make run PORT=8123` links to port 8123."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured
    if has_request_context():
        return request.host_url.rstrip("/")
    return DEVELOPMENT_URL


def mail_address() -> str:
    """The bare address of GARDENHUB_MAIL_FROM (the organizer of emailed
    calendar files: the app, never a person)."""
    return parseaddr(current_app.config["MAIL_FROM"])[1] or "gardenhub@localhost"


def absolute_url(endpoint: str, **values) -> str:
    """The full address of a route, for links that leave the page (emails,
    calendar events, QR codes, copied feed links). Works in a request and in a
    CLI job (reminders, expired offers), where `url_for` has no server name."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base_url() + path


def _instance_secret_key(instance_path: str) -> str:
    """Generate a development secret key once and keep it in instance/."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(secrets.token_hex(32))
    with open(path) as f:
        return f.read().strip()
