"""The JSON API, version 1, built with flask-smorest: the OpenAPI description
(/api/v1/openapi.json) is generated from these views and their schemas.

Public operations need no token and answer exactly what a logged-out
neighbour sees on the public pages. The others take a personal access token
(`Authorization: Bearer gh_…`) with the scope they name, and call the same
services as the pages, under the same locks and rules. No cookies, no CSRF:
a session cookie is never read here.
"""

from collections import defaultdict
from functools import wraps

from flask import current_app, g, request, url_for
from flask_smorest import Api, Blueprint, abort
from sqlalchemy import func, select

from gardenhub import csrf
from gardenhub.accounts import api_tokens
from gardenhub.accounts.privacy import visible_name
from gardenhub.api import schemas
from gardenhub.config import absolute_url
from gardenhub.db import utcnow
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db, limiter
from gardenhub.gardens.models import Garden
from gardenhub.hours import services as hours
from gardenhub.i18n import _, speaking
from gardenhub.projects import membership
from gardenhub.projects.models import Project
from gardenhub.projects.queries import managed_project_ids
from gardenhub.security import sessionless
from gardenhub.tasks import queries as task_queries
from gardenhub.timezones import to_local
from gardenhub.workdays import queries as workday_queries
from gardenhub.workdays import signups
from gardenhub.workdays.models import (
    SEAT_STATUSES,
    Shift,
    Signup,
    SignupStatus,
    Workday,
)


class GardenHubApi(Api):
    """flask-smorest's Api without its app-wide error handlers: the app's own
    (gardenhub.errors) answer every /api/ path in the API's error shape and
    every other path with the HTML pages."""

    ERROR_SCHEMA = schemas.ErrorOut

    def _register_error_handlers(self):
        pass


api = GardenHubApi()
TOKEN = [{"token": []}]
ERRORS = {
    401: "No token, or one that expired or was revoked.",
    403: "The token lacks the scope this operation needs.",
    404: "Not found, or not visible with this token.",
    409: "A rule said no (the shift started, is full, overlaps…).",
    422: "The parameters or body were not valid.",
    429: "Too many requests: wait as long as Retry-After says.",
}

public = Blueprint(
    "api_public",
    __name__,
    url_prefix="/api/v1",
    description="Public and read-only: what a neighbour sees on the public "
    "pages (public titles and counts, never who signed up). No token; CORS open.",
)
mine = Blueprint(
    "api_me",
    __name__,
    url_prefix="/api/v1",
    description="Your own shifts and tasks, and signing up (token scopes "
    "`read` and `signup`).",
)
coordinate = Blueprint(
    "api_coordinate",
    __name__,
    url_prefix="/api/v1/coordinate",
    description="The workdays of projects you coordinate, their rosters and "
    "check-in (token scope `coordinate`).",
)


def _rate_key() -> str:
    """Per token when there is one, else per client address."""
    header = request.headers.get("Authorization") or ""
    if header.startswith("Bearer "):
        return "token:" + api_tokens.hash_secret(header[7:].strip())[:32]
    return "address:" + (request.remote_addr or "")


def _api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


for blueprint in (public, mine, coordinate):
    limiter.limit(_api_limit, key_func=_rate_key)(blueprint)
    csrf.token_instead(blueprint)


@public.after_request
def _open_to_other_sites(response):
    """The public reads may be fetched from any website's script."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET"
    response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Retry-After"
    return response


def _conditional(response):
    """Reads carry an ETag; a client sending it back gets 304."""
    if request.method == "GET" and response.status_code == 200:
        response.add_etag()
        response.headers["Cache-Control"] = (
            "public, max-age=60"
            if request.blueprint == "api_public"
            else "private, no-cache"
        )
        return response.make_conditional(request)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


for blueprint in (public, mine, coordinate):
    blueprint.after_request(_conditional)


def token_required(scope: str):
    """The operation needs a live token with `scope`; speaks its owner's language."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = api_tokens.authenticate(
                request.headers.get("Authorization"), utcnow()
            )
            if token is None:
                abort(
                    401,
                    message=_("Send a valid token: Authorization: Bearer gh_…"),
                    headers={"WWW-Authenticate": 'Bearer realm="GardenHub"'},
                )
            db.session.commit()  # when it was last used
            if not token.allows(scope):
                abort(
                    403,
                    message=_(
                        "This token may not do this: it needs the “%(scope)s” "
                        "permission.",
                        scope=scope,
                    ),
                )
            g.api_token = token
            with speaking(token.user.language):
                return view(*args, **kwargs)

        return wrapped

    return decorator


