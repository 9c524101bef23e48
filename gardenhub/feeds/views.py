"""Feed routes: conditional GET on cached bytes, and the private-link page."""

from datetime import UTC, datetime, time, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from gardenhub.calendar.ical import FeedEvent, FeedInfo, serialize
from gardenhub.config import absolute_url, base_url
from gardenhub.csrf import token_checked_by_form
from gardenhub.db import utcnow
from gardenhub.extensions import db, limiter
from gardenhub.feeds import services, subscribe
from gardenhub.feeds.cache import Built, feeds, fingerprint
from gardenhub.feeds.forms import FeedTokenForm
from gardenhub.feeds.models import FeedToken
from gardenhub.gardens.models import Garden
from gardenhub.outcomes import committed, status
from gardenhub.plots import calendar as plot_calendar
from gardenhub.plots import queries as plot_queries
from gardenhub.projects.models import Project
from gardenhub.projects.views import member_project_ids
from gardenhub.security import sessionless
from gardenhub.tasks import calendar as task_calendar
from gardenhub.tasks import queries as task_queries
from gardenhub.workdays import calendar as workday_calendar
from gardenhub.workdays import queries
from gardenhub.workdays.models import Workday

bp = Blueprint("feeds", __name__)
bp.add_app_template_global(subscribe.qr_svg)


@bp.app_template_global()
def feed_links(endpoint: str, name: str, **values) -> subscribe.SubscribeLinks:
    """Subscribe links (webcal, Google, Outlook, plain URL) for a feed route."""
    return subscribe.links(absolute_url(endpoint, **values), name)


# Feeds carry no rate limits; skipping the limiter's bookkeeping keeps polls cheap.
limiter.exempt(bp)
MAX_EVENTS = 1000  # Google stops reading a subscribed feed past about this many


def window() -> tuple[datetime, datetime]:
    """The rolling window a feed covers; day-aligned so the bytes hold all day."""
    today = datetime.combine(utcnow().date(), time(), UTC)
    config = current_app.config
    return (
        today - timedelta(days=config["FEED_DAYS_BACK"]),
        today + timedelta(days=config["FEED_DAYS_AHEAD"]),
    )


PUBLIC_DESCRIPTION = (
    "Community garden workdays from GardenHub: times, places and open spots. "
    "It never shows who signed up."
)


def _info(name: str, zone: str, *, url: str, description: str) -> FeedInfo:
    return FeedInfo(
        name=name,
        timezone=zone,
        refresh=timedelta(minutes=current_app.config["FEED_REFRESH_MINUTES"]),
        description=description,
        url=url,
    )


def _respond(built: Built, *, filename: str, private: bool = False) -> Response:
    compressed = request.accept_encodings["gzip"] > 0
    body = built.gzipped if compressed else built.body
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # Each encoding is its own representation, with its own strong ETag.
    response.set_etag(f"{built.etag}-gz" if compressed else built.etag)
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    if built.last_modified is not None:
        response.last_modified = built.last_modified
    response.cache_control.max_age = 0 if private else 900
    if private:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    return response.make_conditional(request)


def _stamped(body: bytes) -> tuple[bytes, datetime]:
    """The bytes with this feed's Last-Modified, which moves when they do."""
    return body, services.changed_at(request.path, body, now=utcnow())


def _built(info: FeedInfo, events: list[FeedEvent]):
    """Serialize, keyed by the events themselves (for feeds built from rows)."""
    return feeds.get_or_build(
        fingerprint(request.path, info, events),
        lambda: _stamped(serialize(info, events)),
    )


def _feed_response(
    info: FeedInfo, events: list[FeedEvent], *, filename: str, private: bool = False
) -> Response:
    return _respond(_built(info, events), filename=filename, private=private)


def _public_feed(
    name: str, zone: str, filename: str, *, url: str, garden_id=None, project_id=None
) -> Response:
    """Polls cost one small aggregate query (or none within the recheck
    interval); rows are loaded and serialized only when something changed."""
    start, end = window()
    base = base_url()

    def build():
        summaries = queries.workdays_between(
            start,
            end,
            garden_id=garden_id,
            project_id=project_id,
            limit=MAX_EVENTS,
            for_feeds=True,
        )
        events = [workday_calendar.public_event(s, base) for s in summaries]
        return _stamped(
            serialize(
                _info(name, zone, url=url, description=PUBLIC_DESCRIPTION), events
            )
        )

    built = feeds.current(
        (name, zone, filename, url, garden_id, project_id, start, end, base),
        recheck_seconds=current_app.config["FEED_RECHECK_SECONDS"],
        version=lambda: queries.feed_version(
            start, end, garden_id=garden_id, project_id=project_id
        ),
        build=build,
    )
    return _respond(built, filename=filename)


