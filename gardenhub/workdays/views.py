"""Public and volunteer pages: upcoming workdays, the month view, a workday with
its shifts, My shifts, and the sign-up buttons."""

import calendar
import re
from datetime import UTC, date, datetime, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from gardenhub import audit, tokens
from gardenhub.accounts.privacy import shown_names, visible_name
from gardenhub.csrf import token_checked_by_form
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.i18n import _, format_date
from gardenhub.outcomes import committed, refused
from gardenhub.projects.models import Project
from gardenhub.projects.views import is_member, member_project_ids
from gardenhub.timezones import local_today, to_local
from gardenhub.workdays import newcomers, queries, signups
from gardenhub.workdays.forms import SignupForm
from gardenhub.workdays.models import (
    Shift,
    Signup,
    SignupStatus,
    Workday,
    WorkdaySeries,
    weekday_names,
)

bp = Blueprint("workdays", __name__)


# Garden and project pages sit below workdays and never import it; they get
# their lists of workdays through these template globals (one query each).
@bp.app_template_global()
def upcoming_workdays_for(
    *, garden_id: int | None = None, project_id: int | None = None, limit: int = 20
):
    return queries.upcoming_workdays(
        garden_id=garden_id,
        project_id=project_id,
        limit=limit,
        member_of=member_project_ids(),
    )


@bp.app_template_global()
def buddy_name_for_newcomer(signup) -> str:
    return newcomers.buddy_name_for_newcomer(signup)


@bp.app_template_global()
def newcomer_name_for_buddy(signup) -> str:
    return newcomers.newcomer_name_for_buddy(signup)


@bp.app_template_global()
def project_series(project) -> list:
    return queries.project_series(project) if project.can_manage(current_user) else []


def _filters() -> tuple[Garden | None, Project | None]:
    garden = project = None
    if slug := request.args.get("garden"):
        garden = db.session.scalars(select(Garden).where(Garden.slug == slug)).first()
    if slug := request.args.get("project"):
        project = db.session.scalars(
            select(Project).where(Project.slug == slug)
        ).first()
    return garden, project


def _filter_choices():
    gardens = db.session.scalars(select(Garden).order_by(Garden.name)).all()
    # Only the projects a person belongs to: the filter names them.
    projects = db.session.scalars(
        select(Project)
        .where(Project.is_active, Project.id.in_(member_project_ids()))
        .order_by(Project.name)
    ).all()
    return gardens, projects


@bp.get("/")
def home():
    garden, project = _filters()
    upcoming = queries.upcoming_workdays(
        garden_id=garden and garden.id,
        project_id=project and project.id,
        limit=40,
        member_of=member_project_ids(),
    )
    gardens, projects = _filter_choices()
    return render_template(
        "workdays/home.html",
        upcoming=upcoming,
        gardens=gardens,
        projects=projects,
        garden=garden,
        project=project,
    )