def refusals(blueprint: Blueprint, *codes: int):
    """Document the error statuses an operation may answer, in the API's
    error shape (schemathesis holds every answer to this list)."""

    def decorate(view):
        for code in codes:
            view = blueprint.alt_response(
                code, schema=schemas.ErrorOut, description=ERRORS[code]
            )(view)
        return view

    return decorate


def with_token(blueprint: Blueprint, scope: str):
    """An operation for a token with `scope`: documented as such, and never
    reading or setting the session."""

    def decorate(view):
        return blueprint.doc(security=TOKEN)(sessionless(token_required(scope)(view)))

    return decorate


def _person():
    return g.api_token.user


# --- Shaping the answers ------------------------------------------------------


def _local(moment, zone: str):
    return to_local(moment, zone) if moment is not None else None


def _page(items: list, args: dict, endpoint: str, **values) -> dict:
    """`items` holds up to per_page + 1 rows: the extra one says there is a
    next page. Links go in the body and in a Link header."""
    page, per_page = args["page"], args["per_page"]
    extra = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}

    def link(number: int) -> str:
        return url_for(
            endpoint, page=number, per_page=per_page, _external=False, **values, **extra
        )

    body = {
        "items": items[:per_page],
        "page": page,
        "per_page": per_page,
        "next": link(page + 1) if len(items) > per_page else None,
        "prev": link(page - 1) if page > 1 else None,
    }
    g.api_links = [
        f'<{body[rel]}>; rel="{rel}"' for rel in ("next", "prev") if body[rel]
    ]
    return body


@public.after_request
@mine.after_request
@coordinate.after_request
def _link_header(response):
    if getattr(g, "api_links", None):
        response.headers["Link"] = ", ".join(g.api_links)
    return response


def _window(args: dict) -> tuple[int, int]:
    return (args["page"] - 1) * args["per_page"], args["per_page"] + 1


def _garden(garden: Garden) -> dict:
    return {
        "slug": garden.slug,
        "name": garden.name,
        "address": garden.address,
        "timezone": garden.timezone,
        "language": garden.language,
        "url": absolute_url("gardens.show", slug=garden.slug),
    }


def _project(project: Project) -> dict:
    return {
        "slug": project.slug,
        "name": project.public_name,
        "garden": project.garden.slug if project.garden else None,
        "timezone": project.garden.timezone if project.garden else project.timezone,
        "colour": project.colour,
        "url": absolute_url("projects.show", slug=project.slug),
    }


