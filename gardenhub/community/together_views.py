"""Accountability and celebrating: goals and partners, thanks after a workday,
shared milestones and the project's members-only celebrations page."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from gardenhub.accounts.models import User
from gardenhub.accounts.privacy import can_see_identity
from gardenhub.community import celebrations, goals, queries
from gardenhub.community.forms import GoalForm, PartnerForm, ThanksForm
from gardenhub.community.models import Goal, Partnership
from gardenhub.csrf import token_checked_by_form
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.i18n import _
from gardenhub.outcomes import committed, refused, status
from gardenhub.projects.models import Project
from gardenhub.projects.views import is_member
from gardenhub.slugs import find_or_404
from gardenhub.timezones import local_today
from gardenhub.workdays.models import Workday

bp = Blueprint("together", __name__)


@bp.app_template_global()
def thanks_from(thanks) -> str:
    """Who thanked: their name where the privacy helper allows it."""
    project = thanks.workday.project
    if can_see_identity(current_user, thanks.author, project):
        return thanks.author.display_name
    if project.is_coordinated_by(thanks.author):
        return _("A coordinator")
    return _("A fellow member")


@bp.app_template_global()
def may_thank(workday) -> bool:
    return (
        current_user.is_authenticated
        and not workday.is_cancelled
        and workday.starts_at <= utcnow()
        and celebrations.may_thank(workday, current_user)
    )


@bp.app_template_global()
def thanks_on(workday) -> list:
    return celebrations.thanks_on(workday)


@bp.app_template_global()
def season_totals(project):
    return celebrations.season_totals(project, utcnow())


def _my_page(anchor: str):
    return redirect(url_for("me.page") + f"#{anchor}")


def _own_goal_or_404(goal_id: int) -> Goal:
    goal = db.get_or_404(Goal, goal_id)
    if goal.user_id != current_user.id:
        abort(404)
    return goal


def _partnership_or_404(partnership_id: int) -> Partnership:
    found = db.get_or_404(Partnership, partnership_id)
    if current_user.id not in (found.partner_id, found.goal.user_id):
        abort(404)
    return found


# Goals and partners ------------------------------------------------------


@bp.route("/me/goals/new", methods=["GET", "POST"])
@login_required
@token_checked_by_form
def new_goal():
    projects = [
        m.project
        for m in queries.my_memberships(current_user)
        if m.status in ("member", "paused")
    ]
    form = GoalForm()
    form.project_id.choices = [(p.id, p.name) for p in projects]
    if not form.is_submitted():
        today = local_today(projects[0].timezone) if projects else None
        form.starts_on.data = today
    if form.validate_on_submit():
        project = db.session.get(Project, form.project_id.data)
        with committed(form, success=_("Your goal is set. Good luck!")) as done:
            goals.set_goal(
                current_user,
                project,
                kind=form.kind.data,
                target=form.target.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                now=utcnow(),
            )
        if done:
            return _my_page("goals")
    return render_template(
        "community/goal_form.html", form=form, projects=projects
    ), status(form)


@bp.post("/goals/<int:goal_id>/end")
@login_required
def end_goal(goal_id: int):
    goal = _own_goal_or_404(goal_id)
    with committed(success=_("The goal is put away.")):
        goals.end_goal(goal, person=current_user, now=utcnow())
    return _my_page("goals")


@bp.post("/goals/<int:goal_id>/partner")
@login_required
@token_checked_by_form
def ask_partner(goal_id: int):
    goal = _own_goal_or_404(goal_id)
    form = PartnerForm()
    form.partner.choices = [(p.id, p.display_name) for p in goals.partner_choices(goal)]
    if not refused(form):
        with committed(success=_("Asked. You'll see here when they answer.")):
            goals.ask_partner(
                goal,
                db.session.get(User, form.partner.data),
                person=current_user,
                now=utcnow(),
            )
    return _my_page("goals")


@bp.post("/partnerships/<int:partnership_id>/<any(accept, decline):answer>")
@login_required
def answer_partner(partnership_id: int, answer: str):
    found = _partnership_or_404(partnership_id)
    with committed(
        success=_("Thank you for being their partner.")
        if answer == "accept"
        else _("Declined. Nobody is told why.")
    ):
        goals.answer(
            found, person=current_user, accept=answer == "accept", now=utcnow()
        )
    return _my_page("partnering")


@bp.post("/partnerships/<int:partnership_id>/end")
@login_required
def end_partnership(partnership_id: int):
    found = _partnership_or_404(partnership_id)
    with committed(success=_("Ended. Nobody is told why.")):
        goals.end_partnership(found, person=current_user, now=utcnow())
    return _my_page("goals" if found.goal.user_id == current_user.id else "partnering")


# Thanks and milestones ---------------------------------------------------


@bp.post("/workdays/<int:workday_id>/thanks")
@login_required
@token_checked_by_form
def thank(workday_id: int):
    workday = db.get_or_404(Workday, workday_id)
    if not (is_member(workday.project) or workday.project.can_manage(current_user)):
        abort(404)
    form = ThanksForm()
    if not refused(form):
        with committed(success=_("Thank you for thanking them.")):
            celebrations.thank(
                workday, author=current_user, text=form.text.data, now=utcnow()
            )
    return redirect(url_for("workdays.show", workday_id=workday.id) + "#thanks")


@bp.post("/projects/<slug>/milestones/<key>/<any(share, unshare):choice>")
@login_required
def share_milestone(slug: str, key: str, choice: str):
    project = find_or_404(Project, slug)
    if not is_member(project):
        abort(404)
    with committed(
        success=_("Shared with the group.")
        if choice == "share"
        else _("No longer shared.")
    ):
        celebrations.share(
            project, current_user, key, share=choice == "share", now=utcnow()
        )
    return _my_page("milestones")


@bp.get("/projects/<slug>/celebrations")
def celebrations_page(slug: str):
    """Members only: milestones people chose to share, and the season."""
    project = find_or_404(Project, slug)
    if not current_user.is_authenticated or not is_member(project):
        abort(404)
    return render_template(
        "community/celebrations.html",
        project=project,
        shared=celebrations.shared_in(project),
        totals=celebrations.season_totals(project, utcnow()),
    )
