"""Registration, log-in, log-out, profile and password changes through HTTP."""

import re

import pytest
from sqlalchemy import select

from gardenhub.accounts.models import User
from gardenhub.extensions import db
from gardenhub.notifications.models import Notification
from tests.conftest import PASSWORD


def register(client, **fields):
    data = {
        "email": "new@example.org",
        "display_name": "Robin",
        "password": "long enough",
    }
    data.update(fields)
    return client.post("/register", data=data)


def outbox(kind: str) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Notification).where(Notification.kind == kind))
    )


def link_in(message: Notification) -> str:
    """The path of the first link in a message."""
    url = re.search(r"https?://\S+", message.body_text)[0]
    return "/" + url.split("/", 3)[3]


def test_register_works_once_the_emailed_link_is_confirmed(client):
    response = register(client, email="Robin@Example.org")
    assert response.headers["Location"] == "/register/check-email"
    user = db.session.scalars(select(User)).one()
    assert user.email == "robin@example.org"
    assert user.password_hash.startswith("scrypt:")
    assert user.shows_name is False and user.email_confirmed_at is None
    # Not yet: the account works once the link is opened.
    assert client.get("/profile").status_code == 302
    login = client.post(
        "/login", data={"email": "robin@example.org", "password": "long enough"}
    )
    assert login.headers["Location"] == "/register/check-email"
    (first, again) = outbox("confirm_email")
    link = link_in(again)
    assert link_in(first).startswith("/register/confirm/")
    assert link.startswith("/register/confirm/")
    # Opening the link shows a button; only the button (a POST) confirms.
    assert "Confirm and log in" in client.get(link).get_data(as_text=True)
    assert db.session.get(User, user.id).email_confirmed_at is None
    assert client.post(link).headers["Location"] == "/"
    assert "Your account is ready" in client.get("/").get_data(as_text=True)
    assert "Robin" in client.get("/profile").get_data(as_text=True)
    assert db.session.get(User, user.id).email_confirmed_at is not None


@pytest.mark.parametrize("taken", ["robin@example.org", "ROBIN@example.ORG"])
def test_register_answers_the_same_for_a_known_address(client, make_user, taken):
    """Nobody can test whether someone belongs to a recovery group."""
    fresh = register(client, email="nobody.yet@example.org", display_name="New")
    make_user(email="robin@example.org", name="Robin")
    known = register(client, email=taken, display_name="Second Robin")
    assert (known.status_code, known.headers["Location"]) == (
        fresh.status_code,
        fresh.headers["Location"],
    )
    assert client.get(known.headers["Location"]).get_data(as_text=True) == (
        client.get(fresh.headers["Location"]).get_data(as_text=True)
    )
    assert db.session.scalar(select(db.func.count(User.id))) == 2
    (attempt,) = outbox("registration_attempt")
    assert attempt.to_address == "robin@example.org"
    assert "no new account was made" in attempt.body_text
    assert "/login" in attempt.body_text and "/password/forgot" in attempt.body_text


def test_confirmation_link_keeps_where_the_newcomer_was(client, make_workday):
    workday = make_workday()
    login_page = client.get(f"/login?next=/workdays/{workday.id}").get_data(True)
    assert f"/register?next=/workdays/{workday.id}" in login_page
    client.post(
        f"/register?next=/workdays/{workday.id}",
        data={"email": "n@example.org", "display_name": "N", "password": "long enough"},
    )
    link = link_in(outbox("confirm_email")[0])
    assert client.post(link).headers["Location"] == f"/workdays/{workday.id}"


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/x", "/\\evil.example"]
)
def test_unsafe_next_is_never_echoed_or_followed(client, evil):
    page = client.get("/login", query_string={"next": evil}).get_data(True)
    assert "evil.example" not in page
    page = client.get("/register", query_string={"next": evil}).get_data(True)
    assert "evil.example" not in page
    client.post(
        "/register",
        query_string={"next": evil},
        data={"email": "n@example.org", "display_name": "N", "password": "long enough"},
    )
    link = link_in(outbox("confirm_email")[0])
    assert client.post(link).headers["Location"] == "/"


def test_header_join_link_keeps_the_page(client, make_workday):
    workday = make_workday()
    page = client.get(f"/workdays/{workday.id}").get_data(True)
    assert f'href="/register?next=/workdays/{workday.id}"' in page


def test_forged_or_stale_confirmation_links_do_nothing(client):
    register(client)
    assert client.post("/register/confirm/forged").status_code == 400
    assert db.session.scalars(select(User)).one().email_confirmed_at is None


