"""Check-in at the gate, My hours, approvals, letters, dashboard, exports, reports."""

from datetime import date, timedelta

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
from sqlalchemy.orm import joinedload

from gardenhub import audit
from gardenhub.accounts.privacy import visible_name
from gardenhub.csrf import token_checked_by_form
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.hours import charts, queries, reports, services
from gardenhub.hours.forms import (
    LetterForm,
    LogHoursForm,
    PeriodForm,
    SetHoursForm,
    WalkInForm,
)
from gardenhub.hours.models import HoursEntry, HoursLetter
from gardenhub.i18n import _, format_day, format_number, ngettext
from gardenhub.outcomes import committed, refused, status
from gardenhub.projects.models import Project
from gardenhub.projects.queries import managed_project_ids
from gardenhub.projects.views import member_project_ids
from gardenhub.roles import coordinator_required, manageable
from gardenhub.security import person_tag
from gardenhub.timezones import local_today
from gardenhub.workdays import newcomers
from gardenhub.workdays import queries as workday_queries
from gardenhub.workdays.models import Shift, Signup

bp = Blueprint("hours", __name__)


def plural_count(hours) -> int:
    """The whole number that picks the plural form of "`hours` hours": the
    number itself when whole, else 2 (a fraction reads as plural: "1.5 hours")."""
    value = float(hours or 0)
    return int(value) if value.is_integer() else 2


@bp.context_processor
def _plurals() -> dict:
    return {"plural_count": plural_count}


@bp.get("/workdays/<int:workday_id>/check-in")
@coordinator_required
def check_in_page(workday_id: int):
    workday = manageable(workday_queries.load_workday_page(workday_id) or abort(404))
    rows = workday_queries.roster(workday)
    page = render_template(
        "hours/check_in.html",
        workday=workday,
        signups=rows,
        first_timers=newcomers.first_timers(workday, rows),
        windows={s.id: services.check_in_window(s) for s in workday.shifts},
        now=utcnow(),
        person_tag=person_tag(current_user),
        gate_text=_gate_text(),
    )
    # The service worker keeps this page (for this person) for use without signal.
    return page, 200, {"GardenHub-Offline": "keep"}


def _gate_text() -> dict:
    """What the check-in page's script says, in the page's language."""
    return {
        "waiting": _("waiting to send"),
        "queued_one": ngettext(
            "%(count)s change is waiting on this phone. It is sent as soon as "
            "there is signal.",
            "%(count)s changes are waiting on this phone. They are sent as soon "
            "as there is signal.",
            1,
            count="{count}",
        ),
        "queued_other": ngettext(
            "%(count)s change is waiting on this phone. It is sent as soon as "
            "there is signal.",
            "%(count)s changes are waiting on this phone. They are sent as soon "
            "as there is signal.",
            2,
            count="{count}",
        ),
        "sending": _("Sending…"),
        "sent": _("Everything is sent."),
        "logged_out": _("Log in again to send the changes waiting on this phone."),
        "log_in": _("Log in"),
        "failed": _("Could not send just now. Trying again soon."),
        "needs_signal": _(
            "Correcting hours needs a connection. Try again when the phone has signal."
        ),
        "here_undo": _("✓ Here · undo"),
        "check_in": _("Check in"),
        "walk_in": _("walk-in"),
        "count": _("%(here)s of %(total)s here", here="{here}", total="{total}"),
        "not_applied": _("Not applied:"),
        "dismiss": _("Dismiss"),
    }


@bp.post("/signups/<int:signup_id>/check-in")
@coordinator_required
def check_in(signup_id: int):
    signup = manageable(db.get_or_404(Signup, signup_id))
    back = (
        url_for("hours.check_in_page", workday_id=signup.shift.workday_id)
        + f"#signup-{signup.id}"
    )
    with committed():
        services.check_in(signup, actor=current_user, now=utcnow())
    return redirect(back)


@bp.post("/signups/<int:signup_id>/undo-check-in")
@coordinator_required
def undo_check_in(signup_id: int):
    signup = manageable(db.get_or_404(Signup, signup_id))
    back = (
        url_for("hours.check_in_page", workday_id=signup.shift.workday_id)
        + f"#signup-{signup.id}"
    )
    with committed():
        services.undo_check_in(signup, actor=current_user)
    return redirect(back)


@bp.post("/signups/<int:signup_id>/hours")
@coordinator_required
@token_checked_by_form
def set_hours(signup_id: int):
    signup = manageable(db.get_or_404(Signup, signup_id))
    form = SetHoursForm()
    back = url_for("hours.check_in_page", workday_id=signup.shift.workday_id)
    if not refused(form):
        with committed(success=_("Hours saved.")):
            services.set_hours(signup, form.hours.data, actor=current_user)
    return redirect(back)


