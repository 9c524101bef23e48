"""Fixtures: a fresh app and database per test, clients, log-in helper, factories."""

import contextvars
import os
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event
from werkzeug.security import generate_password_hash

from gardenhub import create_app
from gardenhub.accounts.models import Role, User
from gardenhub.extensions import db

PASSWORD = "correct horse battery"
# Hashing once per run keeps the suite fast; the hash is real scrypt.
PASSWORD_HASH = generate_password_hash(PASSWORD)
POSTGRES_URL = os.environ.get("GARDENHUB_TEST_DATABASE_URL")


def database_url(tmp_path) -> str:
    return POSTGRES_URL or f"sqlite:///{tmp_path / 'test.sqlite'}"


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server would.

    The test body keeps its own app context (and so its own database session);
    without this, requests would share the test's `g` and session and hide
    bugs. Each request runs in a fresh `contextvars.Context`, where no app
    context is active, so Flask pushes a new one (public behaviour, no Flask
    internals). The test's transaction is committed first so SQLite's write
    lock is free for the request.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app_config(tmp_path):
    """Override in a test module to change settings before the app is built."""
    return {}


@pytest.fixture
def app(tmp_path, app_config):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "WTF_CSRF_ENABLED": False,
            "BASE_URL": "https://gardenhub.test",
            "RATELIMIT_ENABLED": False,
            "FEED_RECHECK_SECONDS": 0,
            "MIGRATIONS": True,  # tests run upgrade() and downgrade()
            **app_config,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        if POSTGRES_URL:
            _drop_everything()
        db.create_all()
        yield app
        db.session.remove()
        if POSTGRES_URL:
            _drop_everything()
        db.engine.dispose()


def _drop_everything() -> None:
    """The shared PostgreSQL database starts each test empty: the tables and
    Alembic's version row, which a migration test may leave at any revision."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("drop table if exists alembic_version")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user: User, password: str = PASSWORD):
        return self.client.post(
            "/login", data={"email": user.email, "password": password}
        )

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 100_000))

    def make(
        role: Role = Role.volunteer,
        *,
        name: str | None = None,
        email: str | None = None,
        shows_name: bool = False,
        **fields,
    ) -> User:
        n = next(counter)
        fields.setdefault("email_confirmed_at", datetime.now(UTC))
        user = User(
            display_name=name or f"Person {n}",
            email=email or f"person{n}@example.org",
            password_hash=PASSWORD_HASH,
            role=role,
            shows_name=shows_name,
            **fields,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def count_queries(app):
    """`with count_queries() as queries: …` then `len(queries)`."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)

    return counting


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Tests plan workdays on dates written as 2027 dates. Planning refuses the
# past, so as time goes on every such date moves on by the same number of whole
# 52-week steps: the weekday stays, and so does its place around the spring and
# autumn clock changes.
_FIRST_TEST_DATE = date(2027, 1, 1)


def _steps_ahead() -> int:
    soon = datetime.now(UTC).date() + timedelta(days=7)
    steps = 0
    while _FIRST_TEST_DATE + timedelta(weeks=52 * steps) <= soon:
        steps += 1
    return steps


FUTURE_STEPS = _steps_ahead()


def future_date(iso: str) -> date:
    """The test date `iso` (a 2027 date), moved on until it is ahead of today."""
    return date.fromisoformat(iso) + timedelta(weeks=52 * FUTURE_STEPS)


def future(iso: str) -> str:
    return future_date(iso).isoformat()


def clock_change_nights(zone: str, year: int) -> tuple[date, date]:
    """The days `zone`'s clocks go forward and back in `year` (both exist)."""
    tz = ZoneInfo(zone)
    days = [date(year, 1, 1) + timedelta(days=n) for n in range(365)]
    changes = [
        day
        for day in days
        if datetime.combine(day, time(12), tz).utcoffset()
        != datetime.combine(day + timedelta(days=1), time(12), tz).utcoffset()
    ]
    forward, back = (day + timedelta(days=1) for day in changes[:2])
    return forward, back