def _shift_seats(shift_ids: list[int]) -> dict[int, dict[str, int]]:
    """Seats taken and people waiting per shift, in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"taken": 0, "waiting": 0})
    if not shift_ids:
        return counts
    rows = db.session.execute(
        select(Signup.shift_id, Signup.status, func.count())
        .where(
            Signup.shift_id.in_(shift_ids),
            Signup.status.in_([*SEAT_STATUSES, SignupStatus.waitlisted]),
        )
        .group_by(Signup.shift_id, Signup.status)
    )
    for shift_id, state, number in rows:
        key = "waiting" if state == SignupStatus.waitlisted else "taken"
        counts[shift_id][key] += number
    return counts


def _shift(shift: Shift, seats: dict[str, int], zone: str) -> dict:
    return {
        "id": shift.id,
        "name": shift.name,
        "starts_at": _local(shift.starts_at, zone),
        "ends_at": _local(shift.ends_at, zone),
        "capacity": shift.capacity,
        "spots_open": max(shift.capacity - seats["taken"], 0),
        "waiting": seats["waiting"],
    }


def _workdays(summaries, *, member_of: frozenset | set = frozenset()) -> list[dict]:
    """Workdays with their shifts and open spots, in three queries whatever
    their number. Members of a project (and its coordinators) see its own
    title; everyone else the public one."""
    ids = [summary.workday.id for summary in summaries]
    shifts: dict[int, list[Shift]] = defaultdict(list)
    if ids:
        for shift in db.session.scalars(
            select(Shift)
            .where(Shift.workday_id.in_(ids))
            .order_by(Shift.starts_at, Shift.id)
        ):
            shifts[shift.workday_id].append(shift)
    seats = _shift_seats([s.id for group in shifts.values() for s in group])
    answer = []
    for summary in summaries:
        workday = summary.workday
        zone = workday.timezone
        answer.append(
            {
                "id": workday.id,
                "title": workday.title_for(workday.project_id in member_of),
                "status": workday.status,
                "starts_at": _local(workday.starts_at, zone),
                "ends_at": _local(workday.ends_at, zone),
                "timezone": zone,
                "place": workday.place,
                "project": workday.project.slug,
                "garden": workday.garden.slug if workday.garden else None,
                "capacity": summary.capacity,
                "spots_open": summary.open_spots,
                "shifts": [_shift(s, seats[s.id], zone) for s in shifts[workday.id]],
                "url": absolute_url("workdays.show", workday_id=workday.id),
            }
        )
    return answer


# --- Public -------------------------------------------------------------------


@public.route("/gardens")
@public.arguments(schemas.PageArgs, location="query", as_kwargs=False)
@public.response(200, schemas.GardenPage)
@refusals(public, 422, 429)
@sessionless
def gardens(args):
    """Every garden."""
    offset, limit = _window(args)
    found = db.session.scalars(
        select(Garden).order_by(Garden.name, Garden.id).offset(offset).limit(limit)
    ).all()
    return _page([_garden(garden) for garden in found], args, "api_public.gardens")


def _public_garden(slug: str) -> Garden:
    garden = db.session.scalar(select(Garden).where(Garden.slug == slug))
    if garden is None:
        abort(404, message=_("There is no garden with this name."))
    return garden


@public.route("/gardens/<slug>")
@public.response(200, schemas.GardenOut)
@refusals(public, 404, 429)
@sessionless
def garden(slug: str):
    """One garden."""
    return _garden(_public_garden(slug))


@public.route("/projects")
@public.arguments(schemas.PageArgs, location="query", as_kwargs=False)
@public.response(200, schemas.ProjectPage)
@refusals(public, 422, 429)
@sessionless
def projects(args):
    """The active projects, by their public names."""
    offset, limit = _window(args)
    found = db.session.scalars(
        select(Project)
        .where(Project.is_active)
        .order_by(Project.public_name, Project.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return _page([_project(p) for p in found], args, "api_public.projects")


def _public_project(slug: str) -> Project:
    project = db.session.scalar(
        select(Project).where(Project.slug == slug, Project.is_active)
    )
    if project is None:
        abort(404, message=_("There is no project with this name."))
    return project


@public.route("/projects/<slug>")
@public.response(200, schemas.ProjectOut)
@refusals(public, 404, 429)
@sessionless
def project(slug: str):
    """One active project, by its public name."""
    return _project(_public_project(slug))


@public.route("/workdays")
@public.arguments(schemas.WorkdayArgs, location="query", as_kwargs=False)
@public.response(200, schemas.WorkdayPage)
@refusals(public, 404, 422, 429)
@sessionless
def workdays(args):
    """Upcoming public workdays (of one garden or project, if asked), with
    their shifts and open spots: what the public pages show."""
    offset, limit = _window(args)
    found = workday_queries.upcoming_workdays(
        garden_id=_public_garden(args["garden"]).id if args.get("garden") else None,
        project_id=_public_project(args["project"]).id if args.get("project") else None,
        offset=offset,
        limit=limit,
    )
    return _page(_workdays(found), args, "api_public.workdays")


@public.route("/workdays/<int:workday_id>")
@public.response(200, schemas.WorkdayOut)
@refusals(public, 404, 429)
@sessionless
def workday(workday_id: int):
    """One public workday of an active project."""
    found = workday_queries.workday_summaries(
        Workday.id == workday_id, workday_queries.visible()
    )
    if not found:
        abort(404, message=_("There is no public workday with this number."))
    return _workdays(found)[0]


# --- Mine ---------------------------------------------------------------------


@mine.route("/me")
@mine.response(200, schemas.MeOut)
@refusals(mine, 401, 429)
@with_token(mine, "read")
def me():
    """Who the token belongs to, and what it may do."""
    token = g.api_token
    return {
        "name": token.user.display_name,
        "scopes": token.scope_list,
        "token_expires_at": token.expires_at,
    }


def _my_signups(found: list[Signup]) -> list[dict]:
    """My sign-ups with their shifts' open spots and waitlist places, in a
    constant number of queries."""
    if not found:
        return []
    person = found[0].volunteer
    seats = _shift_seats([signup.shift_id for signup in found])
    positions = workday_queries.waitlist_positions(found)
    projects = {signup.shift.workday.project for signup in found}
    Project.load_member_ids(projects)
    member = {p.id for p in projects if person.is_admin or p.includes(person)}
    answer = []
    for signup in found:
        shift = signup.shift
        workday = shift.workday
        zone = workday.timezone
        answer.append(
            {
                "id": signup.id,
                "status": signup.status,
                "waitlist_position": positions.get(signup.id),
                "offer_expires_at": _local(signup.offer_expires_at, zone),
                "shift": _shift(shift, seats[shift.id], zone),
                "workday": workday.id,
                "workday_title": workday.title_for(workday.project_id in member),
                "timezone": zone,
            }
        )
    return answer


def _my_signup(signup: Signup) -> dict:
    return _my_signups([signup])[0]


@mine.route("/me/shifts")
@mine.arguments(schemas.PageArgs, location="query", as_kwargs=False)
@mine.response(200, schemas.MySignupPage)
@refusals(mine, 401, 403, 422, 429)
@with_token(mine, "read")
def my_shifts(args):
    """My upcoming seats, offers and waitlist places."""
    found = workday_queries.my_signups(_person(), now=utcnow(), upcoming=True)
    offset, limit = _window(args)
    return _page(_my_signups(found[offset : offset + limit]), args, "api_me.my_shifts")


@mine.route("/me/tasks")
@mine.arguments(schemas.PageArgs, location="query", as_kwargs=False)
@mine.response(200, schemas.MyTaskPage)
@refusals(mine, 401, 403, 422, 429)
@with_token(mine, "read")
def my_tasks(args):
    """The tasks I have taken on, open ones first."""
    person = _person()
    found = task_queries.my_assignments(
        person, done=False
    ) + task_queries.my_assignments(person, done=True)
    offset, limit = _window(args)
    items = [
        {
            "id": a.task.id,
            "title": a.task.title,
            "project": a.task.project.slug,
            "due_on": a.task.due_on,
            "done": a.done_at is not None,
            "url": absolute_url("tasks.show", task_id=a.task.id),
        }
        for a in found[offset : offset + limit]
    ]
    return _page(items, args, "api_me.my_tasks")


def _refusal(error: GardenHubError):
    fields = {error.field: [error.message]} if error.field else {}
    db.session.rollback()
    abort(409, message=error.message, errors=fields)


def _own(signup_id: int) -> Signup:
    signup = db.session.get(Signup, signup_id)
    if signup is None or signup.volunteer_id != _person().id:
        abort(404, message=_("You have no sign-up with this number."))
    return signup


@mine.route("/shifts/<int:shift_id>/signup", methods=["POST"])
@mine.response(201, schemas.MySignupOut)
@refusals(mine, 401, 403, 404, 409, 429)
@with_token(mine, "signup")
def sign_up(shift_id: int):
    """Sign me up: a seat, or a place on the waitlist when the shift is full
    (the status says which). The same rules as the sign-up button."""
    shift = db.session.get(Shift, shift_id)
    person = _person()
    if shift is None or not (
        shift.workday.visibility == "public"
        or membership.belongs(shift.workday.project, person)
    ):
        abort(404, message=_("There is no shift with this number."))
    try:
        signup = signups.sign_up(shift, person, now=utcnow())
    except GardenHubError as error:
        _refusal(error)
    db.session.commit()
    return _my_signup(signup)


@mine.route("/me/signups/<int:signup_id>/cancel", methods=["POST"])
@mine.response(200, schemas.MySignupOut)
@refusals(mine, 401, 403, 404, 409, 429)
@with_token(mine, "signup")
def cancel(signup_id: int):
    """Cancel my sign-up (until the shift starts); a freed seat goes to the
    waitlist."""
    signup = _own(signup_id)
    try:
        signups.cancel(signup, actor=_person(), now=utcnow())
    except GardenHubError as error:
        _refusal(error)
    db.session.commit()
    return _my_signup(signup)


@mine.route("/me/signups/<int:signup_id>/confirm", methods=["POST"])
@mine.response(200, schemas.MySignupOut)
@refusals(mine, 401, 403, 404, 409, 429)
@with_token(mine, "signup")
def confirm(signup_id: int):
    """Take the seat I was offered from the waitlist."""
    signup = _own(signup_id)
    now = utcnow()
    signups.pass_on_expired_offers(signup.shift, now=now)
    db.session.commit()  # offers that ran out pass on, whatever happens next
    try:
        signups.confirm(signup, person=_person(), now=now)
    except GardenHubError as error:
        _refusal(error)
    db.session.commit()
    return _my_signup(signup)


# --- Coordinate ---------------------------------------------------------------


@coordinate.route("/workdays")
@coordinate.arguments(schemas.PageArgs, location="query", as_kwargs=False)
@coordinate.response(200, schemas.WorkdayPage)
@refusals(coordinate, 401, 403, 422, 429)
@with_token(coordinate, "coordinate")
def managed_workdays(args):
    """Upcoming workdays of the projects I coordinate, members-only ones too,
    with the projects' own titles."""
    managed = managed_project_ids(_person())
    offset, limit = _window(args)
    found = workday_queries.upcoming_workdays(
        member_of=managed,
        where=(Workday.project_id.in_(managed),),
        offset=offset,
        limit=limit,
    )
    return _page(
        _workdays(found, member_of=managed), args, "api_coordinate.managed_workdays"
    )


