"""The installable app: its manifest, its service worker, the page it shows
without signal, and where it opens (a top-layer package: it knows every
domain's start page)."""

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from gardenhub.db import utcnow
from gardenhub.hours import gate
from gardenhub.i18n import _, language
from gardenhub.security import is_sessionless, person_tag, sessionless

bp = Blueprint("app", __name__)

THEME = "#2f6b3a"
WORKER = Path(__file__).resolve().parent.parent.parent / "static" / "js" / "sw.js"


@bp.after_app_request
def tell_the_worker(response: Response) -> Response:
    """Every page says whose it is; the service worker keeps pages only for
    the person on the latest one and forgets them when that changes."""
    # A page that is the same for everyone (sessionless, publicly cached)
    # names nobody.
    if (
        response.mimetype == "text/html"
        and request.endpoint != "static"
        and not is_sessionless()
    ):
        response.headers.setdefault("GardenHub-Person", person_tag(current_user))
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    """Name, icons and colours for a phone's home screen, in the reader's
    language."""
    icons = [
        {
            "src": url_for("static", filename=f"img/icon-{size}.png"),
            "sizes": f"{size}x{size}",
        }
        for size in (192, 512)
    ]
    body = {
        "name": "GardenHub",
        "short_name": "GardenHub",
        "description": _("Garden workdays, check-in and hours."),
        "lang": language(),
        "start_url": url_for("app.start", source="app"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f8faf7",
        "theme_color": THEME,
        "icons": [
            {**icon, "type": "image/png", "purpose": "any maskable"} for icon in icons
        ]
        + [
            {
                "src": url_for("static", filename="img/icon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
            }
        ],
    }
    response = current_app.json.response(body)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
@sessionless
def service_worker():
    """The worker from static/js, served at the root so it may look after
    every page; browsers check it for changes on every visit."""
    response = Response(WORKER.read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
@sessionless
def offline():
    """What the app shows for a page it does not keep, without signal. The
    same for everyone: no name, no menu of anyone's."""
    return render_template("offline.html"), 200, {"Cache-Control": "no-cache"}


@bp.get("/start")
def start():
    """Where the installed app opens: today's check-in for a coordinator with
    a workday today, My page for everyone else with an account."""
    if not current_user.is_authenticated:
        return redirect(url_for("workdays.home"))
    workday = gate.todays_workday(current_user, utcnow())
    if workday is not None:
        return redirect(url_for("hours.check_in_page", workday_id=workday.id))
    return redirect(url_for("me.page"))