def _month_asked(today: date) -> date:
    """The first day of the month in ?month=YYYY-MM, within ten years of today;
    anything else shows this month."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", request.args.get("month", ""))
    if match:
        year, number = int(match[1]), int(match[2])
        if abs(year - today.year) <= 10 and 1 <= number <= 12:
            return date(year, number, 1)
    return today.replace(day=1)


@bp.get("/calendar")
def month():
    garden, project = _filters()
    place = garden or (project.garden if project else None)
    zone = place.timezone if place else current_app.config["DEFAULT_TIMEZONE"]
    today = local_today(zone)
    first = _month_asked(today)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(
        first.year, first.month
    )
    start = datetime.combine(weeks[0][0], datetime.min.time(), UTC) - timedelta(days=1)
    end = datetime.combine(weeks[-1][-1], datetime.min.time(), UTC) + timedelta(days=2)
    by_day: dict[date, list] = {}
    for summary in queries.workdays_between(
        start,
        end,
        garden_id=garden and garden.id,
        project_id=project and project.id,
        member_of=member_project_ids(),
    ):
        local_day = to_local(summary.workday.starts_at, summary.workday.timezone).date()
        by_day.setdefault(local_day, []).append(summary)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    gardens, projects = _filter_choices()
    return render_template(
        "workdays/month.html",
        first=first,
        weeks=weeks,
        today=today,
        by_day=by_day,
        previous=previous,
        following=following,
        gardens=gardens,
        projects=projects,
        garden=garden,
        project=project,
        day_names=weekday_names("short"),
    )


@bp.get("/workdays/<int:workday_id>")
def show(workday_id: int):
    workday = queries.load_workday_page(workday_id) or abort(404)
    mine = queries.signups_of(current_user, [s.id for s in workday.shifts])
    if workday.is_members_only and not is_member(workday.project) and not mine:
        # Not even its existence is shown to non-members; someone who signed
        # up before it became members-only still sees their own sign-up.
        abort(404)
    counts = queries.shift_counts(workday)
    positions = queries.waitlist_positions(list(mine.values()))
    viewer = current_user._get_current_object()
    fellows = (
        [
            s.volunteer
            for s in queries.roster(workday)
            if s.status == SignupStatus.confirmed
        ]
        if viewer.is_authenticated
        else []
    )
    fellow_names, fellow_hidden = shown_names(viewer, fellows, workday.project)
    return render_template(
        "workdays/show.html",
        workday=workday,
        counts=counts,
        mine=mine,
        positions=positions,
        now=utcnow(),
        can_manage=workday.can_manage(current_user),
        fellow_names=fellow_names,
        fellow_hidden=fellow_hidden,
    )


@bp.get("/my/shifts")
@login_required
def my_shifts():
    now = utcnow()
    upcoming = queries.my_signups(current_user, now=now, upcoming=True)
    past = queries.my_signups(current_user, now=now, upcoming=False)
    positions = queries.waitlist_positions(upcoming)
    return render_template(
        "workdays/my_shifts.html",
        upcoming=upcoming,
        past=past,
        positions=positions,
        now=now,
    )


def _back_to(workday_id: int):
    """Back to where the button was: My shifts, the roster, or the workday."""
    target = request.form.get("next")
    if target == "my_shifts":
        return redirect(url_for("workdays.my_shifts"))
    if target == "roster":
        return redirect(url_for("planning.roster", workday_id=workday_id))
    return redirect(url_for("workdays.show", workday_id=workday_id))


@bp.post("/shifts/<int:shift_id>/signup")
@login_required
@token_checked_by_form
def sign_up(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    form = SignupForm()
    if refused(form):
        return _back_to(shift.workday_id)
    with committed() as done:
        signup = signups.sign_up(
            shift,
            current_user,
            now=utcnow(),
            note=form.note.data,
            wants_buddy=form.wants_buddy.data,
            buddy_sees_name=form.buddy_sees_name.data,
        )
    if done:
        if signup.status == SignupStatus.confirmed:
            flash(
                _("You're signed up for “%(shift)s”. Thank you!", shift=shift.name),
                "success",
            )
        else:
            position = signups.waitlist_position(signup)
            flash(
                _(
                    "“%(shift)s” is full, so you're on the waitlist (number "
                    "%(position)s). We'll offer you a seat if one frees up.",
                    shift=shift.name,
                    position=position,
                ),
                "info",
            )
    return _back_to(shift.workday_id)


@bp.post("/signups/<int:signup_id>/details")
@login_required
@token_checked_by_form
def signup_details(signup_id: int):
    """The volunteer changes their note to the coordinators or their buddy wish."""
    signup = _own_signup_or_403(signup_id, coordinators_too=False)
    form = SignupForm()
    if not refused(form):
        with committed(success=_("Saved.")):
            newcomers.set_details(
                signup,
                person=current_user,
                note=form.note.data,
                wants_buddy=form.wants_buddy.data,
                buddy_sees_name=form.buddy_sees_name.data,
                now=utcnow(),
            )
    return _back_to(signup.shift.workday_id)


@bp.post("/signups/<int:signup_id>/buddy/end")
@login_required
def end_buddy(signup_id: int):
    """The newcomer or their buddy ends the pairing; nobody is told why."""
    signup = db.get_or_404(Signup, signup_id)
    if current_user.id not in (signup.volunteer_id, signup.buddy_id):
        abort(404)
    with committed(success=_("The welcome pairing has ended.")):
        newcomers.end(signup, person=current_user, now=utcnow())
    if current_user.id == signup.volunteer_id:
        return _back_to(signup.shift.workday_id)
    return redirect(url_for("me.page"))


def _own_signup_or_403(signup_id: int, *, coordinators_too: bool) -> Signup:
    signup = db.get_or_404(Signup, signup_id)
    if signup.volunteer_id == current_user.id:
        return signup
    if coordinators_too and signup.shift.can_manage(current_user):
        return signup
    abort(403)


@bp.post("/signups/<int:signup_id>/cancel")
@login_required
def cancel(signup_id: int):
    signup = _own_signup_or_403(signup_id, coordinators_too=True)
    with committed(success=_("The sign-up is cancelled. Thanks for letting us know.")):
        signups.cancel(signup, actor=current_user, now=utcnow())
    return _back_to(signup.shift.workday_id)


@bp.post("/signups/<int:signup_id>/confirm")
@login_required
def confirm(signup_id: int):
    signup = _own_signup_or_403(signup_id, coordinators_too=False)
    _confirm_seat(signup)
    return _back_to(signup.shift.workday_id)


def _confirm_seat(signup: Signup) -> None:
    """Two steps: offers that have run out pass on (kept whatever happens
    next), then the person takes their seat or hears why not."""
    now = utcnow()
    with committed():
        signups.pass_on_expired_offers(signup.shift, now=now)
    with committed(
        success=_(
            "The seat on “%(shift)s” is yours. See you there!",
            shift=signup.shift.name,
        )
    ):
        signups.confirm(signup, person=signup.volunteer, now=now)


def _offer_from_link(token: str) -> Signup:
    """The sign-up a seat-offer link was made for; the link is its only key."""
    payload = tokens.read("seat-offer", token, max_age=14 * 24 * 3600)
    signup = db.session.get(Signup, payload[0]) if payload else None
    if signup is None or signup.volunteer_id != payload[1]:
        abort(404, _("This link is not valid."))
    return signup


@bp.route("/offers/<token>", methods=["GET", "POST"])
def offer_link(token: str):
    """Opening the link shows the offer with one button; only the button (a POST,
    which mail scanners never send) confirms the seat."""
    signup = _offer_from_link(token)
    if request.method == "POST":
        _confirm_seat(signup)
    return render_template("workdays/offer.html", signup=signup, now=utcnow())


def _when(workday: Workday) -> str:
    return format_date(workday.starts_at, workday.timezone)


@audit.describes("workday")
def _describe_workdays(viewer, ids: list[int]) -> dict:
    found = db.session.scalars(
        select(Workday)
        .options(joinedload(Workday.garden), joinedload(Workday.project))
        .where(Workday.id.in_(ids))
    )
    return {
        w.id: (
            f"{w.title}, {_when(w)}",
            url_for("workdays.show", workday_id=w.id),
        )
        for w in found
    }


@audit.describes("shift")
def _describe_shifts(viewer, ids: list[int]) -> dict:
    found = db.session.scalars(
        select(Shift)
        .options(
            joinedload(Shift.workday).options(
                joinedload(Workday.garden), joinedload(Workday.project)
            )
        )
        .where(Shift.id.in_(ids))
    )
    return {
        s.id: (
            _(
                "%(shift)s on %(workday)s, %(when)s",
                shift=s.name,
                workday=s.workday.title,
                when=_when(s.workday),
            ),
            url_for("workdays.show", workday_id=s.workday_id),
        )
        for s in found
    }


@audit.describes("signup")
def _describe_signups(viewer, ids: list[int]) -> dict:
    found = db.session.scalars(
        select(Signup)
        .options(
            joinedload(Signup.volunteer),
            joinedload(Signup.shift)
            .joinedload(Shift.workday)
            .options(joinedload(Workday.garden), joinedload(Workday.project)),
        )
        .where(Signup.id.in_(ids))
    )
    return {
        s.id: (
            _(
                "%(person)s on %(shift)s, %(when)s",
                person=visible_name(viewer, s.volunteer, s.shift.workday.project),
                shift=s.shift.name,
                when=_when(s.shift.workday),
            ),
            url_for("planning.roster", workday_id=s.shift.workday_id),
        )
        for s in found
    }


@audit.describes("workdayseries")
def _describe_series(viewer, ids: list[int]) -> dict:
    found = db.session.scalars(
        select(WorkdaySeries)
        .options(joinedload(WorkdaySeries.project))
        .where(WorkdaySeries.id.in_(ids))
    )
    return {
        s.id: (
            f"{s.project.name}: {s.describe()}",
            url_for("projects.show", slug=s.project.slug),
        )
        for s in found
    }
