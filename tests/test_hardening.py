"""Sessions, headers, XSS, Unicode, self-service, retention, audit, backups."""

import csv
import io
import json
import re
import sqlite3
import time

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from gardenhub.accounts.models import Role, User
from gardenhub.audit import AuditEvent
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.feeds.models import FeedToken
from gardenhub.hours import services as hours_services
from gardenhub.workdays.models import Signup
from tests.conftest import PASSWORD


def test_idle_and_absolute_session_limits(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/me").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 3 * 3600
    response = client.get("/me")
    assert response.headers["Location"].startswith("/login")
    auth.login(make_user())
    with client.session_transaction() as session:
        session["started"] = int(time.time()) - 13 * 3600
    assert client.get("/me").headers["Location"].startswith("/login")


def test_keep_me_logged_in_outlasts_the_idle_limit(client, make_user):
    person = make_user()
    client.post(
        "/login", data={"email": person.email, "password": PASSWORD, "remember": "y"}
    )
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 3 * 3600
    assert client.get("/me").status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/", "/calendar.ics", "/static/css/gardenhub.css", "/no/such/page", "/login"],
)
def test_security_headers_on_every_response(client, url):
    with client.get(url) as response:
        headers = response.headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_no_page_has_inline_scripts_or_styles(client, auth, make_user, make_workday):
    workday = make_workday()
    auth.login(make_user(Role.admin))
    for url in [
        "/",
        f"/workdays/{workday.id}",
        "/profile",
        "/calendar",
        f"/gardens/{workday.garden.slug}",
    ]:
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert " style=" not in page and "<style" not in page, url


def test_cookies_are_http_only_and_lax(client, make_user):
    person = make_user()
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


XSS = '<script>alert("x")</script>'


def test_user_text_is_escaped_everywhere(
    client, auth, make_user, make_project, make_workday, make_signup, make_task
):
    coordinator = make_user(Role.coordinator, name=XSS)
    project = make_project(coordinators=[coordinator], name=XSS)
    workday = make_workday(
        project=project, title=XSS, public_title=XSS, description=XSS
    )
    make_signup(workday.shifts[0], make_user(name=XSS, shows_name=True))
    task = make_task(project=project, title=XSS, description=XSS, is_public=True)
    auth.login(coordinator)
    for url in [
        "/",
        f"/workdays/{workday.id}",
        f"/workdays/{workday.id}/roster",
        f"/projects/{project.slug}",
        f"/projects/{project.slug}/tasks",
        f"/tasks/{task.id}",
        "/profile",
        "/calendar",
    ]:
        page = client.get(url).get_data(as_text=True)
        assert XSS not in page, url
        assert "&lt;script&gt;" in page, url


def test_unicode_and_emoji_round_trip(
    client, auth, make_user, make_project, make_workday, make_signup
):
    name, title = "Zoë Ünal 🌻", "Beet 🌱 day – Grüße"
    coordinator = make_user(Role.coordinator)
    workday = make_workday(
        project=make_project(coordinators=[coordinator]),
        title=title,
        public_title=title,
    )
    person = make_user(name=name, email="zoe@example.org")
    make_signup(workday.shifts[0], person)
    auth.login(coordinator)
    assert name in client.get(f"/workdays/{workday.id}/roster").get_data(as_text=True)
    assert title in client.get("/").get_data(as_text=True)
    feed = Calendar.from_ical(client.get("/calendar.ics").get_data())
    assert str(feed.walk("VEVENT")[0]["summary"]) == title
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/exports/workdays/{workday.id}/roster.csv").get_data(
                    as_text=True
                )
            )
        )
    )
    assert rows[1][1] == name
    from gardenhub.notifications.models import Notification

    message = db.session.scalars(select(Notification)).first()
    assert name in message.body_text and title in message.body_text


