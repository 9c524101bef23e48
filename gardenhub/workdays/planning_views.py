"""Coordinator pages: plan workdays and series, edit, cancel, shifts and rosters."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from gardenhub.accounts.models import User
from gardenhub.csrf import token_checked_by_form
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.i18n import _, ngettext
from gardenhub.notifications.forms import MessageForm
from gardenhub.outcomes import committed, refused, status
from gardenhub.projects.models import Project
from gardenhub.roles import coordinator_required, manageable
from gardenhub.slugs import find_or_404
from gardenhub.timezones import to_local
from gardenhub.workdays import newcomers, queries, services, signups
from gardenhub.workdays.forms import (
    AddGuestForm,
    AddPersonForm,
    BuddyForm,
    CancelWorkdayForm,
    EditWorkdayForm,
    SeriesForm,
    ShiftForm,
    WorkdayForm,
)
from gardenhub.workdays.models import Shift, Signup
from gardenhub.workdays.recurrence import WeeklyRule

bp = Blueprint("planning", __name__)


def _gardens() -> list[Garden]:
    return list(db.session.scalars(select(Garden).order_by(Garden.name)))


def _workday_data(form, *, day=None, shifts=()) -> services.WorkdayData:
    return services.WorkdayData(
        title=form.title.data,
        public_title=form.public_title.data,
        description=form.description.data or None,
        garden=db.session.get(Garden, form.garden_id.data)
        if form.garden_id.data
        else None,
        location=form.location.data or None,
        day=day,
        start=form.start.data,
        end=form.end.data,
        is_newcomer_friendly=form.is_newcomer_friendly.data,
        visibility=form.visibility.data,
        shifts=list(shifts),
    )


def _shift_rows(form) -> list[services.ShiftData]:
    return [data for row in form.shifts if (data := row.form.to_data())]


def _prefill(form, project) -> None:
    """A new form starts at the project's garden with one typical shift."""
    if form.is_submitted():
        return
    form.garden_id.data = project.garden_id or 0
    form.visibility.data = project.default_visibility
    first = form.shifts[0].form
    first.name.data, first.capacity.data = _("Garden crew"), 8


