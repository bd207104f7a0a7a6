"""The SQLAlchemy base, the engine per app, and the one session a request or socket event uses."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table; constraint names are deterministic so migrations can refer to them."""

    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and write-serialising transactions.

    SQLite transactions start with BEGIN IMMEDIATE so that a vote and a close of the same
    statement are strictly ordered: a read-then-write transaction can never be overtaken
    between its check and its write (the race the vote/close test exercises). Waiting for
    that lock is done by ``begin_immediate``, not by SQLite's own busy handler: see there.
    """
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["pool_size"] = 10
        kwargs["max_overflow"] = 20
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")  # the pragmas above may wait for a lock
        # From here on the only statement that can find the database locked is BEGIN
        # IMMEDIATE (WAL readers never wait, and a transaction holds the write lock), and
        # begin_immediate does that waiting itself.
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not begin_immediate(connection.connection.dbapi_connection):
            # out of patience: one last try that fails through SQLAlchemy's own error handling
            connection.exec_driver_sql("BEGIN IMMEDIATE")


SQLITE_PATIENCE = 30.0  # seconds a transaction waits for the write lock before it fails


def begin_immediate(raw: Any, patience: float = SQLITE_PATIENCE) -> bool:
    """Start a write transaction on a raw sqlite3 connection, waiting politely for the lock.

    SQLite's busy handler sleeps inside C. Under gevent that sleep stops the whole process,
    including the greenlet that holds the lock and is waiting for its turn to finish, so a
    second transaction arriving at the wrong moment froze a server for the full busy timeout.
    Here the wait is ``time.sleep`` (a greenlet switch under gevent's monkey-patching, an
    ordinary sleep in threads and other processes), with a short backoff. False when the lock
    did not come within ``patience`` seconds.

    >>> import sqlite3
    >>> raw = sqlite3.connect(":memory:", isolation_level=None)
    >>> begin_immediate(raw), raw.in_transaction
    (True, True)
    """
    deadline = time.monotonic() + patience
    delay = 0.001
    while True:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return True
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        if time.monotonic() >= deadline:
            return False
        time.sleep(delay)
        delay = min(delay * 2, 0.02)


def init_app(app: Flask) -> None:
    """Create the engine and session factory for this app and close sessions at teardown."""
    engine = make_engine(app.config["DATABASE_URL"], echo=app.config.get("SQL_ECHO", False))
    app.extensions["db.engine"] = engine
    app.extensions["db.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    schema = app.config.get("DATABASE_SCHEMA", "migrate")
    if schema == "migrate":
        upgrade_schema(engine)
    elif schema == "create_all":  # the tests: a fresh file per test, no history to keep
        Base.metadata.create_all(engine)
    app.teardown_appcontext(_close_session)


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` with the Alembic migrations in migrations/."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        # SQLite alters a table by copying it and dropping the original; with foreign keys on,
        # that drop would cascade to every row that refers to it. The pragma only takes effect
        # outside a transaction, so it goes straight to the driver before BEGIN.
        raw = connection.connection.dbapi_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def get_session() -> Session:
    """The session of the current request or socket event, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db.sessionmaker"]()
    session: Session = g.db_session
    return session


def end_reading(session: Session) -> None:
    """End a transaction that only read, before slow work that needs no database (laying out
    a PDF, drawing a diagram). On SQLite every transaction holds the write lock (see
    ``make_engine``), so one left open through a second of layout would hold every vote in
    every room on the server for that second. Nothing is written, and what was loaded stays
    loaded (the sessions do not expire on commit); the next query begins a new transaction.

    >>> from sqlalchemy import text
    >>> session = Session(make_engine("sqlite://"))
    >>> session.scalar(text("SELECT 1")), session.in_transaction()
    (1, True)
    >>> end_reading(session)
    >>> session.in_transaction()
    False
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_reading() with unsaved changes: a use case forgot to commit")
    session.commit()


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session for work outside a request (CLI, background tasks); closed afterwards."""
    session: Session = app.extensions["db.sessionmaker"]()
    try:
        yield session
    finally:
        session.close()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