@bp.post("/shifts/<int:shift_id>/walk-in")
@coordinator_required
@token_checked_by_form
def walk_in(shift_id: int):
    shift = manageable(db.get_or_404(Shift, shift_id))
    form = WalkInForm()
    form.phone_zone = shift.workday.timezone  # numbers typed without +49
    if not refused(form):
        with committed(success=_("Walk-in added and checked in.")):
            services.walk_in(
                shift,
                email=form.email.data,
                name=form.name.data,
                phone=form.phone.data,
                texts_agreed=form.texts_agreed.data,
                actor=current_user,
                now=utcnow(),
            )
    return redirect(url_for("hours.check_in_page", workday_id=shift.workday_id))


@bp.route("/my/hours", methods=["GET", "POST"])
@login_required
@token_checked_by_form
def my_hours():
    form = LogHoursForm()
    projects = db.session.scalars(
        select(Project)
        .where(Project.is_active, Project.id.in_(member_project_ids()))
        .order_by(Project.name)
    ).all()
    form.project_id.choices = {p.id: p.name for p in projects}
    if form.validate_on_submit():
        project = db.get_or_404(Project, form.project_id.data)
        with committed(
            form, success=_("Logged. A coordinator of the project will approve it.")
        ) as logged:
            services.log_hours(
                current_user,
                project,
                worked_on=form.worked_on.data,
                hours=form.hours.data,
                description=form.description.data,
                now=utcnow(),
            )
        if logged:
            return redirect(url_for("hours.my_hours"))
    totals = queries.counted_hours(current_user)
    letter_form = LetterForm(
        formdata=None,
        starts_on=_today().replace(month=1, day=1),
        ends_on=_today(),
        names_projects=True,
    )
    letter_form.set_projects(p for p, _hours in totals.by_project())
    return render_template(
        "hours/my_hours.html",
        form=form,
        totals=totals,
        entries=queries.my_entries(current_user),
        letter_form=letter_form,
        chart=charts.bars([(m[2:], float(h)) for m, h in totals.by_month()[-12:]]),
    ), status(form)


@bp.post("/my/hours/letter")
@login_required
@token_checked_by_form
def make_letter():
    form = LetterForm()
    form.set_projects(
        p for p, _hours in queries.counted_hours(current_user).by_project()
    )
    if refused(form):
        return redirect(url_for("hours.my_hours"))
    with committed() as issued:
        letter = services.issue_letter(
            current_user,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            names_projects=form.names_projects.data,
            project=db.session.get(Project, form.project_id.data or 0),
            now=utcnow(),
        )
    if not issued:
        return redirect(url_for("hours.my_hours"))
    return redirect(url_for("hours.letter", code=letter.code))


@bp.get("/my/hours/letters/<code>")
@login_required
def letter(code: str):
    found = db.first_or_404(select(HoursLetter).where(HoursLetter.code == code))
    if found.volunteer_id != current_user.id:
        abort(404)
    totals = queries.counted_hours(
        current_user, start=found.starts_on, end=found.ends_on
    )
    if found.project_id is not None:
        totals = queries.Totals(
            [i for i in totals.items if i.project.id == found.project_id]
        )
    return render_template("hours/letter.html", letter=found, totals=totals)


@bp.get("/verify")
def verify():
    """Anyone with a letter's code can check it: totals and period, nothing else."""
    code = (request.args.get("code") or "").strip().upper()
    found = None
    if code:
        found = db.session.scalars(
            select(HoursLetter).where(HoursLetter.code == code)
        ).first()
    status = 404 if code and found is None else 200
    return render_template("hours/verify.html", code=code, letter=found), status


@bp.get("/coordinate/hours")
@coordinator_required
def approvals():
    entries = queries.pending_entries(managed_project_ids(current_user))
    return render_template("hours/approvals.html", entries=entries)


@bp.post("/hours-entries/<int:entry_id>/<any(approve, decline):decision>")
@coordinator_required
def decide(entry_id: int, decision: str):
    entry = manageable(db.get_or_404(HoursEntry, entry_id))
    approve = decision == "approve"
    with committed(success=_("Hours approved.") if approve else _("Hours declined.")):
        services.decide(entry, approve=approve, actor=current_user, now=utcnow())
    return redirect(url_for("hours.approvals"))


@bp.get("/dashboard")
@coordinator_required
def dashboard():
    project_ids = managed_project_ids(current_user)
    now = utcnow()
    months = reports.monthly_figures(
        project_ids, now=now, zone=current_app.config["DEFAULT_TIMEZONE"]
    )
    return render_template(
        "hours/dashboard.html",
        unfilled=reports.unfilled_shifts(project_ids, now=now),
        months=months,
        fill_chart=charts.bars(
            [
                (
                    m["label"],
                    None if m["fill_rate"] is None else round(m["fill_rate"] * 100),
                )
                for m in months
            ],
            value_format=_percent,
        ),
        hours_chart=charts.bars([(m["label"], float(m["hours"])) for m in months]),
        pending=len(queries.pending_entries(project_ids)),
    )


