"""The footer's language switch: a cookie for everyone, and for a logged-in
person also their saved choice (which then follows them to emails and feeds).

Logged out it is a plain link (GET: it only sets a cookie, so a page never
needs a session or JavaScript to offer it); logged in it is a one-button form,
CSRF-checked like every form, because it changes the account.
"""

from flask import Blueprint, abort, current_app, redirect, request
from flask_login import current_user

from gardenhub import i18n
from gardenhub.accounts import services
from gardenhub.accounts.views import safe_next
from gardenhub.extensions import db

bp = Blueprint("language", __name__)


@bp.route("/language/<code>", methods=["GET", "POST"])
def switch(code: str):
    if code not in i18n.LANGUAGES:
        abort(404)
    if request.method == "POST" and current_user.is_authenticated:
        services.set_language(current_user, code)
        db.session.commit()
    response = redirect(safe_next(request.values.get("next")))
    response.set_cookie(
        i18n.COOKIE,
        code,
        max_age=i18n.COOKIE_DAYS * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response
