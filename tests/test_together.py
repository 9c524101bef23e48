"""Accountability and celebrating: goals, partners, thanks, milestones and
season totals, each private to the people it is for."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from gardenhub.accounts.models import Role
from gardenhub.community.models import Goal, Partnership, SharedMilestone, Thanks
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.notifications.models import Notification
from gardenhub.workdays.models import Signup


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.coordinator, name="Cora Coord")


@pytest.fixture
def circle(make_project, coordinator):
    return make_project(coordinators=[coordinator], name="Thursday Circle")


def messages(kind: str) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Notification).where(Notification.kind == kind))
    )


def came(workday, person, hours="3") -> Signup:
    """A checked-in seat on a past workday, as check-in leaves it."""
    signup = Signup(
        shift=workday.shifts[0],
        volunteer=person,
        status="confirmed",
        created_at=workday.starts_at - timedelta(days=2),
        confirmed_at=workday.starts_at - timedelta(days=2),
        checked_in_at=workday.starts_at,
        hours=Decimal(hours),
    )
    db.session.add(signup)
    db.session.commit()
    return signup


def goal_data(circle, **changes) -> dict:
    today = utcnow().date()
    data = {
        "project_id": circle.id,
        "kind": "hours",
        "target": "20",
        "starts_on": (today - timedelta(days=30)).isoformat(),
        "ends_on": (today + timedelta(days=60)).isoformat(),
    }
    return data | changes


def test_a_goal_shows_progress_from_real_check_ins_to_its_owner_only(
    client, auth, make_user, circle, make_workday, make_member
):
    person = make_user(name="Gia Goal")
    make_member(circle, person)
    came(make_workday(project=circle, days=-3), person, hours="5")
    came(make_workday(project=circle, days=-50), person, hours="7")  # before it
    auth.login(person)
    response = client.post("/me/goals/new", data=goal_data(circle))
    assert response.status_code == 302
    page = client.get("/me").get_data(as_text=True)
    assert "20 hours by" in page and "5 of 20" in page
    auth.logout()
    auth.login(make_user())
    assert "20 hours by" not in client.get("/me").get_data(True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": ""}, "A goal needs an end date."),
        ({"target": "0"}, "Pick a number"),
        ({"ends_on": (utcnow().date() - timedelta(days=40)).isoformat()}, "after"),
        ({"ends_on": (utcnow().date() + timedelta(days=500)).isoformat()}, "year"),
    ],
)
def test_a_goal_without_a_sound_end_or_target_is_refused(
    client, auth, make_user, circle, make_member, changes, message
):
    person = make_user()
    make_member(circle, person)
    auth.login(person)
    response = client.post("/me/goals/new", data=goal_data(circle, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(Goal)).all() == []


def test_goals_are_for_members(client, auth, make_user, circle):
    auth.login(make_user())
    response = client.post("/me/goals/new", data=goal_data(circle))
    assert response.status_code == 422
    assert db.session.scalars(select(Goal)).all() == []


def test_a_partner_accepts_sees_only_progress_hears_of_steps_and_either_ends_it(
    client, auth, runner, make_user, circle, make_workday, make_member
):
    person = make_user(name="Gia Goal")
    partner = make_user(name="Pat Partner")
    for someone in (person, partner):
        make_member(circle, someone)
    auth.login(person)
    client.post("/me/goals/new", data=goal_data(circle, target="8"))
    goal = db.session.scalars(select(Goal)).one()
    client.post(f"/goals/{goal.id}/partner", data={"partner": partner.id})
    (asked,) = messages("partner_asked")
    assert asked.user_id == partner.id and "Thursday Circle" not in asked.subject
    auth.logout()
    auth.login(partner)
    found = db.session.scalars(select(Partnership)).one()
    client.post(f"/partnerships/{found.id}/accept")
    workday = make_workday(
        project=circle, days=-2, title="Secret circle title", location="Back gate"
    )
    came(workday, person, hours="4")
    result = runner.invoke(args=["community", "goal-steps"])
    assert "1 partner told." in result.output
    (step,) = messages("partner_step")
    assert step.user_id == partner.id and "50%" in step.body_text
    assert "Secret circle title" not in step.body_text
    assert "Back gate" not in step.body_text
    page = client.get("/me").get_data(as_text=True)
    section = page[page.index('id="partnering"') :]
    assert "Gia Goal" in section and "50%" in section
    assert "Secret circle title" not in page and "Back gate" not in page
    # Running again tells nobody twice.
    assert "0 partners told." in runner.invoke(args=["community", "goal-steps"]).output
    client.post(f"/partnerships/{found.id}/end")
    db.session.expire_all()
    assert db.session.get(Partnership, found.id).status == "ended"
    assert messages("partner_ended") == []
    assert "Gia Goal" not in client.get("/me").get_data(True)


def test_partner_requests_to_yourself_or_a_non_member_are_refused(
    client, auth, make_user, circle, make_member
):
    person = make_user()
    make_member(circle, person)
    stranger = make_user()
    auth.login(person)
    client.post("/me/goals/new", data=goal_data(circle))
    goal = db.session.scalars(select(Goal)).one()
    for who in (person, stranger):
        client.post(f"/goals/{goal.id}/partner", data={"partner": who.id})
    assert db.session.scalars(select(Partnership)).all() == []
    assert messages("partner_asked") == []


def test_someone_elses_goal_and_partnership_are_not_found(
    client, auth, make_user, circle, make_member
):
    person = make_user()
    make_member(circle, person)
    auth.login(person)
    client.post("/me/goals/new", data=goal_data(circle))
    goal = db.session.scalars(select(Goal)).one()
    auth.logout()
    auth.login(make_user())
    assert client.post(f"/goals/{goal.id}/end").status_code == 404
    assert client.post(f"/goals/{goal.id}/partner", data={}).status_code == 404


def test_thanks_after_a_workday_reach_attendees_on_their_page_and_by_choice(
    client, auth, make_user, circle, coordinator, make_workday, make_member
):
    wants_email = make_user(name="Eli Email")
    page_only = make_user(name="Pam Page")
    absent = make_user(name="Abe Absent")
    for someone in (wants_email, page_only, absent):
        make_member(circle, someone)
    wants_email.muted_notifications = "+thanks_received"
    db.session.commit()
    workday = make_workday(project=circle, days=-1)
    came(workday, wants_email)
    came(workday, page_only)
    upcoming = make_workday(project=circle, days=5)
    auth.login(coordinator)
    response = client.post(
        f"/workdays/{upcoming.id}/thanks", data={"text": "Too early"}
    )
    assert db.session.scalars(select(Thanks)).all() == []
    client.post(
        f"/workdays/{workday.id}/thanks",
        data={"text": "You moved a mountain of mulch!"},
    )
    assert [m.user_id for m in messages("thanks_received")] == [wants_email.id]
    auth.logout()
    for someone, sees in ((page_only, True), (absent, False)):
        auth.login(someone)
        assert ("mountain of mulch" in client.get("/me").get_data(True)) is sees
        auth.logout()
    assert response.status_code == 302
    # No public trace.
    for url in (f"/workdays/{workday.id}", f"/projects/{circle.slug}", "/"):
        assert "mountain of mulch" not in client.get(url).get_data(True)


def test_members_may_thank_only_where_the_project_allows(
    client, auth, make_user, circle, make_workday, make_member
):
    member = make_user()
    make_member(circle, member)
    workday = make_workday(project=circle, days=-1)
    came(workday, member)
    auth.login(member)
    client.post(f"/workdays/{workday.id}/thanks", data={"text": "Thanks all"})
    assert db.session.scalars(select(Thanks)).all() == []
    circle.members_can_thank = True
    db.session.commit()
    client.post(f"/workdays/{workday.id}/thanks", data={"text": "Thanks all"})
    assert len(db.session.scalars(select(Thanks)).all()) == 1


def test_a_milestone_is_shared_one_by_one_with_members_only(
    client, auth, make_user, circle, make_workday, make_member
):
    person = make_user(name="Mo Milestone")
    fellow = make_user()
    for someone in (person, fellow):
        make_member(circle, someone)
    for days in range(-40, -10, 5):  # six workdays, 18 hours
        came(make_workday(project=circle, days=days), person)
    auth.login(person)
    page = client.get("/me").get_data(as_text=True)
    assert "5 workdays" in page and "10 hours" in page
    client.post(f"/projects/{circle.slug}/milestones/workdays-5/share")
    client.post(f"/projects/{circle.slug}/milestones/hours-100/share")  # not reached
    assert [m.milestone for m in db.session.scalars(select(SharedMilestone))] == [
        "workdays-5"
    ]
    auth.logout()
    auth.login(fellow)
    page = client.get(f"/projects/{circle.slug}/celebrations").get_data(True)
    assert "Mo Milestone" in page and "5 workdays" in page and "10 hours" not in page
    auth.logout()
    auth.login(make_user())
    assert client.get(f"/projects/{circle.slug}/celebrations").status_code == 404
    auth.logout()
    assert client.get(f"/projects/{circle.slug}/celebrations").status_code == 404


def test_season_totals_show_small_counts_as_fewer_than_five(
    client, make_user, circle, make_workday, make_member
):
    workday = make_workday(project=circle, days=-2)
    for n in range(3):
        came(workday, make_user(name=f"Person {n}"))
    page = client.get(f"/projects/{circle.slug}").get_data(as_text=True)
    assert "fewer than 5" in page and "Person 0" not in page
    for n in range(3, 6):
        came(workday, make_user(name=f"Person {n}"))
    page = client.get(f"/projects/{circle.slug}").get_data(as_text=True)
    totals = page[page.index("season-totals") :]
    assert "<dd>6</dd>" in totals and "<dd>18</dd>" in totals


def test_my_page_and_celebrations_take_the_same_queries_for_any_amount(
    client,
    auth,
    make_user,
    make_project,
    make_workday,
    make_member,
    coordinator,
    count_queries,
):
    """More projects, goals, partners, thanks and shared milestones: the same
    number of queries."""
    from gardenhub.community import celebrations, goals

    person = make_user(name="Quinn Query")
    fellows = [make_user() for _ in range(2)]
    projects: list = []
    today = utcnow().date()

    def hours_goal(owner, project) -> Goal:
        goal = goals.set_goal(
            owner,
            project,
            kind="hours",
            target=Decimal(10),
            starts_on=today - timedelta(days=5),
            ends_on=today + timedelta(days=30),
            now=utcnow(),
        )
        db.session.flush()
        return goal

    def grow(n: int) -> None:
        for _ in range(n):
            project = make_project(coordinators=[coordinator])
            projects.append(project)
            for someone in (person, *fellows):
                make_member(project, someone)
            workday = make_workday(project=project, days=-2)
            for someone in (person, *fellows):
                came(workday, someone)
            celebrations.thank(
                workday, author=coordinator, text="Thanks!", now=utcnow()
            )
            mine = hours_goal(person, project)
            theirs = hours_goal(fellows[0], project)
            goals.ask_partner(theirs, person, person=fellows[0], now=utcnow())
            if len(projects) % 2:
                goals.ask_partner(mine, fellows[1], person=person, now=utcnow())
            proud = make_user()
            make_member(projects[0], proud)
            db.session.add(
                SharedMilestone(
                    project_id=projects[0].id,
                    user_id=proud.id,
                    milestone="hours-10",
                    shared_at=utcnow(),
                )
            )
        db.session.commit()

    seen: dict[str, list] = {}

    def queries(url: str) -> int:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        seen[url] = statements
        return len(statements)

    auth.login(person)
    grow(1)
    urls = ("/me", f"/projects/{projects[0].slug}/celebrations")
    few = [queries(url) for url in urls]
    grow(3)
    many = [queries(url) for url in urls]
    assert many == few, "\n\n".join(seen["/me"])