@bp.get("/calendar.ics")
@sessionless
def public():
    return _public_feed(
        "GardenHub: all workdays",
        current_app.config["DEFAULT_TIMEZONE"],
        "gardenhub.ics",
        url=absolute_url("workdays.home"),
    )


@bp.get("/gardens/<slug>/calendar.ics")
@sessionless
def garden(slug: str):
    found = db.first_or_404(select(Garden).where(Garden.slug == slug))
    return _public_feed(
        f"GardenHub: {found.name}",
        found.timezone,
        f"{found.slug}.ics",
        url=absolute_url("gardens.show", slug=found.slug),
        garden_id=found.id,
    )


@bp.get("/projects/<slug>/calendar.ics")
@sessionless
def project(slug: str):
    found = db.first_or_404(select(Project).where(Project.slug == slug))
    zone = found.garden.timezone if found.garden else found.timezone
    return _public_feed(
        f"GardenHub: {found.public_name}",
        zone,
        f"{found.slug}.ics",
        url=absolute_url("projects.show", slug=found.slug),
        project_id=found.id,
    )


@bp.get("/workdays/<int:workday_id>.ics")
def workday(workday_id: int):
    summaries = queries.workday_summaries(
        Workday.id == workday_id,
        queries.visible(member_project_ids()),
        for_feeds=True,
    )
    if not summaries:  # a members-only workday is no one else's business
        abort(404)
    summary = summaries[0]
    event = workday_calendar.public_event(summary, base_url())
    return _feed_response(
        _info(
            f"GardenHub: {summary.workday.public_title}",
            summary.workday.timezone,
            url=event.url,
            description=PUBLIC_DESCRIPTION,
        ),
        [event],
        filename=f"workday-{workday_id}.ics",
    )


@bp.get("/feeds/<token>.ics")
@sessionless
def private(token: str):
    row = services.find_active(token)
    if row is None:
        abort(404, "No such feed.")
    person = row.user
    if services.record_use(row, now=utcnow()):
        db.session.commit()
    start, end = window()
    base = base_url()
    signups = queries.feed_signups(
        person, start, end, include_waiting=person.feed_shows_waitlist
    )
    remind = timedelta(hours=row.remind_hours) if row.remind_hours else None
    events = [
        workday_calendar.private_event(signup, person, base, remind=remind)
        for signup in signups
    ]
    tasks = task_queries.feed_tasks(person, start.date(), end.date())
    events += [task_calendar.task_event(task, person, base) for task in tasks]
    renewals = plot_queries.renewal_deadlines(person, start.date(), end.date())
    events += [plot_calendar.renewal_event(a, person, base) for a in renewals]
    name = "GardenHub: my shifts" if not person.is_discreet else "Garden shifts"
    return _feed_response(
        _info(
            name,
            current_app.config["DEFAULT_TIMEZONE"],
            url=absolute_url("me.page"),
            description="Your own shifts, tasks and plot dates, from a private "
            "link: keep it to yourself.",
        ),
        events,
        filename="my-shifts.ics",
        private=True,
    )


def feed_url(token: str) -> str:
    return absolute_url("feeds.private", token=token)


@bp.route("/my/calendar", methods=["GET", "POST"])
@login_required
@token_checked_by_form
def my_calendar():
    form = FeedTokenForm()
    created = None
    if form.validate_on_submit():
        with committed(form) as made:
            row, token = services.create_token(
                current_user,
                form.name.data,
                remind_hours=form.remind_hours.data or None,
                now=utcnow(),
            )
        if made:
            # Shown once, on this answer (not a redirect): only the hash is kept.
            created = (row, subscribe.links(feed_url(token), "GardenHub: my shifts"))
            form = FeedTokenForm(formdata=None)
    tokens = db.session.scalars(
        select(FeedToken)
        .where(FeedToken.user_id == current_user.id)
        .order_by(FeedToken.revoked_at.is_not(None), FeedToken.created_at.desc())
    ).all()
    return render_template(
        "feeds/my_calendar.html", form=form, tokens=tokens, created=created
    ), (201 if created else status(form))


@bp.post("/my/calendar/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    row = db.get_or_404(FeedToken, token_id)
    if row.user_id != current_user.id:
        abort(404)
    with committed(
        success=f"The feed link “{row.name}” is revoked; calendars using it stop "
        "updating."
    ):
        services.revoke(row, now=utcnow())
    return redirect(url_for("feeds.my_calendar"))
