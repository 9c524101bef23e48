"""Belonging pages: joining a project (open, by request, by invitation),
stepping back (leave, pause, resume), the coordinators' member page with
requests and invitations, and pausing a whole account."""

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from gardenhub.accounts import services as accounts
from gardenhub.community import queries
from gardenhub.community.forms import AskForm, InviteForm, JoinForm, PauseForm
from gardenhub.config import absolute_url, base_url
from gardenhub.csrf import token_checked_by_form
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.i18n import _
from gardenhub.outcomes import committed, refused, status
from gardenhub.projects import membership
from gardenhub.projects.models import Invite, Membership, Project
from gardenhub.roles import coordinator_required, manageable
from gardenhub.slugs import find_or_404
from gardenhub.timezones import local_today
from gardenhub.workdays import belonging

bp = Blueprint("community", __name__)


@bp.app_template_global()
def my_membership(project: Project) -> Membership | None:
    """The viewer's own membership of `project` (for the project page)."""
    return membership.membership_of(project, current_user)


def _project_page(project: Project):
    return redirect(url_for("projects.show", slug=project.slug))


def _own_membership_or_404(membership_id: int) -> Membership:
    found = db.get_or_404(Membership, membership_id)
    if found.user_id != current_user.id:
        abort(404)
    return found


# Joining -----------------------------------------------------------------


@bp.post("/projects/<slug>/join")
@login_required
def join(slug: str):
    project = find_or_404(Project, slug)
    with committed(success=_("Welcome! You are a member now.")):
        membership.join(project, current_user, now=utcnow())
    return _project_page(project)


@bp.route("/projects/<slug>/ask", methods=["GET", "POST"])
@login_required
@token_checked_by_form
def ask(slug: str):
    project = find_or_404(Project, slug)
    form = AskForm()
    if form.validate_on_submit():
        with committed(
            form, success=_("Thank you for asking. A coordinator will answer soon.")
        ) as asked:
            membership.ask(project, current_user, note=form.note.data, now=utcnow())
        if asked:
            return _project_page(project)
    return render_template("community/ask.html", form=form, project=project), status(
        form
    )


@bp.post("/memberships/<int:membership_id>/withdraw")
@login_required
def withdraw(membership_id: int):
    found = _own_membership_or_404(membership_id)
    with committed(success=_("Your request is taken back.")):
        membership.withdraw(found, person=current_user, now=utcnow())
    return _project_page(found.project)


@bp.route("/join/<secret>", methods=["GET", "POST"])
def join_with_invite(secret: str):
    """An invitation link: the page says what the project is about; joining
    needs an account (log-in or registration brings the person back here)."""
    invite = membership.invite_for(secret) or abort(404, _("This link is not valid."))
    problem = membership.why_unusable(invite, utcnow())
    form = JoinForm()
    if current_user.is_authenticated and not problem and form.validate_on_submit():
        with committed(form, success=_("Welcome! You are a member now.")) as joined:
            membership.join_with_invite(invite, current_user, now=utcnow())
        if joined:
            return _project_page(invite.project)
        # Someone may have taken the last place a moment ago: answer as if
        # they had come first.
        problem = membership.why_unusable(invite, utcnow())
    page = render_template(
        "community/invite.html", invite=invite, problem=problem, form=form
    )
    return page, 410 if problem else status(form)


# Stepping back -----------------------------------------------------------


@bp.post("/memberships/<int:membership_id>/leave")
@login_required
def leave(membership_id: int):
    found = _own_membership_or_404(membership_id)
    with committed(success=_("You have left the project. You are welcome back.")):
        belonging.leave(found, person=current_user, now=utcnow())
    return _project_page(found.project)


@bp.post("/memberships/<int:membership_id>/pause")
@login_required
@token_checked_by_form
def pause(membership_id: int):
    found = _own_membership_or_404(membership_id)
    form = PauseForm()
    if not refused(form):
        with committed(
            success=_("Your membership is paused. Resume whenever you like.")
        ):
            belonging.pause(
                found,
                person=current_user,
                until=form.until.data,
                release_signups=form.release_signups.data,
                now=utcnow(),
            )
    return _project_page(found.project)


