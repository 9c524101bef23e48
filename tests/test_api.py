"""The JSON API through the test client: public reads, tokens and their
scopes, the same rules as the pages, and the API's conventions."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gardenhub.accounts import api_tokens
from gardenhub.accounts.api_tokens import ApiToken
from gardenhub.accounts.models import Role
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.workdays import signups
from gardenhub.workdays.models import Signup


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.coordinator, name="Cory Coordinator")


@pytest.fixture
def project(make_project, coordinator):
    project = make_project(coordinators=[coordinator], name="Tuesday Recovery Circle")
    project.public_name = "Tuesday garden crew"
    db.session.commit()
    return project


@pytest.fixture
def workday(make_workday, project):
    return make_workday(
        project=project,
        days=0.04,
        capacities=(2,),
        title="Circle workday",
        public_title="Garden workday",
    )


def token_for(person, *scopes, days=30) -> str:
    _row, secret = api_tokens.create(
        person, name="script", scopes=list(scopes), days=days, now=utcnow()
    )
    db.session.commit()
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {
        "code",
        "message",
        "fields",
    }
    return body["error"]


# --- Public -------------------------------------------------------------------


def test_public_workdays_show_public_titles_and_counts_never_people(
    client, workday, make_signup, make_user, make_workday, project
):
    make_signup(workday.shifts[0], make_user(name="Robin Private"))
    make_workday(project=project, visibility="members", title="Members only")
    response = client.get("/api/v1/workdays")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    [item] = body["items"]
    assert item["title"] == "Garden workday"
    assert item["spots_open"] == 1 and item["shifts"][0]["spots_open"] == 1
    assert item["timezone"] == "Europe/Berlin"
    assert re.search(r"[+-]\d\d:\d\d$", item["starts_at"])  # ISO 8601 with offset
    text = response.get_data(as_text=True)
    for private in ("Robin", "Circle", "Recovery", "Members only", "person"):
        assert private not in text
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_public_projects_and_gardens_use_public_names(client, project):
    projects = client.get("/api/v1/projects").get_json()["items"]
    assert [p["name"] for p in projects] == ["Tuesday garden crew"]
    one = client.get(f"/api/v1/projects/{project.slug}").get_json()
    assert one["name"] == "Tuesday garden crew" and "Recovery" not in str(one)
    garden = client.get(f"/api/v1/gardens/{project.garden.slug}").get_json()
    assert garden["timezone"] == "Europe/Berlin"
    assert client.get("/api/v1/gardens/nowhere").status_code == 404


def test_a_members_only_workday_is_not_found_publicly(client, make_workday, project):
    hidden = make_workday(project=project, visibility="members")
    response = client.get(f"/api/v1/workdays/{hidden.id}")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_lists_come_in_pages_with_links(client, make_workday, project):
    for days in range(3, 8):
        make_workday(project=project, days=days)
    first = client.get("/api/v1/workdays?per_page=2")
    body = first.get_json()
    assert len(body["items"]) == 2 and body["prev"] is None
    assert 'rel="next"' in first.headers["Link"]
    last = client.get(body["next"]).get_json()
    assert last["page"] == 2 and last["prev"]
    third = client.get("/api/v1/workdays?per_page=2&page=3").get_json()
    assert len(third["items"]) == 1 and third["next"] is None
    ids = {w["id"] for page in (body, last, third) for w in page["items"]}
    assert len(ids) == 5


def test_reads_carry_an_etag_and_answer_304(client, workday):
    first = client.get("/api/v1/workdays")
    again = client.get(
        "/api/v1/workdays", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""


def test_bad_parameters_say_which_field(client):
    response = client.get("/api/v1/workdays?per_page=1000&page=x")
    assert response.status_code == 422
    problem = error(response)
    assert set(problem["fields"]) == {"page", "per_page"}
    assert client.get("/api/v1/workdays?garden=nowhere").status_code == 404


def test_the_public_list_costs_the_same_queries_for_more_workdays(
    client, make_workday, project, count_queries
):
    make_workday(project=project, days=3, capacities=(2, 3))
    with count_queries() as few:
        client.get("/api/v1/workdays")
    for days in range(4, 12):
        make_workday(project=project, days=days, capacities=(2, 3))
    with count_queries() as many:
        client.get("/api/v1/workdays")
    assert len(many) == len(few)


# --- Tokens -------------------------------------------------------------------


def test_no_token_or_a_bad_one_is_asked_for_a_valid_one(client, make_user):
    for headers in ({}, bearer("gh_not-a-token"), {"Authorization": "Basic eA=="}):
        response = client.get("/api/v1/me/shifts", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert error(response)["code"] == "unauthorized"


def test_my_shifts_cost_the_same_queries_for_one_project_or_many(
    client, make_user, make_workday, make_signup, make_member, count_queries
):
    person = make_user()
    secret = token_for(person)
    first = make_workday(days=3)
    make_member(first.project, person)
    make_signup(first.shifts[0], person)
    client.get("/api/v1/me/shifts", headers=bearer(secret))  # notes first use
    with count_queries() as few:
        client.get("/api/v1/me/shifts", headers=bearer(secret))
    for days in range(4, 9):
        other = make_workday(days=days)
        make_member(other.project, person)
        make_signup(other.shifts[0], person)
    with count_queries() as many:
        titles = [
            mine["workday_title"]
            for mine in client.get(
                "/api/v1/me/shifts", headers=bearer(secret)
            ).get_json()["items"]
        ]
    assert len(many) == len(few)
    assert titles == ["Members' workday"] * 6  # a member sees the group's title


def test_a_session_cookie_is_never_enough(client, auth, make_user):
    person = make_user()
    auth.login(person)
    assert client.get("/api/v1/me").status_code == 401


def test_a_token_reads_my_shifts_and_notes_when_it_was_used(
    client, workday, make_signup, make_user
):
    person = make_user(name="Sam")
    make_signup(workday.shifts[0], person)
    secret = token_for(person)
    me = client.get("/api/v1/me", headers=bearer(secret)).get_json()
    assert me["name"] == "Sam" and me["scopes"] == ["read"]
    [mine] = client.get("/api/v1/me/shifts", headers=bearer(secret)).get_json()["items"]
    assert mine["status"] == "confirmed" and mine["workday"] == workday.id
    # Not a member: the public title.
    assert mine["workday_title"] == "Garden workday"
    assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_a_read_token_cannot_sign_up(client, workday, make_user):
    secret = token_for(make_user())
    response = client.post(
        f"/api/v1/shifts/{workday.shifts[0].id}/signup", headers=bearer(secret)
    )
    assert response.status_code == 403
    assert "signup" in error(response)["message"]
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 0


def test_signing_up_follows_the_pages_rules(
    client, make_workday, project, make_user, make_signup
):
    person = make_user()
    secret = token_for(person, "signup")
    shift = make_workday(project=project, days=3, capacities=(2,)).shifts[0]
    made = client.post(f"/api/v1/shifts/{shift.id}/signup", headers=bearer(secret))
    assert made.status_code == 201 and made.get_json()["status"] == "confirmed"
    twice = client.post(f"/api/v1/shifts/{shift.id}/signup", headers=bearer(secret))
    assert twice.status_code == 409
    assert "already signed up" in error(twice)["message"]
    make_signup(shift)
    late = token_for(make_user(), "signup")
    waiting = client.post(f"/api/v1/shifts/{shift.id}/signup", headers=bearer(late))
    assert waiting.get_json()["status"] == "waitlisted"
    assert waiting.get_json()["waitlist_position"] == 1
    signup_id = made.get_json()["id"]
    cancelled = client.post(
        f"/api/v1/me/signups/{signup_id}/cancel", headers=bearer(secret)
    )
    assert cancelled.get_json()["status"] == "cancelled"
    # The freed seat was offered to the waitlist, as on the pages.
    offered = db.session.scalar(select(Signup).where(Signup.status == "offered"))
    assert offered is not None
    taken = client.post(
        f"/api/v1/me/signups/{offered.id}/confirm", headers=bearer(late)
    )
    assert taken.status_code == 200 and taken.get_json()["status"] == "confirmed"


def test_someone_elses_sign_up_is_not_found(client, workday, make_user, make_signup):
    theirs = make_signup(workday.shifts[0])
    secret = token_for(make_user(), "signup")
    response = client.post(
        f"/api/v1/me/signups/{theirs.id}/cancel", headers=bearer(secret)
    )
    assert response.status_code == 404
    assert db.session.get(Signup, theirs.id).status == "confirmed"


def test_members_only_shifts_are_not_found_for_strangers(
    client, make_workday, project, make_user
):
    hidden = make_workday(project=project, visibility="members")
    secret = token_for(make_user(), "signup")
    response = client.post(
        f"/api/v1/shifts/{hidden.shifts[0].id}/signup", headers=bearer(secret)
    )
    assert response.status_code == 404


def test_expired_and_revoked_tokens_stop_working(client, make_user):
    person = make_user()
    secret = token_for(person)
    row = db.session.scalar(select(ApiToken))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    other = token_for(person)
    api_tokens.revoke(
        db.session.scalar(select(ApiToken).order_by(ApiToken.id.desc())),
        actor=person,
        now=utcnow(),
    )
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 401


def test_a_disabled_account_s_token_stops_working(client, make_user):
    person = make_user()
    secret = token_for(person)
    person.is_active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_tokens_are_stored_hashed(make_user):
    secret = token_for(make_user())
    stored = db.session.scalar(select(ApiToken.token_hash))
    assert secret not in stored and len(stored) == 64


# --- Coordinators -------------------------------------------------------------


def test_a_coordinator_reads_rosters_through_the_privacy_rules(
    client, coordinator, workday, make_signup, make_user
):
    make_signup(workday.shifts[0], make_user(name="Robin"))
    secret = token_for(coordinator, "coordinate")
    listed = client.get(
        "/api/v1/coordinate/workdays", headers=bearer(secret)
    ).get_json()
    assert [w["title"] for w in listed["items"]] == ["Circle workday"]
    roster = client.get(
        f"/api/v1/coordinate/workdays/{workday.id}/roster", headers=bearer(secret)
    )
    people = roster.get_json()["people"]
    assert [p["name"] for p in people] == ["Robin"]


def test_check_in_through_the_api_keeps_the_window(
    client, coordinator, workday, make_workday, project, make_signup
):
    secret = token_for(coordinator, "coordinate")
    signup = make_signup(workday.shifts[0])
    done = client.post(
        f"/api/v1/coordinate/signups/{signup.id}/check-in", headers=bearer(secret)
    )
    assert done.status_code == 200 and done.get_json()["checked_in"] is True
    later = make_signup(make_workday(project=project, days=3).shifts[0])
    refused = client.post(
        f"/api/v1/coordinate/signups/{later.id}/check-in", headers=bearer(secret)
    )
    assert refused.status_code == 409 and "opens" in error(refused)["message"]


def test_a_coordinator_of_another_project_sees_nothing(
    client, workday, make_user, make_project, make_signup
):
    other = make_user(Role.coordinator)
    make_project(coordinators=[other])
    signup = make_signup(workday.shifts[0])
    secret = token_for(other, "coordinate")
    assert (
        client.get("/api/v1/coordinate/workdays", headers=bearer(secret)).get_json()[
            "items"
        ]
        == []
    )
    assert (
        client.get(
            f"/api/v1/coordinate/workdays/{workday.id}/roster", headers=bearer(secret)
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/coordinate/signups/{signup.id}/check-in", headers=bearer(secret)
        ).status_code
        == 404
    )


def test_only_coordinators_get_the_coordinate_scope(make_user):
    with pytest.raises(api_tokens.TokenError):
        api_tokens.create(
            make_user(), name="x", scopes=["coordinate"], days=30, now=utcnow()
        )


def test_a_read_token_cannot_coordinate(client, coordinator):
    secret = token_for(coordinator)
    assert (
        client.get("/api/v1/coordinate/workdays", headers=bearer(secret)).status_code
        == 403
    )


# --- The profile page ----------------------------------------------------------


def test_a_person_creates_a_token_sees_it_once_and_revokes_it(client, auth, make_user):
    person = make_user()
    auth.login(person)
    page = client.post(
        "/profile/tokens", data={"name": "Our website", "signup": "y", "days": "90"}
    )
    assert page.status_code == 201
    secret = re.search(r'value="(gh_[^"]+)"', page.get_data(as_text=True))[1]
    assert client.get("/profile/tokens").get_data(as_text=True).count(secret) == 0
    row = db.session.scalar(select(ApiToken))
    assert row.scope_list == ["read", "signup"]
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    client.post(f"/profile/tokens/{row.id}/revoke")
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_a_volunteer_is_not_offered_the_coordinate_scope(client, auth, make_user):
    auth.login(make_user())
    page = client.get("/profile/tokens").get_data(as_text=True)
    assert "check people in" not in page
    client.post("/profile/tokens", data={"name": "x", "coordinate": "y", "days": "30"})
    assert db.session.scalar(select(ApiToken.scopes)) == "read"


def test_someone_elses_token_cannot_be_revoked(client, auth, make_user):
    token_for(make_user())
    auth.login(make_user())
    row = db.session.scalar(select(ApiToken))
    assert client.post(f"/profile/tokens/{row.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, row.id).revoked_at is None


def test_deleting_the_account_deletes_its_tokens(client, auth, make_user):
    person = make_user()
    secret = token_for(person)
    auth.login(person)
    client.post("/me/delete", data={"password": "correct horse battery"})
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_the_documentation_page_lists_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api/v1/docs").get_data(as_text=True)
    for path in spec["paths"]:
        assert path in page
    assert "cdn" not in page.lower() and '<script src="http' not in page


def test_signing_up_through_the_api_holds_capacity(app, workday, make_user):
    """The same lock as the pages: more tokens than seats, one at a time."""
    people = [make_user() for _ in range(4)]
    secrets = [token_for(person, "signup") for person in people]
    client = app.test_client()
    statuses = [
        client.post(
            f"/api/v1/shifts/{workday.shifts[0].id}/signup", headers=bearer(s)
        ).get_json()["status"]
        for s in secrets
    ]
    assert statuses.count("confirmed") == 2 and statuses.count("waitlisted") == 2
    assert signups.seats_taken(workday.shifts[0]) == 2