def _managed_workday(workday_id: int) -> Workday:
    found = db.session.get(Workday, workday_id)
    if found is None or not found.can_manage(_person()):
        abort(404, message=_("You coordinate no workday with this number."))
    return found


def _entry(signup: Signup, project: Project) -> dict:
    return {
        "signup": signup.id,
        "shift": signup.shift_id,
        "name": visible_name(_person(), signup.volunteer, project),
        "status": signup.status,
        "checked_in": signup.checked_in_at is not None,
        "hours": float(signup.hours) if signup.hours is not None else None,
    }


@coordinate.route("/workdays/<int:workday_id>/roster")
@coordinate.response(200, schemas.RosterOut)
@refusals(coordinate, 401, 403, 404, 429)
@with_token(coordinate, "coordinate")
def roster(workday_id: int):
    """Who is on a workday I coordinate (names as the privacy rules allow)."""
    found = _managed_workday(workday_id)
    summary = workday_queries.workday_summaries(Workday.id == found.id)
    rows = workday_queries.roster(found)
    return {
        "workday": _workdays(summary, member_of={found.project_id})[0],
        "people": [_entry(signup, found.project) for signup in rows],
    }


@coordinate.route("/signups/<int:signup_id>/check-in", methods=["POST"])
@coordinate.response(200, schemas.RosterEntryOut)
@refusals(coordinate, 401, 403, 404, 409, 429)
@with_token(coordinate, "coordinate")
def check_in(signup_id: int):
    """Check someone on my roster in (inside the check-in window)."""
    signup = db.session.get(Signup, signup_id)
    if signup is None or not signup.shift.workday.can_manage(_person()):
        abort(404, message=_("You coordinate no sign-up with this number."))
    try:
        hours.check_in(signup, actor=_person(), now=utcnow())
    except GardenHubError as error:
        _refusal(error)
    db.session.commit()
    return _entry(signup, signup.shift.workday.project)


def init_app(app) -> None:
    api.init_app(
        app,
        spec_kwargs={
            "info": {
                "description": "GardenHub's JSON API. Public reads need no token; "
                "the rest take a personal access token (Profile → API tokens) "
                "as `Authorization: Bearer gh_…`. Errors always look like "
                '`{"error": {"code", "message", "fields"}}`.'
            }
        },
    )
    api.spec.components.security_scheme("token", {"type": "http", "scheme": "bearer"})
    for blueprint in (public, mine, coordinate):
        api.register_blueprint(blueprint)