def test_download_my_data_as_json(client, auth, make_user, make_workday, make_signup):
    person = make_user(name="Dana Data", phone="555 1234")
    make_signup(make_workday(title="Data day").shifts[0], person)
    auth.login(person)
    response = client.get("/me/data.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.get_data())
    assert data["account"]["display_name"] == "Dana Data"
    assert data["account"]["phone"] == "555 1234"
    assert data["signups"][0]["workday"] == "Data day"


def test_deleting_an_account_keeps_counts_and_erases_the_person(
    client, auth, make_user, make_workday, make_signup
):
    person = make_user(name="Gone Gabi", email="gabi@example.org", phone="555")
    past = make_workday(days=-2)
    db.session.add(
        Signup(
            shift=past.shifts[0],
            volunteer=person,
            status="confirmed",
            created_at=utcnow(),
        )
    )
    db.session.commit()
    signup = db.session.scalars(select(Signup)).one()
    hours_services.check_in(signup, actor=person, now=past.starts_at)
    future = make_workday(days=5, capacities=(3,))
    make_signup(future.shifts[0], person)
    auth.login(person)
    page = client.post("/my/calendar", data={"name": "phone"}).get_data(as_text=True)
    token = page.split("/feeds/")[1].split(".ics")[0]
    wrong = client.post("/me/delete", data={"password": "not it"})
    assert wrong.status_code == 422
    response = client.post("/me/delete", data={"password": PASSWORD})
    assert response.headers["Location"] == "/"
    db.session.expire_all()
    gone = db.session.get(User, person.id)
    assert (gone.display_name, gone.email, gone.phone, gone.password_hash) == (
        "Former volunteer",
        None,
        None,
        None,
    )
    assert db.session.scalar(select(func.count(FeedToken.id))) == 0
    assert client.get(f"/feeds/{token}.ics").status_code == 404
    assert client.get("/me").status_code == 302
    past_signup = db.session.get(Signup, signup.id)
    assert past_signup.status == "confirmed" and past_signup.hours is not None
    assert "0 of 3 filled" in client.get(f"/workdays/{future.id}").get_data(True)
    assert (
        client.post(
            "/login", data={"email": "gabi@example.org", "password": PASSWORD}
        ).status_code
        == 422
    )


def test_retention_pseudonymises_old_signups_and_keeps_counts(
    runner, make_user, make_workday
):
    person = make_user(name="Old Olga")
    old = make_workday(days=-200)
    recent = make_workday(days=-10)
    for workday in (old, recent):
        db.session.add(
            Signup(
                shift=workday.shifts[0],
                volunteer=person,
                status="confirmed",
                created_at=utcnow(),
            )
        )
    db.session.commit()
    letter = hours_services.issue_letter(
        person,
        starts_on=utcnow().date(),
        ends_on=utcnow().date(),
        names_projects=False,
        now=utcnow(),
    )
    db.session.commit()
    result = runner.invoke(args=["privacy", "retention"])
    assert "1 rows older than 180 days" in result.output
    db.session.expire_all()
    by_workday = {s.shift.workday_id: s for s in db.session.scalars(select(Signup))}
    assert by_workday[old.id].volunteer.display_name == "Former volunteer"
    assert by_workday[recent.id].volunteer_id == person.id
    assert db.session.scalar(select(func.count(Signup.id))) == 2
    assert runner.invoke(args=["privacy", "retention"]).output.startswith("0 rows")
    assert letter.code  # issued letters keep their code and totals


def test_coordinator_and_admin_actions_are_audited_and_admin_only(
    client, auth, make_user, make_project, make_workday
):
    coordinator = make_user(Role.coordinator)
    workday = make_workday(project=make_project(coordinators=[coordinator]))
    auth.login(coordinator)
    client.post(f"/workdays/{workday.id}/cancel", data={"reason": "Rain"})
    assert client.get("/admin/audit").status_code == 403
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.actor_id, event.action) == (coordinator.id, "workday.cancel")
    auth.logout()
    auth.login(make_user(Role.admin))
    assert "workday.cancel" in client.get("/admin/audit").get_data(as_text=True)


def test_backup_copies_the_sqlite_database_while_it_runs(
    runner, app, make_user, tmp_path
):
    if db.engine.dialect.name != "sqlite":
        result = runner.invoke(args=["backup", str(tmp_path / "x.sqlite")])
        assert "use pg_dump" in result.output
        return
    make_user(email="kept@example.org")
    target = tmp_path / "backup.sqlite"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        emails = [row[0] for row in copy.execute("select email from user")]
    assert emails == ["kept@example.org"]


def test_plot_request_of_someone_else_cannot_be_touched(
    client, auth, make_user, make_garden
):
    from gardenhub.plots import waitlist

    garden = make_garden()
    request = waitlist.request_plot(
        garden,
        make_user(),
        min_size=None,
        needs_accessible=False,
        notes=None,
        now=utcnow(),
    )
    db.session.commit()
    auth.login(make_user())
    assert client.post(f"/plot-requests/{request.id}/withdraw").status_code == 403
    db.session.expire_all()
    assert request.status == "waiting"
