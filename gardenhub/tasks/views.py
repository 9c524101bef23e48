"""Task pages: the project's board, a task, My tasks and the attention list."""

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

from gardenhub import audit
from gardenhub.csrf import token_checked_by_form
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.i18n import _, format_datetime
from gardenhub.outcomes import committed, refused, status
from gardenhub.projects import queries as project_queries
from gardenhub.projects.models import Project
from gardenhub.projects.views import is_member
from gardenhub.roles import coordinator_required, manageable
from gardenhub.slugs import find_or_404
from gardenhub.tasks import queries, services
from gardenhub.tasks.forms import AssignForm, DoneForm, TaskForm
from gardenhub.tasks.models import Task, TaskAssignment, TaskStatus
from gardenhub.timezones import local_today
from gardenhub.workdays import queries as workday_queries
from gardenhub.workdays.models import Workday

bp = Blueprint("tasks", __name__)


@bp.app_template_global()
def attention_tasks() -> list[Task]:
    """The coordinator dashboard (hours package, same layer) shows these."""
    return queries.needs_attention(
        project_queries.managed_project_ids(current_user),
        now=utcnow(),
        soon_days=current_app.config["TASK_DUE_SOON_DAYS"],
    )


@bp.app_template_global()
def workday_tasks(workday) -> list[Task]:
    """Tasks shown on a workday's page. The workdays package sits below tasks and
    never imports it, so tasks hands its list to that page this way (one query)."""
    return queries.for_workday(workday.id, public_only=not is_member(workday.project))


def _task_or_404(task_id: int) -> Task:
    task = db.get_or_404(Task, task_id)
    if not is_member(task.project) and not (task.is_public and task.is_open):
        abort(404)
    return task


def _data(form: TaskForm) -> services.TaskData:
    return services.TaskData(
        title=form.title.data,
        description=form.description.data or None,
        due_on=form.due_on.data,
        people_needed=form.people_needed.data,
        priority=form.priority.data,
        is_public=form.is_public.data,
        workday=db.session.get(Workday, form.workday_id.data)
        if form.workday_id.data
        else None,
    )


def _form_with_workdays(project, **kwargs) -> TaskForm:
    form = TaskForm(**kwargs)
    upcoming = [
        s.workday
        for s in workday_queries.upcoming_workdays(
            project_id=project.id,
            limit=60,
            include_cancelled=False,
            member_of={project.id},
        )
    ]
    form.set_workdays(upcoming, lambda w: format_datetime(w.starts_at, w.timezone))
    return form


@bp.get("/projects/<slug>/tasks")
def board(slug: str):
    project = find_or_404(Project, slug)
    status = request.args.get("status") or None
    if status not in (None, *TaskStatus):
        status = None
    tasks = queries.board(project, status=status, public_only=not is_member(project))
    return render_template(
        "tasks/board.html",
        project=project,
        tasks=tasks,
        status=status,
        can_manage=project.can_manage(current_user),
    )


@bp.route("/projects/<slug>/tasks/new", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def new(slug: str):
    project = manageable(find_or_404(Project, slug))
    form = _form_with_workdays(
        project, workday_id=request.args.get("workday", 0, type=int)
    )
    if form.validate_on_submit():
        with committed(form, success=_("The task is on the board.")) as planned:
            task = services.create_task(
                project, _data(form), actor=current_user, now=utcnow()
            )
        if planned:
            return redirect(url_for("tasks.show", task_id=task.id))
    return render_template(
        "tasks/form.html", form=form, project=project, task=None
    ), status(form)


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@coordinator_required
@token_checked_by_form
def edit(task_id: int):
    task = manageable(db.get_or_404(Task, task_id))
    form = _form_with_workdays(task.project, obj=task, workday_id=task.workday_id or 0)
    if form.validate_on_submit():
        with committed(form, success=_("The task is saved.")) as saved:
            services.update_task(task, _data(form), actor=current_user, now=utcnow())
        if saved:
            return redirect(url_for("tasks.show", task_id=task.id))
    return render_template(
        "tasks/form.html", form=form, project=task.project, task=task
    ), status(form)


@bp.get("/tasks/<int:task_id>")
def show(task_id: int):
    task = _task_or_404(task_id)
    can_manage = task.can_manage(current_user)
    return render_template(
        "tasks/show.html",
        task=task,
        can_manage=can_manage,
        assign_form=AssignForm(formdata=None) if can_manage else None,
        suggestions=(
            queries.roster_people(task.project, local_today(task.project.timezone))
            if can_manage
            else []
        ),
        done_form=DoneForm(formdata=None),
    )


def _back(task_id: int):
    if request.form.get("next") == "my_tasks":
        return redirect(url_for("tasks.my_tasks"))
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int):
    task = _task_or_404(task_id)  # a members' task is not there for others
    with committed(success=_("“%(task)s” is yours. Thank you!", task=task.title)):
        services.claim(task, current_user, now=utcnow())
    return _back(task.id)


