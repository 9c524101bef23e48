"""Configuration, error pages, the privacy helper and demo data."""

import re

import pytest
from sqlalchemy import select

from gardenhub import create_app
from gardenhub.accounts.models import Role, User
from gardenhub.accounts.privacy import ANONYMOUS_NAME, visible_name
from gardenhub.config import ConfigError
from gardenhub.extensions import db


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("GARDENHUB_SECRET_KEY", raising=False)
    monkeypatch.setenv("GARDENHUB_ENV", "production")
    with pytest.raises(ConfigError, match="GARDENHUB_SECRET_KEY is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_reads_settings_from_environment(monkeypatch):
    monkeypatch.setenv("GARDENHUB_ENV", "production")
    monkeypatch.setenv("GARDENHUB_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("GARDENHUB_BASE_URL", "https://garden.example/")
    monkeypatch.setenv("GARDENHUB_OFFER_WINDOW_HOURS", "6")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["BASE_URL"] == "https://garden.example"
    assert app.config["OFFER_WINDOW_HOURS"] == 6
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path, monkeypatch):
    monkeypatch.delenv("GARDENHUB_SECRET_KEY", raising=False)
    monkeypatch.setenv("GARDENHUB_ENV", "development")
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]


def test_migrations_load_for_the_command_line_not_for_a_server(tmp_path, monkeypatch):
    monkeypatch.setenv("GARDENHUB_ENV", "development")
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    served = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "migrate" not in served.extensions
    # What `flask` sets before it loads the app.
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    command_line = create_app({"SQLALCHEMY_DATABASE_URI": database})
    assert "migrate" in command_line.extensions
    result = command_line.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with command_line.app_context():
        assert db.session.scalar(db.text("select version_num from alembic_version"))


def test_unknown_page_gets_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_wrong_method_gets_405_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "not allowed" in response.get_data(as_text=True)


def test_unexpected_error_gets_500_page_without_traceback(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "secret internals" not in page and "Traceback" not in page


def test_pages_are_served_with_local_assets_only(client):
    page = client.get("/").get_data(as_text=True)
    assert "/static/css/gardenhub.css" in page
    assets = re.findall(r'(?:src|<link[^>]*href)="([^"]+)"', page)
    assert assets
    # Our own files, and the app's manifest (served by the app itself).
    local = [url for url in assets if url != "/manifest.webmanifest"]
    assert all(url.startswith("/static/") for url in local), assets
    with client.get("/static/css/gardenhub.css") as stylesheet:
        assert stylesheet.status_code == 200


class Context:
    def __init__(self, managers, members=()):
        self.managers = managers
        self.members = members

    def can_manage(self, user):
        return user in self.managers

    def member_ids(self):
        return {person.id for person in self.members}


@pytest.fixture
def people(make_user):
    return {
        "shy": make_user(name="Shy Sam"),
        "open": make_user(name="Open Olu", shows_name=True),
        "viewer": make_user(name="Viewer Vi"),
        "coordinator": make_user(Role.coordinator, name="Coord Cy"),
        "admin": make_user(Role.admin, name="Admin Ada"),
    }


class Anonymous:
    is_authenticated = False


def test_privacy_helper_decides_every_viewer(people):
    shy, public = people["shy"], people["open"]
    roster = Context([people["coordinator"]])
    elsewhere = Context([])
    assert visible_name(Anonymous(), public) == ANONYMOUS_NAME
    assert visible_name(shy, shy) == "Shy Sam"
    circle = Context([], members=[people["viewer"], shy, public])
    assert visible_name(people["viewer"], shy, circle) == ANONYMOUS_NAME
    assert visible_name(people["viewer"], public, circle) == "Open Olu"
    # Outside a shared project, a name that is shown to fellow members is not.
    assert visible_name(people["viewer"], public) == ANONYMOUS_NAME
    assert visible_name(people["viewer"], public, Context([], [public])) == (
        ANONYMOUS_NAME
    )
    assert visible_name(people["coordinator"], shy, roster) == "Shy Sam"
    assert visible_name(people["coordinator"], shy, elsewhere) == ANONYMOUS_NAME
    assert visible_name(people["admin"], shy) == "Shy Sam"


def test_demo_command_is_idempotent_and_prints_logins(runner, app):
    app.config["ENV"] = "development"
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert "coordinator@example.org" in first.output
    assert "demo-coord-1234" in second.output
    emails = db.session.scalars(select(User.email)).all()
    assert len(emails) == len(set(emails))
    assert {"admin@example.org", "volunteer@example.org"} <= set(emails)


def test_demo_command_refuses_production(runner, app):
    app.config.update(TESTING=False, ENV="production")
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "GARDENHUB_ENV=development" in result.output


def test_each_make_target_installs_only_what_it_needs():
    """`make run` serves with the runtime alone; tests and browsers add theirs."""
    import subprocess

    def plan(target: str) -> str:
        return subprocess.run(
            ["make", "-n", "-B", target],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    run = plan("run")
    assert "install" in run and "-e ." in run
    assert "[test" not in run and "e2e]" not in run
    assert "'.[test]'" in plan("test") and "e2e]" not in plan("test")
    assert "'.[test,e2e]'" in plan("e2e")