@bp.post("/memberships/<int:membership_id>/resume")
@login_required
def resume(membership_id: int):
    found = _own_membership_or_404(membership_id)
    with committed(success=_("Welcome back!")):
        membership.resume(found, person=current_user)
    return _project_page(found.project)


@bp.post("/memberships/<int:membership_id>/welcome/<any(on, off):choice>")
@login_required
def welcome(membership_id: int, choice: str):
    found = _own_membership_or_404(membership_id)
    with committed(
        success=_("Thank you: coordinators may pair you with a newcomer.")
        if choice == "on"
        else _("You won't be asked to welcome newcomers.")
    ):
        membership.set_welcomes_newcomers(
            found, person=current_user, welcomes=choice == "on"
        )
    return _project_page(found.project)


@bp.route("/profile/pause", methods=["GET", "POST"])
@login_required
@token_checked_by_form
def pause_account():
    form = PauseForm()
    today = local_today(_zone())
    if form.validate_on_submit():
        with committed(
            form, success=_("Your account is paused. Resume whenever you like.")
        ) as paused:
            belonging.pause_account(
                current_user,
                until=form.until.data,
                release_signups=form.release_signups.data,
                today=today,
                now=utcnow(),
            )
        if paused:
            return redirect(url_for("community.pause_account"))
    return render_template(
        "community/pause.html",
        form=form,
        paused=current_user.is_paused(today),
        memberships=queries.my_memberships(current_user),
    ), status(form)


@bp.post("/profile/resume")
@login_required
def resume_account():
    with committed(success=_("Welcome back!")):
        accounts.resume_account(current_user)
    return redirect(url_for("community.pause_account"))


def _zone() -> str:
    return current_app.config["DEFAULT_TIMEZONE"]


# The coordinators' member page -------------------------------------------


@bp.route("/projects/<slug>/members", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def members(slug: str):
    """Members, requests and invitations. A new invitation's link is shown on
    this answer only (not a redirect): only its hash is kept."""
    project = manageable(find_or_404(Project, slug))
    form = InviteForm()
    created = None
    if form.validate_on_submit():
        with committed(form, success=_("The invitation is ready.")) as made:
            invite, secret = membership.create_invite(
                project,
                label=form.label.data,
                days=form.days.data,
                max_uses=form.max_uses.data,
                actor=current_user,
                now=utcnow(),
            )
        if made:
            created = (
                invite,
                absolute_url("community.join_with_invite", secret=secret),
            )
            form = InviteForm(formdata=None)
    return render_template(
        "community/members.html",
        project=project,
        rows=queries.member_rows(project, local_today(project.timezone)),
        requests=membership.pending_requests(project),
        invites=queries.invites(project),
        form=form,
        created=created,
        now=utcnow(),
        base=base_url(),
    ), (201 if created else status(form))


@bp.post("/memberships/<int:membership_id>/<any(approve, decline):decision>")
@coordinator_required
def decide(membership_id: int, decision: str):
    found = db.get_or_404(Membership, membership_id)
    manageable(found.project)
    with committed(
        success=_("Welcomed: they are a member now.")
        if decision == "approve"
        else _("Declined. They are told, without your name.")
    ):
        membership.decide(
            found, approve=decision == "approve", actor=current_user, now=utcnow()
        )
    return redirect(url_for("community.members", slug=found.project.slug))


@bp.post("/memberships/<int:membership_id>/remove")
@coordinator_required
def remove(membership_id: int):
    found = db.get_or_404(Membership, membership_id)
    manageable(found.project)
    with committed(success=_("They are no longer a member.")):
        belonging.remove(found, actor=current_user, now=utcnow())
    return redirect(url_for("community.members", slug=found.project.slug))


@bp.post("/invites/<int:invite_id>/revoke")
@coordinator_required
def revoke_invite(invite_id: int):
    invite = db.get_or_404(Invite, invite_id)
    manageable(invite.project)
    with committed(success=_("The invitation no longer works.")):
        membership.revoke_invite(invite, actor=current_user, now=utcnow())
    return redirect(url_for("community.members", slug=invite.project.slug))
