"""The embeddable widget: a garden's or a public project's next workdays, as a
small page other sites may frame, and its colours as a stylesheet.

The same for everyone (sessionless): public workdays only, public titles and
names only, open spots as counts, never who signed up. The page has no script
and no form; its links open GardenHub in a new tab.
"""

import re

from flask import Blueprint, Response, abort, render_template, request, url_for
from sqlalchemy import select

from gardenhub.extensions import db
from gardenhub.feeds.views import feed_language
from gardenhub.gardens.models import Garden
from gardenhub.i18n import speaking
from gardenhub.projects.models import Project, Visibility
from gardenhub.security import CSP, sessionless
from gardenhub.workdays import queries

bp = Blueprint("embed", __name__, url_prefix="/embed")

# The app's policy, except that any site may frame these pages.
FRAMEABLE_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors *")
DEFAULT_LIMIT = 5
MAX_LIMIT = 10
# What the widget looks like without colour parameters (the app's own).
COLOURS = {"accent": "2f6b3a", "background": "ffffff", "text": "1d2520"}
_HEX = re.compile(r"[0-9a-fA-F]{6}")


def has_widget(project: Project) -> bool:
    """A project whose workdays are for members by default is nobody else's
    business: it offers no widget (its embed address is a 404)."""
    return project.default_visibility == Visibility.public


bp.add_app_template_global(has_widget)


def asked_colours() -> dict[str, str]:
    """The colour parameters that are six hex digits (lower case); anything
    else is dropped, never echoed."""
    return {
        name: value.lower()
        for name in COLOURS
        if _HEX.fullmatch(value := request.args.get(name, ""))
    }


def asked_limit() -> int:
    """`?limit=` within 1..10 (a whole number; anything else: the default)."""
    limit = request.args.get("limit", type=int)
    if limit is None:
        return DEFAULT_LIMIT
    return min(max(limit, 1), MAX_LIMIT)


def _widget(
    template_name: str,
    *,
    name: str,
    zone: str,
    page_url_endpoint: str,
    slug: str,
    garden_language: str | None,
    garden_id: int | None = None,
    project_id: int | None = None,
) -> Response:
    # What a logged-out neighbour sees on the public pages: public workdays
    # (no member_of), still going ahead.
    upcoming = queries.upcoming_workdays(
        garden_id=garden_id,
        project_id=project_id,
        limit=asked_limit(),
        include_cancelled=False,
    )
    with speaking(feed_language(garden_language)):
        body = render_template(
            template_name,
            name=name,
            zone=zone,
            upcoming=upcoming,
            page_url_endpoint=page_url_endpoint,
            slug=slug,
            theme_url=url_for("embed.theme", **asked_colours()),
        )
    response = Response(body, mimetype="text/html")
    headers = response.headers
    headers["Content-Security-Policy"] = FRAMEABLE_CSP
    headers["Cache-Control"] = "public, max-age=300"
    # Made for nobody in particular (the service worker's "who": see me/app_views).
    headers["GardenHub-Person"] = ""
    return response


@bp.get("/gardens/<slug>")
@sessionless
def garden(slug: str):
    found = db.first_or_404(select(Garden).where(Garden.slug == slug))
    return _widget(
        "embed/widget.html",
        name=found.name,
        zone=found.timezone,
        page_url_endpoint="gardens.show",
        slug=found.slug,
        garden_language=found.language,
        garden_id=found.id,
    )


@bp.get("/projects/<slug>")
@sessionless
def project(slug: str):
    found = db.first_or_404(select(Project).where(Project.slug == slug))
    if not has_widget(found):
        abort(404)
    place = found.garden
    return _widget(
        "embed/widget.html",
        name=found.public_name,
        zone=place.timezone if place else found.timezone,
        page_url_endpoint="projects.show",
        slug=found.slug,
        garden_language=place.language if place else None,
        project_id=found.id,
    )


@bp.get("/theme.css")
@sessionless
def theme():
    """The widget's colours (inline style is not allowed by the CSP)."""
    colours = {**COLOURS, **asked_colours()}
    body = (
        ":root {\n"
        f"  --embed-accent: #{colours['accent']};\n"
        f"  --embed-background: #{colours['background']};\n"
        f"  --embed-text: #{colours['text']};\n"
        "}\n"
    )
    response = Response(body, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
