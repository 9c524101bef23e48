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
from sqlalchemy import inspect, select

from gardenhub.calendar.ical import (
    FeedEvent,
    FeedInfo,
    Piece,
    piece,
    serialize,
    serialize_pieces,
)
from gardenhub.config import absolute_url, base_url
from gardenhub.csrf import token_checked_by_form
from gardenhub.db import utcnow
from gardenhub.extensions import db, limiter
from gardenhub.feeds import polls, services, subscribe
from gardenhub.feeds.cache import Built, etag, feeds, fingerprint
from gardenhub.feeds.forms import FeedTokenForm
from gardenhub.feeds.models import FeedToken
from gardenhub.gardens.models import Garden
from gardenhub.i18n import _, _l, default_language, known, speaking
from gardenhub.i18n import language as current_language
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
def feed_links(
    endpoint: str, name: str, *, language: str | None = None, **values
) -> subscribe.SubscribeLinks:
    """Subscribe links (webcal, Google, Outlook, plain URL) for a public feed
    route in the reader's language, and the same feed in each other language.
    Without `?lang=` a feed speaks `language` (else its garden's), so only the
    other languages add one."""
    return subscribe.links(
        absolute_url(endpoint, **values),
        name,
        language=current_language(),
        natural=known(language) or _default_language_of(endpoint, values),
        offer_languages=True,
    )


def _default_language_of(endpoint: str, values: dict) -> str:
    """What a public feed speaks without `?lang=`: its garden's language, or
    the app's default for a feed spanning gardens (or a project with none).
    The page showing the links has usually loaded that garden already."""
    slug = values.get("slug")
    garden = None
    if endpoint == "feeds.garden" and slug:
        garden = _loaded(Garden, slug) or db.session.scalar(
            select(Garden).where(Garden.slug == slug)
        )
    elif endpoint == "feeds.project" and slug:
        found = _loaded(Project, slug) or db.session.scalar(
            select(Project).where(Project.slug == slug)
        )
        if found is not None and found.garden_id is not None:
            garden = db.session.get(Garden, found.garden_id)
    return known(garden.language if garden else None) or default_language()


def _loaded(model, slug: str):
    """The row with this slug if this request has loaded it (no query)."""
    for row in list(db.session.identity_map.values()):
        if isinstance(row, model) and inspect(row).dict.get("slug") == slug:
            return row
    return None


def feed_language(garden_language: str | None) -> str:
    """The language of a public feed: `?lang=` when it names one we speak
    (anything else is ignored), else the garden's, else the app's default.
    Never the visitor's: feeds do not load a session."""
    return (
        known(request.args.get("lang")) or known(garden_language) or default_language()
    )


def owner_language(person) -> str:
    """A private feed speaks its owner's language (none chosen: the app's)."""
    return known(person.language) or default_language()


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


PUBLIC_DESCRIPTION = _l(
    "Community garden workdays from GardenHub: times, places and open spots. "
    "It never shows who signed up."
)


def _info(name: str, zone: str, *, url: str, description: str, language: str):
    """Calendar properties, built inside `speaking(language)`."""
    return FeedInfo(
        name=str(name),
        timezone=zone,
        refresh=timedelta(minutes=current_app.config["FEED_REFRESH_MINUTES"]),
        description=str(description),
        url=url,
        language=language,
    )


def _respond(
    built: Built, *, filename: str, private: bool = False, replayable: bool = False
) -> Response:
    """The feed's answer; a `replayable` one (a public feed, the same for
    everyone) is made conditional by the poll layer, which may replay it."""
    compressed = request.accept_encodings["gzip"] > 0
    body = built.gzipped if compressed else built.body
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # Each encoding is its own representation, with its own strong ETag.
    response.set_etag(f"{built.etag}-gz" if compressed else built.etag)
    if built.language:
        response.headers["Content-Language"] = built.language
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
    if replayable:
        return polls.answer_here(response)
    return response.make_conditional(request)


def _stamped(body: bytes, language: str) -> tuple[bytes, str, datetime]:
    """The bytes with their ETag and this feed's Last-Modified (per
    language), which moves when they do."""
    tag = etag(body, language)
    return (
        body,
        tag,
        services.changed_at(request.path, tag, language=language, now=utcnow()),
    )


def _built(info: FeedInfo, events: list[FeedEvent]):
    """Serialize, keyed by the events themselves (for feeds built from rows)
    and by the language they are written in."""
    return feeds.get_or_build(
        fingerprint(request.path, info, events),
        lambda: _stamped(serialize(info, events), info.language),
        language=info.language,
    )


def _feed_response(
    info: FeedInfo, events: list[FeedEvent], *, filename: str, private: bool = False
) -> Response:
    return _respond(_built(info, events), filename=filename, private=private)


