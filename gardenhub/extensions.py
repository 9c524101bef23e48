"""Flask extensions, created unbound and attached to the app in the factory."""

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from gardenhub.db import Base
from gardenhub.i18n import _l

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
# Limits are set per view (gardenhub.security); storage from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask) -> None:
    db.init_app(app)
    if app.config["MIGRATIONS"]:
        from flask_migrate import Migrate

        Migrate(app, db, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to continue.")
    # The flash message is stored in the session: a real string, in the
    # language of the request that asked for a log-in.
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)