@bp.route("/projects/<slug>/workdays/new", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def new_workday(slug: str):
    project = manageable(find_or_404(Project, slug))
    form = WorkdayForm()
    form.set_gardens(_gardens())
    _prefill(form, project)
    if form.validate_on_submit():
        data = _workday_data(form, day=form.day.data, shifts=_shift_rows(form))
        with committed(
            form, success=_("The workday is planned and open for sign-ups.")
        ) as planned:
            workday = services.create_workday(
                project, data, actor=current_user, now=utcnow()
            )
        if planned:
            return redirect(url_for("workdays.show", workday_id=workday.id))
    return render_template(
        "workdays/new.html", form=form, project=project, series=False
    ), status(form)


@bp.route("/projects/<slug>/series/new", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def new_series(slug: str):
    project = manageable(find_or_404(Project, slug))
    form = SeriesForm()
    form.set_gardens(_gardens())
    _prefill(form, project)
    if form.validate_on_submit():
        data = _workday_data(form, day=form.starts_on.data, shifts=_shift_rows(form))
        rule = WeeklyRule(
            weekdays=tuple(int(d) for d in form.weekdays.data),
            interval_weeks=form.interval_weeks.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            count=form.count.data,
        )
        with committed(form) as planned:
            series = services.create_series(
                project, data, rule, actor=current_user, now=utcnow()
            )
        if planned:
            flash(
                _("%(series)s: the workdays are planned.", series=series.describe()),
                "success",
            )
            return redirect(url_for("projects.show", slug=project.slug))
    return render_template(
        "workdays/new.html", form=form, project=project, series=True
    ), status(form)


@bp.route("/workdays/<int:workday_id>/edit", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def edit(workday_id: int):
    workday = manageable(queries.load_workday_page(workday_id) or abort(404))
    local_start = to_local(workday.starts_at, workday.timezone)
    form = EditWorkdayForm(
        obj=workday,
        garden_id=workday.garden_id or 0,
        day=local_start.date(),
        start=local_start.time(),
        end=to_local(workday.ends_at, workday.timezone).time(),
    )
    form.set_gardens(_gardens())
    if form.validate_on_submit():
        data = _workday_data(form, day=form.day.data)
        with committed(form) as saved:
            changed = services.update_workday(
                workday, data, scope=form.scope.data, actor=current_user, now=utcnow()
            )
        if saved:
            flash(
                ngettext(
                    "Saved (%(num)d workday).",
                    "Saved (%(num)d workdays).",
                    len(changed),
                ),
                "success",
            )
            return redirect(url_for("workdays.show", workday_id=workday.id))
    return render_template("workdays/edit.html", form=form, workday=workday), status(
        form
    )


@bp.route("/workdays/<int:workday_id>/cancel", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def cancel(workday_id: int):
    workday = manageable(queries.load_workday_page(workday_id) or abort(404))
    form = CancelWorkdayForm()
    if form.validate_on_submit():
        with committed(
            form, success=_("The workday is cancelled. Its sign-ups are kept.")
        ) as cancelled:
            services.cancel_workday(
                workday,
                actor=current_user,
                reason=form.reason.data or None,
                now=utcnow(),
            )
        if cancelled:
            return redirect(url_for("workdays.show", workday_id=workday.id))
    return render_template("workdays/cancel.html", form=form, workday=workday), status(
        form
    )


@bp.route("/workdays/<int:workday_id>/shifts/new", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def new_shift(workday_id: int):
    workday = manageable(queries.load_workday_page(workday_id) or abort(404))
    form = ShiftForm()
    if not form.is_submitted():
        form.start.data = to_local(workday.starts_at, workday.timezone).time()
        form.end.data = to_local(workday.ends_at, workday.timezone).time()
    if form.validate_on_submit():
        with committed(form, success=_("The shift is added.")) as added:
            services.add_shift(
                workday, form.to_data(), actor=current_user, now=utcnow()
            )
        if added:
            return redirect(url_for("workdays.show", workday_id=workday.id))
    return render_template(
        "workdays/shift_form.html", form=form, workday=workday, shift=None
    ), status(form)


@bp.route("/shifts/<int:shift_id>/edit", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def edit_shift(shift_id: int):
    shift = manageable(db.get_or_404(Shift, shift_id))
    workday = shift.workday
    form = ShiftForm(
        obj=shift,
        start=to_local(shift.starts_at, workday.timezone).time(),
        end=to_local(shift.ends_at, workday.timezone).time(),
    )
    if form.validate_on_submit():
        with committed(form, success=_("The shift is saved.")) as saved:
            services.update_shift(
                shift, form.to_data(), actor=current_user, now=utcnow()
            )
        if saved:
            return redirect(url_for("workdays.show", workday_id=workday.id))
    return render_template(
        "workdays/shift_form.html", form=form, workday=workday, shift=shift
    ), status(form)


@bp.get("/workdays/<int:workday_id>/roster")
@coordinator_required
def roster(workday_id: int):
    workday = manageable(queries.load_workday_page(workday_id) or abort(404))
    rows = queries.roster(workday)
    return render_template(
        "workdays/roster.html",
        workday=workday,
        signups=rows,
        first_timers=newcomers.first_timers(workday, rows),
        buddies=(
            newcomers.buddy_candidates(workday)
            if any(s.wants_buddy and s.is_active for s in rows)
            else []
        ),
        counts=queries.shift_counts(workday),
        person_form=AddPersonForm(formdata=None),
        guest_form=AddGuestForm(formdata=None),
        now=utcnow(),
    )


def _added(shift: Shift, signup) -> None:
    names = {"name": signup.volunteer.display_name, "shift": shift.name}
    flash(
        _("%(name)s is confirmed for “%(shift)s”.", **names)
        if signup.status == "confirmed"
        else _("%(name)s is on the waitlist for “%(shift)s”.", **names),
        "success",
    )


@bp.post("/shifts/<int:shift_id>/add-person")
@coordinator_required
@token_checked_by_form
def add_person(shift_id: int):
    shift = manageable(db.get_or_404(Shift, shift_id))
    form = AddPersonForm()
    if not refused(form):
        with committed() as done:
            signup = signups.sign_up_someone(
                shift, actor=current_user, now=utcnow(), email=form.email.data
            )
        if done:
            _added(shift, signup)
    return redirect(url_for("planning.roster", workday_id=shift.workday_id))


@bp.post("/shifts/<int:shift_id>/add-guest")
@coordinator_required
@token_checked_by_form
def add_guest(shift_id: int):
    shift = manageable(db.get_or_404(Shift, shift_id))
    form = AddGuestForm()
    form.phone_zone = shift.workday.timezone  # numbers typed without +49
    if not refused(form):
        with committed() as done:
            signup = signups.sign_up_someone(
                shift,
                actor=current_user,
                now=utcnow(),
                name=form.name.data,
                phone=form.phone.data,
                email=form.email.data,
                texts_agreed=form.texts_agreed.data,
            )
        if done:
            _added(shift, signup)
    return redirect(url_for("planning.roster", workday_id=shift.workday_id))


@bp.route("/workdays/<int:workday_id>/message", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def message(workday_id: int):
    """Write to everyone signed up (or one shift). Each person gets their own copy;
    nobody sees another recipient's address."""
    workday = manageable(queries.load_workday_page(workday_id) or abort(404))
    form = MessageForm(reply_to=current_user.email)
    form.recipients.choices = {0: _("Everyone with a seat")} | {
        shift.id: _("Only “%(shift)s”", shift=shift.name) for shift in workday.shifts
    }
    if form.validate_on_submit():
        with committed(form) as sent:
            reached, unreachable = services.message_volunteers(
                workday,
                shift_id=form.recipients.data or None,
                subject=form.subject.data,
                body=form.body.data,
                reply_to=form.reply_to.data,
                actor=current_user,
                now=utcnow(),
            )
        if sent:
            _tell_who_it_reaches(reached, unreachable)
            return redirect(url_for("planning.roster", workday_id=workday.id))
    return render_template("workdays/message.html", form=form, workday=workday), status(
        form
    )


def _tell_who_it_reaches(reached: int, unreachable: int) -> None:
    flash(
        ngettext(
            "Your message is on its way to %(num)d person.",
            "Your message is on its way to %(num)d people.",
            reached,
        ),
        "success",
    )
    if unreachable:
        flash(
            ngettext(
                "%(num)d person with a seat won't get it by email: a guest without "
                "an address, or someone who turned coordinators' messages off. "
                "Tell them another way.",
                "%(num)d people with a seat won't get it by email: a guest without "
                "an address, or someone who turned coordinators' messages off. "
                "Tell them another way.",
                unreachable,
            ),
            "warning",
        )


@bp.post("/signups/<int:signup_id>/buddy")
@coordinator_required
@token_checked_by_form
def pair_buddy(signup_id: int):
    """A coordinator pairs a welcoming member with a newcomer who asked."""
    signup = manageable(db.get_or_404(Signup, signup_id))
    form = BuddyForm()
    form.buddy.choices = [
        (p.id, p.display_name) for p in newcomers.buddy_candidates(signup.shift.workday)
    ]
    if not refused(form):
        with committed(success=_("Paired: both of them have been told.")):
            newcomers.pair(
                signup,
                db.session.get(User, form.buddy.data),
                actor=current_user,
                now=utcnow(),
            )
    return redirect(
        url_for("planning.roster", workday_id=signup.shift.workday_id)
        + f"#signup-{signup.id}"
    )


@bp.post("/projects/<slug>/archive")
@coordinator_required
def archive_project(slug: str):
    """Archiving ends a project: its upcoming workdays are cancelled (and
    their people told), so every calendar shows them as cancelled."""
    project = manageable(find_or_404(Project, slug))
    archived = request.form.get("archived", "1") == "1"
    done = (
        _("%(project)s is archived.", project=project.name)
        if archived
        else _("%(project)s is active again.", project=project.name)
    )
    with committed(success=done):
        services.set_project_archived(
            project, archived, actor=current_user, now=utcnow()
        )
    return redirect(url_for("projects.show", slug=project.slug))
