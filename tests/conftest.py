"""Fixtures: a fresh app and database per test, clients, log-in helper, factories."""

import os
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from flask.globals import _cv_app
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
    bugs. The test's transaction is committed first so SQLite's write lock is
    free for the request.
    """

    def open(self, *args, **kwargs):
        outer = _cv_app.get(None)
        if outer is None:
            return super().open(*args, **kwargs)
        db.session.commit()
        # Hide the test's context without tearing it down (that would close
        # the test's session and detach the objects it holds).
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


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
            **app_config,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        if POSTGRES_URL:
            db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        if POSTGRES_URL:
            db.drop_all()
        db.engine.dispose()


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
