"""Belonging: join modes, requests, invitations, stepping back, members-only
workdays, and what members see that others don't."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from gardenhub.accounts.models import Role
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.notifications.models import Notification
from gardenhub.projects import membership
from gardenhub.projects.models import Invite, Membership
from gardenhub.workdays import reminders
from gardenhub.workdays.models import Signup


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.coordinator, name="Cora Coord")


@pytest.fixture
def circle(make_project, coordinator):
    """A peer group: by request (the default), with its own name."""
    return make_project(coordinators=[coordinator], name="Thursday Recovery Circle")


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return [f for f in session.get("_flashes", []) if "Welcome back" not in f[1]]


def status_of(project, person) -> str | None:
    db.session.expire_all()
    found = membership.membership_of(project, person)
    return found and found.status


def messages(kind: str) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Notification).where(Notification.kind == kind))
    )


def test_new_projects_start_by_request(client, auth, coordinator):
    auth.login(coordinator)
    client.post(
        "/projects/new",
        data={
            "name": "Our circle",
            "public_name": "Garden group",
            "timezone": "Europe/Berlin",
            "colour": "#2f6b3a",
            "garden_id": "0",
            "default_visibility": "public",
        },
    )
    from gardenhub.projects.models import Project

    project = db.session.scalars(select(Project)).one()
    assert project.join_mode == "request"


def test_open_project_is_joined_with_one_click(client, auth, make_user, make_project):
    project = make_project(name="Outreach")
    project.join_mode = "open"
    db.session.commit()
    person = make_user()
    auth.login(person)
    page = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    assert "Join this project" in page
    client.post(f"/projects/{project.slug}/join")
    assert status_of(project, person) == "member"
    client.post(f"/projects/{project.slug}/join")
    assert flashes(client)[-1] == ("error", "You are already a member of this project.")
    assert db.session.scalar(select(func.count(Membership.id))) == 1


def test_signing_up_for_a_public_workday_of_an_open_project_makes_a_member(
    client, auth, make_user, make_project, make_workday
):
    project = make_project()
    project.join_mode = "open"
    db.session.commit()
    shift = make_workday(project=project).shifts[0]
    person = make_user()
    auth.login(person)
    client.post(f"/shifts/{shift.id}/signup")
    assert status_of(project, person) == "member"


def test_a_request_with_a_note_is_approved_and_the_person_is_told(
    client, auth, make_user, circle, coordinator
):
    person = make_user(name="Newt Newcomer", is_discreet=True)
    auth.login(person)
    page = client.get(f"/projects/{circle.slug}").get_data(as_text=True)
    assert "Ask to join" in page and "Thursday Recovery Circle" not in page
    client.post(f"/projects/{circle.slug}/ask", data={"note": "My friend Jo comes"})
    assert status_of(circle, person) == "requested"
    (received,) = messages("membership_requested")
    assert "Recovery" not in received.subject and "Recovery" not in received.body_text
    assert messages("membership_request_received")[0].user_id == coordinator.id
    auth.logout()
    auth.login(coordinator)
    members = client.get(f"/projects/{circle.slug}/members").get_data(as_text=True)
    assert "My friend Jo comes" in members and "Newt Newcomer" in members
    request = membership.membership_of(circle, person)
    client.post(f"/memberships/{request.id}/approve")
    assert status_of(circle, person) == "member"
    (approved,) = messages("membership_approved")
    assert "Cora" not in approved.body_text
    assert "Recovery" not in approved.subject


def test_declining_tells_the_person_without_the_coordinators_name(
    client, auth, make_user, circle, coordinator
):
    person = make_user()
    membership.ask(circle, person, note=None, now=utcnow())
    db.session.commit()
    request = membership.membership_of(circle, person)
    auth.login(coordinator)
    client.post(f"/memberships/{request.id}/decline")
    assert status_of(circle, person) == "declined"
    (declined,) = messages("membership_declined")
    assert "Cora" not in declined.body_text and "Circle" not in declined.subject


def test_approving_someone_who_withdrew_changes_nothing(
    client, auth, make_user, circle, coordinator
):
    person = make_user()
    membership.ask(circle, person, note=None, now=utcnow())
    db.session.commit()
    request = membership.membership_of(circle, person)
    auth.login(person)
    client.post(f"/memberships/{request.id}/withdraw")
    auth.logout()
    auth.login(coordinator)
    client.post(f"/memberships/{request.id}/approve")
    assert flashes(client)[-1][0] == "error"
    assert status_of(circle, person) == "left"


@pytest.mark.parametrize(
    ("note", "message"), [("x" * 301, "Field cannot be longer than 300")]
)
def test_a_note_over_the_limit_is_refused(
    client, auth, make_user, circle, note, message
):
    person = make_user()
    auth.login(person)
    response = client.post(f"/projects/{circle.slug}/ask", data={"note": note})
    assert response.status_code == 422 and message in response.get_data(True)
    assert status_of(circle, person) is None


def test_an_invitation_joins_a_closed_project_and_is_used_up(
    client, auth, make_user, circle, coordinator
):
    circle.join_mode = "invitation"
    db.session.commit()
    auth.login(coordinator)
    page = client.post(
        f"/projects/{circle.slug}/members",
        data={"label": "Open evening", "days": "7", "max_uses": "1"},
    )
    assert page.status_code == 201
    text = page.get_data(as_text=True)
    link = text.split('readonly value="')[1].split('"')[0]
    assert "<svg" in text  # the QR code to show at a meeting
    secret = link.rsplit("/", 1)[1]
    invite = db.session.scalars(select(Invite)).one()
    assert invite.token_hash != secret and secret not in invite.token_hash
    auth.logout()
    anonymous = client.get(f"/join/{secret}").get_data(as_text=True)
    assert "Create an account" in anonymous
    first, second = make_user(), make_user()
    auth.login(first)
    client.post(f"/join/{secret}")
    assert status_of(circle, first) == "member"
    auth.logout()
    auth.login(second)
    used_up = client.get(f"/join/{secret}")
    assert used_up.status_code == 410
    assert "used up" in used_up.get_data(as_text=True)
    client.post(f"/join/{secret}")
    assert status_of(circle, second) is None


@pytest.mark.parametrize("why", ["expired", "withdrawn"])
def test_expired_and_revoked_invitations_say_so(
    client, auth, make_user, circle, coordinator, why
):
    invite, secret = membership.create_invite(
        circle, label="x", days=7, max_uses=10, actor=coordinator, now=utcnow()
    )
    if why == "expired":
        invite.expires_at = utcnow() - timedelta(minutes=1)
    else:
        membership.revoke_invite(invite, actor=coordinator, now=utcnow())
    db.session.commit()
    person = make_user()
    auth.login(person)
    response = client.get(f"/join/{secret}")
    assert response.status_code == 410 and why in response.get_data(True)
    assert client.get("/join/forged").status_code == 404


def test_leaving_gives_back_members_only_seats_and_keeps_public_ones(
    client, auth, make_user, circle, make_workday, make_signup, make_member
):
    person = make_user()
    make_member(circle, person)
    private = make_workday(project=circle, visibility="members").shifts[0]
    public = make_workday(project=circle, days=4).shifts[0]
    make_signup(private, person)
    make_signup(public, person)
    auth.login(person)
    found = membership.membership_of(circle, person)
    client.post(f"/memberships/{found.id}/leave")
    assert status_of(circle, person) == "left"
    statuses = {
        s.shift_id: s.status
        for s in db.session.scalars(
            select(Signup).where(Signup.volunteer_id == person.id)
        )
    }
    assert statuses == {private.id: "cancelled", public.id: "confirmed"}


def test_a_paused_member_gets_no_reminders_and_is_left_out_of_messages(
    client,
    auth,
    make_user,
    circle,
    coordinator,
    make_workday,
    make_signup,
    make_member,
):
    from datetime import time

    paused_person = make_user(quiet_start=time(0), quiet_end=time(0))
    active_person = make_user(quiet_start=time(0), quiet_end=time(0))
    for person in (paused_person, active_person):
        make_member(circle, person)
    workday = make_workday(project=circle, days=0.5)
    make_signup(workday.shifts[0], paused_person)
    make_signup(workday.shifts[0], active_person)
    found = membership.membership_of(circle, paused_person)
    auth.login(paused_person)
    client.post(f"/memberships/{found.id}/pause", data={"until": ""})
    assert status_of(circle, paused_person) == "paused"
    assert reminders.send_due(now=utcnow()) == 1
    db.session.commit()
    assert [m.user_id for m in messages("reminder")] == [active_person.id]
    auth.logout()
    auth.login(coordinator)
    client.post(
        f"/workdays/{workday.id}/message",
        data={
            "recipients": "0",
            "subject": "Bring water",
            "body": "Hot day.",
            "reply_to": coordinator.email,
        },
    )
    assert [m.user_id for m in messages("coordinator_message")] == [active_person.id]


def test_a_paused_account_still_gets_answers_to_its_own_actions(
    client, auth, make_user, make_workday
):
    person = make_user()
    auth.login(person)
    assert 'href="/profile/pause"' in client.get("/profile").get_data(True)
    client.post("/profile/pause", data={"until": ""})
    assert "Your account is paused" in client.get("/profile").get_data(True)
    shift = make_workday().shifts[0]
    client.post(f"/shifts/{shift.id}/signup")
    assert [m.user_id for m in messages("signup_confirmed")] == [person.id]
    client.post("/profile/resume")
    db.session.expire_all()
    assert person.paused_at is None


def test_a_pause_with_an_end_date_in_the_past_is_refused(
    client, auth, make_user, circle, make_member
):
    person = make_user()
    found = make_member(circle, person)
    auth.login(person)
    client.post(
        f"/memberships/{found.id}/pause",
        data={"until": (utcnow() - timedelta(days=1)).date().isoformat()},
    )
    assert flashes(client)[-1][0] == "error"
    assert status_of(circle, person) == "member"


def test_a_removed_member_is_told_and_cannot_rejoin_alone(
    client, auth, make_user, circle, coordinator, make_member
):
    circle.join_mode = "open"
    db.session.commit()
    person = make_user()
    found = make_member(circle, person)
    auth.login(coordinator)
    client.post(f"/memberships/{found.id}/remove")
    assert status_of(circle, person) == "removed"
    assert len(messages("membership_removed")) == 1
    auth.logout()
    auth.login(person)
    client.post(f"/projects/{circle.slug}/join")
    assert status_of(circle, person) == "removed"


# What members see, and nobody else -------------------------------------------


@pytest.fixture
def secret_day(circle, make_workday):
    return make_workday(
        project=circle,
        title="Circle planting",
        public_title="Community garden workday",
        description="We share how the week went.",
        visibility="members",
    )


def test_a_members_only_workday_exists_for_members_alone(
    client, auth, make_user, circle, secret_day, make_member
):
    member, stranger = make_user(), make_user()
    make_member(circle, member)
    public_urls = ["/", "/calendar", f"/gardens/{circle.garden.slug}"]
    for viewer in (None, stranger):
        if viewer:
            auth.login(viewer)
        for url in public_urls:
            assert "Circle planting" not in client.get(url).get_data(True)
            assert f"/workdays/{secret_day.id}" not in client.get(url).get_data(True)
        assert client.get(f"/workdays/{secret_day.id}").status_code == 404
        assert client.get(f"/workdays/{secret_day.id}.ics").status_code == 404
        feed = Calendar.from_ical(client.get("/calendar.ics").get_data())
        assert feed.walk("VEVENT") == []
        assert client.post(f"/shifts/{secret_day.shifts[0].id}/signup").status_code in (
            302,
            404,
        )
        if viewer:
            auth.logout()
    assert db.session.scalar(select(func.count(Signup.id))) == 0
    auth.login(member)
    page = client.get(f"/workdays/{secret_day.id}").get_data(True)
    assert "Circle planting" in page and "We share how the week went." in page
    assert "Circle planting" in client.get("/").get_data(True)
    client.post(f"/shifts/{secret_day.shifts[0].id}/signup")
    assert db.session.scalar(select(func.count(Signup.id))) == 1


def test_a_logged_in_stranger_sees_what_the_public_sees(
    client, auth, make_user, circle, make_workday, make_member
):
    workday = make_workday(
        project=circle,
        title="Circle planting",
        public_title="Community garden workday",
        description="We share how the week went.",
    )
    workday.status = "cancelled"
    workday.cancel_reason = "Our facilitator is ill"
    db.session.commit()
    auth.login(make_user())
    for url in (f"/workdays/{workday.id}", f"/projects/{circle.slug}", "/"):
        page = client.get(url).get_data(as_text=True)
        for secret in (
            "Circle planting",
            "Thursday Recovery Circle",
            "We share how the week went.",
            "Our facilitator is ill",
        ):
            assert secret not in page, (url, secret)
    assert "Community garden workday" in client.get(f"/workdays/{workday.id}").get_data(
        True
    )


def test_existing_signups_become_memberships_in_the_migration(app):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    db.drop_all()
    upgrade(revision="0009")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                'insert into "user" (id, email, display_name, role, is_active, '
                "is_guest, shows_name, is_discreet, feed_shows_waitlist, "
                "session_token, muted_notifications, quiet_start, quiet_end, "
                "is_pseudonym, created_at) values (1, 'a@x.org', 'A', 'volunteer', "
                "true, false, false, false, false, 't1', '', '21:00:00', "
                "'08:00:00', false, '2026-01-01 10:00:00'), (2, 'c@x.org', 'C', "
                "'coordinator', true, false, false, false, false, 't2', '', "
                "'21:00:00', '08:00:00', false, '2026-01-01 10:00:00')"
            )
        )
        connection.execute(
            text(
                "insert into project (id, name, public_name, slug, timezone, colour, "
                "is_active, created_at, updated_at) values (1, 'P', 'P', 'p', "
                "'Europe/Berlin', '#2f6b3a', true, '2026-01-01 10:00:00', "
                "'2026-01-01 10:00:00')"
            )
        )
        connection.execute(
            text("insert into project_coordinator (project_id, user_id) values (1, 2)")
        )
        connection.execute(
            text(
                "insert into workday (id, project_id, title, public_title, starts_at, "
                "ends_at, is_newcomer_friendly, status, revision, created_at, "
                "updated_at) values (1, 1, 'W', 'W', '2026-02-01 09:00:00', "
                "'2026-02-01 12:00:00', false, 'scheduled', 0, "
                "'2026-01-01 10:00:00', '2026-01-01 10:00:00')"
            )
        )
        connection.execute(
            text(
                "insert into shift (id, workday_id, name, starts_at, ends_at, "
                "capacity) values (1, 1, 'S', '2026-02-01 09:00:00', "
                "'2026-02-01 12:00:00', 5)"
            )
        )
        for n, status in ((1, "confirmed"), (2, "cancelled")):
            connection.execute(
                text(
                    "insert into signup (id, shift_id, volunteer_id, status, "
                    "created_at) values (:id, 1, 1, :status, '2026-01-10 10:00:00')"
                ),
                {"id": n, "status": status},
            )
    upgrade()
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("select user_id, status from membership order by user_id")
        ).all()
    assert [tuple(r) for r in rows] == [(1, "member"), (2, "member")]
    downgrade(revision="0009")
    upgrade()


def test_the_members_page_takes_the_same_queries_for_any_number_of_members(
    client,
    auth,
    make_user,
    circle,
    coordinator,
    make_member,
    make_workday,
    make_signup,
    count_queries,
):
    workday = make_workday(project=circle)
    auth.login(coordinator)

    def add(n: int) -> None:
        for _ in range(n):
            person = make_user()
            make_member(circle, person)
            make_signup(workday.shifts[0], person)
            membership.ask(circle, make_user(), note="Hello", now=utcnow())
            membership.create_invite(
                circle,
                label="Evening",
                days=7,
                max_uses=5,
                actor=coordinator,
                now=utcnow(),
            )
        db.session.commit()

    def queries() -> int:
        with count_queries() as statements:
            page = client.get(f"/projects/{circle.slug}/members")
        assert page.status_code == 200
        LAST[:] = statements
        return len(statements)

    LAST = []
    add(2)
    few = queries()
    add(10)
    assert queries() == few, "\n".join(LAST)