@pytest.fixture
def make_garden(app):
    from gardenhub.gardens.models import Garden

    counter = iter(range(1, 100_000))

    def make(*, timezone: str = "Europe/Berlin", name: str | None = None) -> Garden:
        n = next(counter)
        garden = Garden(
            name=name or f"Garden {n}", slug=f"garden-{n}", timezone=timezone
        )
        db.session.add(garden)
        db.session.commit()
        return garden

    return make


@pytest.fixture
def make_project(app, make_garden):
    from gardenhub.projects.models import Project

    counter = iter(range(1, 100_000))

    def make(
        *,
        coordinators=(),
        garden=None,
        name: str | None = None,
        timezone: str = "Europe/Berlin",
    ) -> Project:
        n = next(counter)
        project = Project(
            name=name or f"Project {n}",
            slug=f"project-{n}",
            timezone=timezone,
            garden=garden if garden is not None else make_garden(timezone=timezone),
            coordinators=list(coordinators),
        )
        db.session.add(project)
        db.session.commit()
        return project

    return make


@pytest.fixture
def make_workday(app, make_project):
    """A workday with one shift per capacity: `days` from now at 08:00 UTC (whole
    days, so it never crosses local midnight), or exactly `days` from now (less
    than a day, for tests about closing times)."""
    from datetime import timedelta

    from gardenhub.db import utcnow
    from gardenhub.workdays.models import Shift, Workday

    def make(
        *,
        project=None,
        capacities=(5,),
        days: float = 3,
        hours: float = 3,
        title: str = "Members' workday",
        public_title: str = "Garden workday",
        **fields,
    ) -> Workday:
        project = project or make_project()
        start = (utcnow() + timedelta(days=days)).replace(second=0, microsecond=0)
        if abs(days) >= 1:
            start = start.replace(hour=8, minute=0)
        workday = Workday(
            project=project,
            garden=project.garden,
            title=title,
            public_title=public_title,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            **fields,
        )
        for i, capacity in enumerate(capacities, start=1):
            workday.shifts.append(
                Shift(
                    name=f"Shift {i}",
                    capacity=capacity,
                    starts_at=start,
                    ends_at=start + timedelta(hours=hours),
                )
            )
        db.session.add(workday)
        db.session.commit()
        return workday

    return make


@pytest.fixture
def make_member(app):
    """Put a person in a project's circle (status "member" unless told)."""
    from gardenhub.projects.models import Membership

    def make(project, person, *, status: str = "member", **fields):
        row = Membership(
            project=project,
            user=person,
            status=status,
            joined_at=datetime.now(UTC) if status in ("member", "paused") else None,
            **fields,
        )
        db.session.add(row)
        db.session.commit()
        return row

    return make


@pytest.fixture
def make_signup(app, make_user):
    """Sign a person up through the real service (so capacity rules apply)."""
    from gardenhub.db import utcnow
    from gardenhub.workdays import signups

    def make(shift, person=None, *, now=None):
        signup = signups.sign_up(shift, person or make_user(), now=now or utcnow())
        db.session.commit()
        return signup

    return make


@pytest.fixture
def make_task(app, make_project):
    from datetime import timedelta

    from gardenhub.db import utcnow
    from gardenhub.tasks.models import Task

    def make(*, project=None, due_in_days: int | None = 5, **fields) -> Task:
        project = project or make_project()
        due_on = (
            None
            if due_in_days is None
            else utcnow().date() + timedelta(days=due_in_days)
        )
        task = Task(
            project=project,
            title=fields.pop("title", "Build the compost bin"),
            due_on=due_on,
            **fields,
        )
        db.session.add(task)
        db.session.commit()
        return task

    return make


class Mailbox:
    """What a real SMTP server on 127.0.0.1 received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd)
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on a free loopback port, wired into the app."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_FROM="GardenHub <garden@example.org>",
    )
    yield mailbox
    controller.stop()
