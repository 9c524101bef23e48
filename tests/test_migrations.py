"""Migrations: an empty database upgraded to head matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from gardenhub.extensions import db


def test_upgrade_from_empty_matches_models_and_downgrades_cleanly(app):
    db.drop_all()
    upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
    downgrade(revision="base")
    with db.engine.connect() as connection:
        tables = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
    assert tables == set()


def test_populated_database_survives_upgrade_downgrade_and_upgrade(app):
    """Rows written at the first migration are all there, unchanged, at head."""
    from sqlalchemy import text

    db.drop_all()
    upgrade(revision="0001")
    with db.engine.begin() as connection:
        for n in range(3):
            connection.execute(
                text(
                    'insert into "user" (email, display_name, role, is_active, '
                    "is_guest, shows_name, session_token, created_at) "
                    "values (:email, :name, "
                    "'volunteer', true, false, false, :token, :created)"
                ),
                {
                    "email": f"early{n}@example.org",
                    "name": f"Early {n} 🌱",
                    "token": f"token-{n}",
                    "created": "2026-01-01 10:00:00",
                },
            )
    upgrade()
    with db.engine.connect() as connection:
        rows = connection.execute(
            text(
                'select email, display_name, is_discreet, quiet_start from "user" '
                "order by email"
            )
        ).all()
    assert [(r[0], r[1], bool(r[2])) for r in rows] == [
        (f"early{n}@example.org", f"Early {n} 🌱", False) for n in range(3)
    ]
    assert all(str(r[3]).startswith("21:00") for r in rows)
    downgrade(revision="0001")
    upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(text('select count(*) from "user"')).scalar() == 3
    downgrade(revision="base")
