"""Declarative base, UTC datetime type, row locks and SQLite transaction set-up."""

import sqlite3
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import DateTime, Engine, MetaData, event, select
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC; SQLite gets it back aware too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC time is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


M = TypeVar("M")


def unwrap(obj: M) -> M:
    """The row behind a proxy such as Flask-Login's `current_user`."""
    get = getattr(obj, "_get_current_object", None)
    return get() if callable(get) else obj


def lock(obj: M) -> M:
    """Re-read `obj`'s row with a write lock held until the transaction ends.

    PostgreSQL gets SELECT … FOR UPDATE. SQLite has no row locks; every
    transaction there starts with BEGIN IMMEDIATE (below), which already holds
    the database write lock, so a plain refresh is enough.
    """
    obj = unwrap(obj)
    session = Session.object_session(obj)
    mapper = type(obj)
    if session.get_bind().dialect.name == "sqlite":
        session.refresh(obj)
        return obj
    primary_key = mapper.__mapper__.primary_key[0]
    statement = (
        select(mapper)
        .where(primary_key == getattr(obj, primary_key.key))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(statement).one()


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE instead of pysqlite.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(connection):
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