@bp.post("/tasks/<int:task_id>/assign")
@coordinator_required
@token_checked_by_form
def assign(task_id: int):
    task = manageable(db.get_or_404(Task, task_id))
    form = AssignForm()
    if not refused(form):
        with committed() as done:
            made = services.assign_by_email(
                task, form.email.data, actor=current_user, now=utcnow()
            )
        if done:
            flash(
                _(
                    "%(name)s is on “%(task)s”.",
                    name=made.volunteer.display_name,
                    task=task.title,
                ),
                "success",
            )
    return redirect(url_for("tasks.show", task_id=task.id))


@bp.post("/task-assignments/<int:assignment_id>/release")
@login_required
def release(assignment_id: int):
    assignment = db.get_or_404(TaskAssignment, assignment_id)
    task = assignment.task
    if assignment.volunteer_id != current_user.id and not task.can_manage(current_user):
        abort(403)
    mine = assignment.volunteer_id == current_user.id
    with committed(
        success=_("Given back. Thanks for letting us know.")
        if mine
        else _("Unassigned.")
    ):
        services.release(assignment, actor=current_user, now=utcnow())
    return _back(task.id)


@bp.post("/tasks/<int:task_id>/done")
@login_required
@token_checked_by_form
def done(task_id: int):
    task = db.get_or_404(Task, task_id)
    if not task.has_person(current_user) and not task.can_manage(current_user):
        abort(403)
    form = DoneForm()
    if not refused(form):
        with committed(success=_("“%(task)s” is done. Well done!", task=task.title)):
            services.mark_done(
                task, actor=current_user, note=form.note.data, now=utcnow()
            )
    return _back(task.id)


@bp.post("/tasks/<int:task_id>/cancel")
@coordinator_required
def cancel(task_id: int):
    task = manageable(db.get_or_404(Task, task_id))
    with committed(success=_("The task is cancelled; it stays in the history.")):
        services.cancel(task, actor=current_user, now=utcnow())
    return redirect(url_for("tasks.show", task_id=task.id))


@bp.post("/tasks/<int:task_id>/reopen")
@coordinator_required
def reopen(task_id: int):
    task = manageable(db.get_or_404(Task, task_id))
    with committed(success=_("The task is open again.")):
        services.reopen(task, actor=current_user, now=utcnow())
    return redirect(url_for("tasks.show", task_id=task.id))


@bp.get("/my/tasks")
@login_required
def my_tasks():
    return render_template(
        "tasks/my_tasks.html",
        current=queries.my_assignments(current_user, done=False),
        finished=queries.my_assignments(current_user, done=True),
        done_form=DoneForm(formdata=None),
    )


@bp.get("/coordinate")
@coordinator_required
def attention():
    now = utcnow()
    days = current_app.config["TASK_DUE_SOON_DAYS"]
    project_ids = project_queries.managed_project_ids(current_user)
    tasks = queries.needs_attention(project_ids, now=now, soon_days=days)
    return render_template("tasks/attention.html", tasks=tasks, days=days)


@audit.describes("task")
def _describe_tasks(viewer, ids: list[int]) -> dict:
    return {
        t.id: (t.title, url_for("tasks.show", task_id=t.id))
        for t in db.session.scalars(select(Task).where(Task.id.in_(ids)))
    }
