"""Database faults on a real PostgreSQL: a restart, a failing transaction."""

import pytest
from sqlalchemy import func, select, text

from gardenhub.accounts.models import User
from gardenhub.extensions import db

pytestmark = pytest.mark.postgres


def test_app_recovers_after_the_database_drops_its_connections(
    app, client, make_workday
):
    workday = make_workday(public_title="Still here")
    assert client.get("/").status_code == 200
    # What a PostgreSQL restart does to a pool: every open connection dies.
    with db.engine.connect() as admin:
        admin.execute(
            text(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                "where datname = current_database() and pid <> pg_backend_pid()"
            )
        )
    response = client.get(f"/workdays/{workday.id}")
    assert response.status_code == 200
    assert "Still here" in response.get_data(as_text=True)


def test_a_failing_transaction_rolls_back_and_shows_an_error_page(
    app, client, auth, make_user, monkeypatch
):
    from gardenhub.accounts import services

    person = make_user(name="Before")
    auth.login(person)
    real = services.update_profile

    def half_then_fail(user, **fields):
        real(user, **fields)
        db.session.flush()  # the change reached the database inside the transaction
        db.session.execute(text("select 1/0"))

    monkeypatch.setattr(services, "update_profile", half_then_fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post("/profile", data={"display_name": "After"})
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, person.id).display_name == "Before"
    assert db.session.scalar(select(func.count(User.id))) == 1
