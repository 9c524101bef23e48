"""Project pages: the public project page and the coordinator's forms."""

from flask import Blueprint, abort, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from gardenhub import audit
from gardenhub.accounts import services as accounts
from gardenhub.csrf import token_checked_by_form
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.i18n import _
from gardenhub.outcomes import committed, status
from gardenhub.projects import membership, queries, services
from gardenhub.projects.forms import CoordinatorsForm, ProjectForm
from gardenhub.projects.models import Project
from gardenhub.roles import coordinator_required, manageable
from gardenhub.slugs import find_or_404

bp = Blueprint("projects", __name__, url_prefix="/projects")


def member_project_ids() -> set[int]:
    """The projects whose member-only pages the current viewer may see, read
    once per request."""
    if "member_project_ids" not in g:
        g.member_project_ids = membership.belonging_project_ids(current_user)
    return g.member_project_ids


@bp.app_template_global()
def is_member(project) -> bool:
    """Does the viewer belong to `project` (member, coordinator, or admin)?"""
    return project.id in member_project_ids()


def _gardens() -> list[Garden]:
    return list(db.session.scalars(select(Garden).order_by(Garden.name)))


def _data(form: ProjectForm) -> services.ProjectData:
    return services.ProjectData(
        name=form.name.data,
        timezone=form.timezone.data,
        public_name=form.public_name.data,
        description=form.description.data or None,
        garden=db.session.get(Garden, form.garden_id.data)
        if form.garden_id.data
        else None,
        colour=form.colour.data,
        join_mode=form.join_mode.data,
        default_visibility=form.default_visibility.data,
        what_to_expect=form.what_to_expect.data or None,
        org_name=form.org_name.data or None,
        org_address=form.org_address.data or None,
        org_contact=form.org_contact.data or None,
        members_can_thank=form.members_can_thank.data,
    )


@bp.get("")
def index():
    projects = db.session.scalars(
        select(Project).where(Project.is_active).order_by(Project.name)
    ).all()
    managed = queries.managed_project_ids(current_user)
    return render_template("projects/index.html", projects=projects, managed=managed)


@bp.get("/<slug>")
def show(slug: str):
    # Upcoming workdays and series come from the workdays package, which sits
    # above projects: the template asks for them (workdays' template globals).
    project = find_or_404(Project, slug)
    return render_template("projects/show.html", project=project)


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def new():
    form = ProjectForm(_gardens(), timezone="Europe/Berlin")
    if form.validate_on_submit():
        with committed(
            form,
            success=_(
                "%(name)s is created. Plan its first workday.", name=form.name.data
            ),
        ) as created:
            project = services.create_project(
                _data(form), actor=current_user, vouch=form.vouch.data
            )
        if created:
            return redirect(url_for("projects.show", slug=project.slug))
    return render_template("projects/form.html", form=form, project=None), status(form)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def edit(slug: str):
    project = manageable(find_or_404(Project, slug))
    form = ProjectForm(
        _gardens(),
        obj=project,
        garden_id=project.garden_id or 0,
        vouch=project.vouched_by_id == current_user.id,
    )
    coordinators = CoordinatorsForm(
        accounts.active_coordinators(),
        formdata=None,
        coordinators=[user.id for user in project.coordinators],
    )
    if form.validate_on_submit():
        with committed(
            form, success=_("%(name)s is saved.", name=form.name.data)
        ) as saved:
            services.update_project(
                project, _data(form), actor=current_user, vouch=form.vouch.data
            )
        if saved:
            return redirect(url_for("projects.show", slug=project.slug))
    return render_template(
        "projects/form.html", form=form, project=project, coordinators_form=coordinators
    ), status(form)


@bp.post("/<slug>/coordinators")
@coordinator_required
def set_coordinators(slug: str):
    project = manageable(find_or_404(Project, slug))
    form = CoordinatorsForm(accounts.active_coordinators())
    if not form.validate():  # the page only offers people who may coordinate
        abort(400, _("Choose coordinators from the list."))
    with committed(success=_("Coordinators are saved.")):
        services.set_coordinators(project, form.coordinators.data, actor=current_user)
    return redirect(url_for("projects.edit", slug=project.slug))


@audit.describes("project")
def _describe_projects(viewer, ids: list[int]) -> dict:
    return {
        p.id: (p.name, url_for("projects.show", slug=p.slug))
        for p in db.session.scalars(select(Project).where(Project.id.in_(ids)))
    }