def test_a_guest_added_with_an_address_can_set_a_password(client, make_user):
    """A coordinator added Sam at the gate with an email; Sam registers later."""
    guest = User(display_name="Sam", email="sam@example.org", is_guest=True)
    db.session.add(guest)
    db.session.commit()
    register(client, email="sam@example.org", display_name="Sam S")
    (attempt,) = outbox("registration_attempt")
    client.post("/password/forgot", data={"email": "sam@example.org"})
    reset = link_in(outbox("password_reset")[0])
    client.post(reset, data={"new_password": "a new password"})
    login = client.post(
        "/login", data={"email": "sam@example.org", "password": "a new password"}
    )
    assert login.status_code == 302 and login.headers["Location"] == "/"
    db.session.expire_all()
    assert db.session.get(User, guest.id).is_guest is False


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short"}, "Use 8 to 128 characters."),
        ({"password": "x" * 129}, "Use 8 to 128 characters."),
        ({"display_name": ""}, "Tell us what to call you."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
    ],
)
def test_register_with_bad_input_explains_and_keeps_other_fields(
    client, fields, message
):
    response = register(client, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="new@example.org"' in page or "email" in fields
    assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_password_without_composition_rules_is_accepted(client):
    assert register(client, password="aaaaaaaa").status_code == 302


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


def test_register_without_csrf_token_keeps_fields_and_creates_nothing(csrf_client):
    response = register(csrf_client, display_name="Kept Name")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "expired" in page
    assert 'value="Kept Name"' in page
    assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_logout_without_csrf_token_is_refused(csrf_client, make_user):
    user = make_user()
    with csrf_client.session_transaction() as session:
        session["_user_id"] = user.session_token
    response = csrf_client.post("/logout")
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert csrf_client.get("/profile").status_code == 200


def test_login_failure_does_not_reveal_whether_email_exists(client, make_user):
    user = make_user()
    wrong_password = client.post(
        "/login", data={"email": user.email, "password": "nope-nope"}
    )
    unknown_email = client.post(
        "/login", data={"email": "ghost@example.org", "password": "nope-nope"}
    )
    assert wrong_password.status_code == unknown_email.status_code == 422
    assert "Email or password is not right." in wrong_password.get_data(as_text=True)
    assert wrong_password.get_data(as_text=True).replace(
        user.email, ""
    ) == unknown_email.get_data(as_text=True).replace("ghost@example.org", "")


def test_login_is_case_insensitive_on_email_and_records_time(client, make_user):
    user = make_user(email="casey@example.org")
    response = client.post(
        "/login", data={"email": "Casey@Example.ORG", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"
    assert db.session.get(User, user.id).last_login_at is not None


def test_disabled_user_cannot_log_in(client, make_user):
    user = make_user(is_active=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422


def test_remember_me_sets_bounded_http_only_cookie(client, make_user):
    user = make_user()
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    cookie = next(
        c
        for c in response.headers.getlist("Set-Cookie")
        if c.startswith("remember_token=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires=" in cookie


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_bad_next_is_ignored(client, make_user, target):
    user = make_user()
    response = client.post(
        f"/login?next={target}", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_relative_next_is_followed(client, make_user):
    user = make_user()
    response = client.post(
        "/login?next=/profile", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/profile"


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/profile")
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_ends_session_even_for_a_copied_cookie(app, client, auth, make_user):
    user = make_user()
    auth.login(user)
    copied = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/profile").status_code == 302


def test_login_starts_a_fresh_session(client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session


def test_profile_update_and_privacy_choice(client, auth, make_user):
    user = make_user(name="Old Name")
    auth.login(user)
    response = client.post(
        "/profile",
        data={"display_name": "New Name", "phone": "030 1234567", "shows_name": "y"},
    )
    assert response.headers["Location"] == "/profile"
    user = db.session.get(User, user.id)
    assert (user.display_name, user.phone, user.shows_name) == (
        "New Name",
        "+49301234567",  # checked and stored in E.164, shown nationally
        True,
    )


def test_profile_refuses_empty_name(client, auth, make_user):
    user = make_user(name="Kept")
    auth.login(user)
    response = client.post("/profile", data={"display_name": "  "})
    assert response.status_code == 422
    assert db.session.get(User, user.id).display_name == "Kept"


def test_password_change_needs_current_password(client, auth, make_user):
    user = make_user()
    auth.login(user)
    response = client.post(
        "/profile/password",
        data={"current_password": "wrong-one", "new_password": "a new password"},
    )
    assert response.status_code == 422
    assert "not your current password" in response.get_data(as_text=True)


def test_password_change_ends_other_sessions_but_keeps_this_one(
    app, client, auth, make_user
):
    user = make_user()
    other_device = app.test_client()
    Auth = type(auth)
    Auth(other_device).login(user)
    auth.login(user)
    response = client.post(
        "/profile/password",
        data={"current_password": PASSWORD, "new_password": "a new password"},
    )
    assert response.headers["Location"] == "/profile"
    assert client.get("/profile").status_code == 200
    assert other_device.get("/profile").status_code == 302
    assert db.session.get(User, user.id).check_password("a new password")


def test_changing_the_password_says_so_after_the_fresh_session(client, auth, make_user):
    auth.login(make_user())
    response = client.post(
        "/profile/password",
        data={"current_password": PASSWORD, "new_password": "a brand new one"},
        follow_redirects=True,
    )
    assert "Your password is changed" in response.get_data(as_text=True)
