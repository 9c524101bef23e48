"""The admin's user list, role changes and the create-admin command."""

import pytest
from sqlalchemy import select

from gardenhub.accounts.models import Role, User
from gardenhub.audit import AuditEvent
from gardenhub.extensions import db


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 302), (Role.volunteer, 403), (Role.coordinator, 403), (Role.admin, 200)],
)
def test_user_list_is_for_admins_only(client, auth, make_user, role, status):
    if role:
        auth.login(make_user(role))
    response = client.get("/admin/users")
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/login")


def test_admin_changes_a_role_and_it_is_audited(client, auth, make_user):
    admin = make_user(Role.admin)
    person = make_user()
    auth.login(admin)
    response = client.post(
        f"/admin/users/{person.id}/role", data={"role": "coordinator"}
    )
    assert response.headers["Location"] == "/admin/users"
    assert db.session.get(User, person.id).role == Role.coordinator
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.actor_id, event.action, event.target_id) == (
        admin.id,
        "user.role",
        person.id,
    )


def test_volunteer_cannot_change_roles(client, auth, make_user):
    volunteer = make_user()
    auth.login(volunteer)
    response = client.post(f"/admin/users/{volunteer.id}/role", data={"role": "admin"})
    assert response.status_code == 403
    assert db.session.get(User, volunteer.id).role == Role.volunteer


def test_admin_cannot_demote_themselves(client, auth, make_user):
    admin = make_user(Role.admin)
    auth.login(admin)
    response = client.post(
        f"/admin/users/{admin.id}/role",
        data={"role": "volunteer"},
        follow_redirects=True,
    )
    assert "cannot remove your own admin role" in response.get_data(as_text=True)
    assert db.session.get(User, admin.id).role == Role.admin


def test_unknown_role_is_a_400_not_a_500(client, auth, make_user):
    auth.login(make_user(Role.admin))
    person = make_user()
    assert (
        client.post(
            f"/admin/users/{person.id}/role", data={"role": "emperor"}
        ).status_code
        == 400
    )


def test_disabling_a_user_ends_their_sessions(app, client, auth, make_user):
    admin = make_user(Role.admin)
    person = make_user()
    their_device = app.test_client()
    type(auth)(their_device).login(person)
    auth.login(admin)
    client.post(f"/admin/users/{person.id}/active", data={"active": "0"})
    assert their_device.get("/profile").status_code == 302


def test_create_admin_command_asks_for_password_and_hashes_it(runner):
    result = runner.invoke(
        args=["users", "create-admin", "Boss@Example.org"],
        input="a strong password\na strong password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User)).one()
    assert (user.email, user.role) == ("boss@example.org", Role.admin)
    assert user.password_hash.startswith("scrypt:")


def test_create_admin_refuses_short_password(runner):
    result = runner.invoke(
        args=["users", "create-admin", "boss@example.org"], input="short\nshort\n"
    )
    assert result.exit_code != 0
    assert db.session.scalars(select(User)).first() is None
