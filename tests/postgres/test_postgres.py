"""Checks that only make sense on PostgreSQL: selected by .ci/run."""

import os

import pytest
from sqlalchemy import event

from gardenhub.db import lock
from gardenhub.extensions import db

pytestmark = pytest.mark.postgres


def test_suite_really_runs_on_postgresql(app):
    assert os.environ.get("GARDENHUB_TEST_DATABASE_URL"), "set by .ci/run"
    assert db.engine.dialect.name == "postgresql"


def test_lock_selects_the_shift_row_for_update(app, make_workday):
    shift = make_workday().shifts[0]
    statements = []

    def capture(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        assert lock(shift) is shift
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert any("FOR UPDATE" in s and "FROM shift" in s for s in statements)