def _public_feed(
    name: str,
    zone: str,
    filename: str,
    *,
    url: str,
    language: str,
    garden_id=None,
    project_id=None,
) -> Response:
    """Polls cost one query (or none within the recheck interval); after a
    change only the events whose stamps moved are loaded and serialized, the
    rest are reused. Runs inside `speaking(language)`."""
    start, end = window()
    base = base_url()

    def build(stamps: tuple) -> tuple[bytes, str, datetime]:
        info = _info(
            name, zone, url=url, description=PUBLIC_DESCRIPTION, language=language
        )
        pieces = _public_pieces(stamps, language=language, base=base)
        return _stamped(serialize_pieces(info, pieces), language)

    built = feeds.current(
        (name, zone, filename, url, garden_id, project_id, start, end, base),
        language=language,
        recheck_seconds=current_app.config["FEED_RECHECK_SECONDS"],
        version=lambda: queries.feed_stamps(
            start, end, garden_id=garden_id, project_id=project_id, limit=MAX_EVENTS
        ),
        build=build,
    )
    return _respond(built, filename=filename, replayable=True)


def _public_pieces(stamps: tuple, *, language: str, base: str) -> list[Piece]:
    """Each workday's serialized event, kept by its stamp (what it depends
    on), the language and the address links start with; only the workdays
    whose stamps are new are loaded. The feed's bytes are the same as a full
    build's (tests compare them)."""
    keys = [("public", stamp, language, base) for stamp in stamps]
    found = dict(zip(stamps, feeds.pieces.get_many(keys), strict=True))
    missing = [stamp[0] for stamp, made in found.items() if made is None]
    if missing:
        loaded = {}
        for summary in queries.workday_summaries(
            Workday.id.in_(missing), for_feeds=True
        ):
            made = piece(workday_calendar.public_event(summary, base))
            loaded[summary.workday.id] = made
            # Kept under the stamp of the rows it was made from (a change
            # between the two queries only makes it newer than asked for).
            feeds.pieces.put(("public", queries.stamp(summary), language, base), made)
        for stamp in stamps:
            if found[stamp] is None:
                found[stamp] = loaded.get(stamp[0])
    return [made for made in found.values() if made is not None]


@bp.get("/calendar.ics")
@sessionless
def public():
    # Spans every garden: the app's language (or `?lang=`).
    with speaking(feed_language(None)) as language:
        return _public_feed(
            _("GardenHub: all workdays"),
            current_app.config["DEFAULT_TIMEZONE"],
            "gardenhub.ics",
            url=absolute_url("workdays.home"),
            language=language,
        )


@bp.get("/gardens/<slug>/calendar.ics")
@sessionless
def garden(slug: str):
    found = db.first_or_404(select(Garden).where(Garden.slug == slug))
    with speaking(feed_language(found.language)) as language:
        return _public_feed(
            _("GardenHub: %(name)s", name=found.name),
            found.timezone,
            f"{found.slug}.ics",
            url=absolute_url("gardens.show", slug=found.slug),
            language=language,
            garden_id=found.id,
        )


@bp.get("/projects/<slug>/calendar.ics")
@sessionless
def project(slug: str):
    found = db.first_or_404(select(Project).where(Project.slug == slug))
    zone = found.garden.timezone if found.garden else found.timezone
    garden_language = found.garden.language if found.garden else None
    with speaking(feed_language(garden_language)) as language:
        return _public_feed(
            _("GardenHub: %(name)s", name=found.public_name),
            zone,
            f"{found.slug}.ics",
            url=absolute_url("projects.show", slug=found.slug),
            language=language,
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
    garden = summary.workday.garden
    # A public file like the feeds: the garden's language (or `?lang=`).
    with speaking(feed_language(garden.language if garden else None)) as language:
        event = workday_calendar.public_event(summary, base_url())
        return _feed_response(
            _info(
                _("GardenHub: %(name)s", name=summary.workday.public_title),
                summary.workday.timezone,
                url=event.url,
                description=PUBLIC_DESCRIPTION,
                language=language,
            ),
            [event],
            filename=f"workday-{workday_id}.ics",
        )


@bp.get("/feeds/<token>.ics")
@sessionless
def private(token: str):
    row = services.find_active(token)
    if row is None:
        # No owner, so the app's language (not the session's: none is read).
        with speaking(None):
            message = _("No such feed.")
        abort(404, message)
    person = row.user
    if services.record_use(row, now=utcnow()):
        db.session.commit()
    with speaking(owner_language(person)) as language:
        return _private_feed(row, person, language)


def _private_name(person) -> str:
    """The private feed's calendar name (neutral in discreet mode)."""
    return _("Garden shifts") if person.is_discreet else _("GardenHub: my shifts")


def _private_feed(row: FeedToken, person, language: str) -> Response:
    """A person's own feed, inside `speaking(language)`."""
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
    return _feed_response(
        _info(
            _private_name(person),
            current_app.config["DEFAULT_TIMEZONE"],
            url=absolute_url("me.page"),
            description=_(
                "Your own shifts, tasks and plot dates, from a private "
                "link: keep it to yourself."
            ),
            language=language,
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
            # Named as the feed names itself: in its owner's language.
            with speaking(owner_language(current_user)) as language:
                name = _private_name(current_user)
            links = subscribe.links(feed_url(token), name, language=language)
            created = (row, links)
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
        success=_(
            "The feed link “%(name)s” is revoked; calendars using it stop updating.",
            name=row.name,
        )
    ):
        services.revoke(row, now=utcnow())
    return redirect(url_for("feeds.my_calendar"))
