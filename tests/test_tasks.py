"""Tasks through HTTP: plan, assign, claim, give back, done, attention, privacy."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from gardenhub.accounts.models import Role, User
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.tasks import services
from gardenhub.tasks.models import Task, TaskAssignment


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.coordinator, name="Cora Coordinator")


@pytest.fixture
def project(make_project, coordinator):
    return make_project(coordinators=[coordinator])


def on_task(task) -> list[int]:
    db.session.expire_all()
    return sorted(
        db.session.scalars(
            select(TaskAssignment.volunteer_id).where(
                TaskAssignment.task_id == task.id, TaskAssignment.released_at.is_(None)
            )
        )
    )


def task_form(**overrides):
    form = {
        "title": "Bring 20 seedlings",
        "description": "Tomatoes",
        "due_on": (utcnow().date() + timedelta(days=4)).isoformat(),
        "people_needed": "2",
        "priority": "high",
        "workday_id": "0",
        "is_public": "y",
    }
    form.update(overrides)
    return form


def test_coordinator_creates_a_task(client, auth, coordinator, project):
    auth.login(coordinator)
    response = client.post(f"/projects/{project.slug}/tasks/new", data=task_form())
    task = db.session.scalars(select(Task)).one()
    assert response.headers["Location"] == f"/tasks/{task.id}"
    assert (task.people_needed, task.priority, task.is_public) == (2, "high", True)
    board = client.get(f"/projects/{project.slug}/tasks").get_data(as_text=True)
    assert "Bring 20 seedlings" in board and "Needs 2 more" in board


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"due_on": (utcnow().date() - timedelta(days=400)).isoformat()},
            "The due date is in the past.",
        ),
        ({"people_needed": "0"}, "Use 1 to 100 people."),
        ({"people_needed": "101"}, "Use 1 to 100 people."),
        ({"title": ""}, "This field is required."),
        ({"priority": "urgent"}, "Not a valid choice."),
    ],
)
def test_bad_task_input_is_explained(
    client, auth, coordinator, project, overrides, message
):
    auth.login(coordinator)
    response = client.post(
        f"/projects/{project.slug}/tasks/new", data=task_form(**overrides)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Task.id))) == 0


def test_task_for_another_projects_workday_is_refused(
    client, auth, coordinator, project, make_workday
):
    other = make_workday()
    auth.login(coordinator)
    response = client.post(
        f"/projects/{project.slug}/tasks/new", data=task_form(workday_id=str(other.id))
    )
    assert response.status_code == 422


def test_volunteer_claims_until_full_and_gives_back(
    client, auth, make_user, make_task, project, make_member
):
    task = make_task(project=project, people_needed=2)
    first, second, third = make_user(), make_user(), make_user()
    for person in (first, second, third):
        make_member(project, person)
    for person in (first, second):
        auth.login(person)
        client.post(f"/tasks/{task.id}/claim")
        auth.logout()
    assert on_task(task) == sorted([first.id, second.id])
    db.session.expire_all()
    assert task.status == "in_progress"
    auth.login(third)
    page = client.post(f"/tasks/{task.id}/claim", follow_redirects=True)
    assert "already has everyone it needs" in page.get_data(as_text=True)
    auth.logout()
    auth.login(first)
    again = client.post(f"/tasks/{task.id}/claim", follow_redirects=True)
    assert "already on this task" in again.get_data(as_text=True)
    mine = db.session.scalars(
        select(TaskAssignment).where(TaskAssignment.volunteer_id == first.id)
    ).one()
    client.post(f"/task-assignments/{mine.id}/release")
    assert on_task(task) == [second.id]


def test_done_and_cancelled_tasks_cannot_be_claimed(
    client, auth, make_user, make_task, make_member
):
    done = make_task(status="done")
    cancelled = make_task(status="cancelled", project=done.project)
    member = make_user()
    make_member(done.project, member)
    auth.login(member)
    for task in (done, cancelled):
        page = client.post(f"/tasks/{task.id}/claim", follow_redirects=True)
        assert "cannot take more people" in page.get_data(as_text=True)
        assert on_task(task) == []


def test_coordinator_assigns_and_it_shows_in_my_tasks(
    client, auth, coordinator, make_user, make_task, project
):
    task = make_task(project=project, title="Water bed C")
    person = make_user(email="robin@example.org", name="Robin")
    auth.login(coordinator)
    client.post(f"/tasks/{task.id}/assign", data={"email": "ROBIN@example.org"})
    assignment = db.session.scalars(select(TaskAssignment)).one()
    assert (assignment.volunteer_id, assignment.assigned_by_id) == (
        person.id,
        coordinator.id,
    )
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "assigned by Cora Coordinator" in page
    unknown = client.post(
        f"/tasks/{task.id}/assign",
        data={"email": "x@example.org"},
        follow_redirects=True,
    )
    assert "Nobody with an active account" in unknown.get_data(as_text=True)
    auth.logout()
    auth.login(person)
    assert "Water bed C" in client.get("/my/tasks").get_data(as_text=True)


def test_volunteer_cannot_assign_or_release_someone_else(
    client, auth, make_user, make_task
):
    task = make_task()
    holder = make_user()
    assignment = services.claim(task, holder, now=utcnow())
    db.session.commit()
    auth.login(make_user())
    assert (
        client.post(
            f"/tasks/{task.id}/assign", data={"email": holder.email}
        ).status_code
        == 403
    )
    assert client.post(f"/task-assignments/{assignment.id}/release").status_code == 403
    assert client.post(f"/tasks/{task.id}/done").status_code == 403
    assert on_task(task) == [holder.id]


def test_coordinator_unassigns_and_history_is_kept(
    client, auth, coordinator, make_user, make_task, project
):
    task = make_task(project=project)
    holder = make_user()
    assignment = services.claim(task, holder, now=utcnow())
    db.session.commit()
    auth.login(coordinator)
    client.post(f"/task-assignments/{assignment.id}/release")
    db.session.expire_all()
    assert assignment.released_at is not None
    assert assignment.released_by_id == coordinator.id
    assert task.status == "open"


def test_assignee_marks_done_with_a_note_and_it_stays_visible(
    client, auth, make_user, make_task, make_member
):
    task = make_task(title="Fix the shed door")
    holder = make_user()
    make_member(task.project, holder)
    services.claim(task, holder, now=utcnow())
    db.session.commit()
    auth.login(holder)
    client.post(f"/tasks/{task.id}/done", data={"note": "New hinge"})
    db.session.expire_all()
    assert (task.status, task.done_note) == ("done", "New hinge")
    assert "Fix the shed door" in client.get("/my/tasks").get_data(as_text=True)
    board = client.get(f"/projects/{task.project.slug}/tasks?status=done")
    assert "Fix the shed door" in board.get_data(as_text=True)


def test_coordinator_of_another_project_cannot_edit(
    client, auth, make_user, make_project, make_task
):
    outsider = make_user(Role.coordinator)
    make_project(coordinators=[outsider])
    task = make_task()
    auth.login(outsider)
    assert client.get(f"/tasks/{task.id}/edit").status_code == 403
    assert client.post(f"/tasks/{task.id}/cancel").status_code == 403
    db.session.expire_all()
    assert task.status == "open"


def test_people_needed_cannot_drop_below_people_on_it(
    client, auth, coordinator, make_user, make_task, project
):
    task = make_task(project=project, people_needed=3)
    for _ in range(2):
        services.claim(task, make_user(), now=utcnow())
    db.session.commit()
    auth.login(coordinator)
    response = client.post(f"/tasks/{task.id}/edit", data=task_form(people_needed="1"))
    assert response.status_code == 422
    assert "needs at least 2" in response.get_data(as_text=True)


def test_attention_list_flags_unclaimed_tasks_near_or_past_due(
    client, auth, coordinator, make_user, make_task, make_project, project
):
    soon = make_task(project=project, title="Due tomorrow", due_in_days=1)
    overdue = make_task(project=project, title="Was due", due_in_days=-2)
    make_task(project=project, title="Far away", due_in_days=10)
    taken = make_task(project=project, title="Already taken", due_in_days=1)
    make_task(title="Someone else's project", due_in_days=1)
    services.claim(taken, make_user(), now=utcnow())
    db.session.commit()
    auth.login(coordinator)
    page = client.get("/coordinate").get_data(as_text=True)
    assert soon.title in page and overdue.title in page
    assert "Overdue" in page
    for hidden in ("Far away", "Already taken", "Someone else's project"):
        assert hidden not in page


def test_attention_list_is_for_coordinators(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/coordinate").status_code == 403


def test_public_sees_only_public_tasks_and_never_names(
    client, auth, make_user, make_task, make_workday, project
):
    workday = make_workday(project=project)
    public = make_task(
        project=project, workday=workday, is_public=True, title="Bring a wheelbarrow"
    )
    make_task(project=project, workday=workday, title="Members only job")
    services.claim(public, make_user(name="Quiet Quinn"), now=utcnow())
    db.session.commit()
    for url in (
        f"/projects/{project.slug}/tasks",
        f"/workdays/{workday.id}",
        f"/tasks/{public.id}",
    ):
        page = client.get(url).get_data(as_text=True)
        assert "Members only job" not in page
        assert "Quiet Quinn" not in page
    assert "Bring a wheelbarrow" in client.get(f"/workdays/{workday.id}").get_data(True)
    hidden = db.session.scalars(
        select(Task).where(Task.title == "Members only job")
    ).one()
    assert client.get(f"/tasks/{hidden.id}").status_code == 404


def test_fellow_volunteers_see_assignee_names_only_when_chosen(
    client, auth, make_user, make_task, make_member
):
    task = make_task(people_needed=2)
    oli, sid, fellow = (
        make_user(name="Open Oli", shows_name=True),
        make_user(name="Shy Sid"),
        make_user(),
    )
    for person in (oli, sid, fellow):
        make_member(task.project, person)
    services.claim(task, oli, now=utcnow())
    services.claim(task, sid, now=utcnow())
    db.session.commit()
    auth.login(fellow)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Open Oli" in page and "Shy Sid" not in page
    assert "A volunteer" in page


def test_tasks_with_due_dates_appear_in_the_private_feed(
    client, auth, make_user, make_task
):
    person = make_user()
    task = make_task(title="Bring seedlings", due_in_days=3)
    services.claim(task, person, now=utcnow())
    db.session.commit()
    auth.login(person)
    page = client.post("/my/calendar", data={"name": "phone"}).get_data(as_text=True)
    token = page.split("/feeds/")[1].split(".ics")[0]
    calendar = Calendar.from_ical(client.get(f"/feeds/{token}.ics").get_data())
    event = calendar.walk("VEVENT")[0]
    assert str(event["summary"]) == "Task due: Bring seedlings"
    assert event.decoded("dtstart") == task.due_on
    assert str(event["uid"]) == f"task-{task.id}@gardenhub.test"


def test_claims_are_capacity_safe_under_concurrency(app, make_user, make_task):
    task = make_task(people_needed=3)
    racer_ids = [make_user().id for _ in range(20)]
    task_id = task.id
    db.session.commit()
    start = threading.Barrier(len(racer_ids))

    def race(user_id: int) -> bool:
        start.wait(timeout=60)
        with app.app_context():
            try:
                services.claim(
                    db.session.get(Task, task_id),
                    db.session.get(User, user_id),
                    now=utcnow(),
                )
            except services.TaskError:
                db.session.rollback()
                return False
            db.session.commit()
            return True

    with ThreadPoolExecutor(max_workers=len(racer_ids)) as pool:
        results = list(pool.map(race, racer_ids))
    assert results.count(True) == 3
    assert len(on_task(task)) == 3


def test_task_board_query_count_is_constant(
    client, auth, make_user, make_task, project, count_queries
):
    person = make_user()
    auth.login(person)
    make_task(project=project)

    def queries_for_board():
        with count_queries() as queries:
            client.get(f"/projects/{project.slug}/tasks")
        return len(queries)

    few = queries_for_board()
    for _ in range(8):
        services.claim(make_task(project=project), make_user(), now=utcnow())
    db.session.commit()
    assert queries_for_board() == few


def test_a_members_task_is_not_there_for_others(client, auth, make_user, make_task):
    task = make_task(title="Members' compost bin", is_public=False)
    auth.login(make_user())
    assert client.get(f"/tasks/{task.id}").status_code == 404
    assert client.post(f"/tasks/{task.id}/claim").status_code == 404
    board = client.get(f"/projects/{task.project.slug}/tasks").get_data(True)
    assert "Members' compost bin" not in board
    assert on_task(task) == []