def _percent(value: float) -> str:
    """A chart's percentage: "50%" (or the language's "50 %")."""
    return _("%(percent)s%%", percent=format_number(value))


def _period():
    """The period form of exports and reports: the last 90 days to start with,
    or the dates asked for (a wrong one is named on its field)."""
    form = PeriodForm(request.args)
    projects = _managed_projects()
    form.project_id.choices = {0: _("All my projects")} | {
        p.id: p.name for p in projects
    }
    if not request.args:
        today = _today()
        form.starts_on.data, form.ends_on.data = today - timedelta(days=90), today
        return form, projects, False
    return form, projects, form.validate()


def _today() -> date:
    """Today where the coordinator's pages are shown (the default zone)."""
    return local_today(current_app.config["DEFAULT_TIMEZONE"])


def _managed_projects() -> list[Project]:
    ids = managed_project_ids(current_user)
    return list(
        db.session.scalars(
            select(Project).where(Project.id.in_(ids)).order_by(Project.name)
        )
    )


def _chosen_ids(form, projects) -> set[int]:
    ids = {p.id for p in projects}
    if form.project_id.data and form.project_id.data in ids:
        return {form.project_id.data}
    return ids


def _csv(name: str, header: list[str], rows, target) -> Response:
    audit.record(current_user, "export", target, name)
    db.session.commit()
    response = Response(
        reports.to_csv(header, rows), content_type="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/exports/workdays/<int:workday_id>/roster.csv")
@coordinator_required
def export_roster(workday_id: int):
    workday = manageable(workday_queries.load_workday_page(workday_id) or abort(404))
    return _csv(
        f"roster-workday-{workday.id}.csv",
        [
            _("shift"),
            _("name"),
            _("email"),
            _("phone"),
            _("status"),
            _("checked in"),
            _("hours"),
            _("signed up"),
        ],
        reports.roster_rows(workday, current_user),
        workday,
    )


@bp.get("/exports")
@coordinator_required
def exports():
    form, projects, valid = _period()
    kind = request.args.get("kind")
    if valid and kind in ("signups", "hours"):
        ids = _chosen_ids(form, projects)
        start, end = form.starts_on.data, form.ends_on.data
        target = projects[0] if len(ids) == 1 else current_user
        if kind == "signups":
            return _csv(
                f"signups-{start}-{end}.csv",
                [
                    _("when"),
                    _("workday"),
                    _("shift"),
                    _("name"),
                    _("status"),
                    _("checked in"),
                ],
                reports.signup_rows(ids, current_user, start=start, end=end),
                target,
            )
        return _csv(
            f"hours-{start}-{end}.csv",
            [_("name"), _("project"), _("hours")],
            reports.hours_rows(ids, current_user, start=start, end=end),
            target,
        )
    status = 422 if request.args and not valid else 200
    return render_template("hours/exports.html", form=form), status


def _funder_rows(form, projects, valid: bool) -> list[dict]:
    if not (valid or not request.args):
        return []
    return reports.funder_report(
        _chosen_ids(form, projects), start=form.starts_on.data, end=form.ends_on.data
    )


@bp.get("/reports/funders")
@coordinator_required
def funder_report():
    form, projects, valid = _period()
    rows = _funder_rows(form, projects, valid)
    status = 422 if request.args and not valid else 200
    return render_template(
        "hours/funders.html", form=form, rows=rows, valid=valid or not request.args
    ), status


@bp.get("/reports/funders.csv")
@coordinator_required
def funder_report_csv():
    form, projects, valid = _period()
    if not valid:
        # The form page says which date is wrong.
        return funder_report()
    start, end = form.starts_on.data, form.ends_on.data
    return _csv(
        f"funder-report-{start}-{end}.csv",
        reports.funder_header(),
        reports.funder_rows(_funder_rows(form, projects, valid)),
        projects[0] if len(_chosen_ids(form, projects)) == 1 else current_user,
    )


@audit.describes("hoursentry")
def _describe_entries(viewer, ids: list[int]) -> dict:
    found = db.session.scalars(
        select(HoursEntry)
        .options(joinedload(HoursEntry.volunteer), joinedload(HoursEntry.project))
        .where(HoursEntry.id.in_(ids))
    )
    return {
        e.id: (
            _(
                "%(hours)s h of %(name)s on %(day)s (%(project)s)",
                hours=format_number(e.hours),
                name=visible_name(viewer, e.volunteer, e.project),
                day=format_day(e.worked_on, "short"),
                project=e.project.name,
            ),
            None,
        )
        for e in found
    }
