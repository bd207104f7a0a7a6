"""Alembic's entry point: the app's metadata, and the connection the app hands over (or, from
the `alembic` command line, an engine made from DATABASE_URL)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

import journey_maps.rows  # noqa: F401  (registers the tables)
import reports.models  # noqa: F401
import roles.models  # noqa: F401
import workshops.models  # noqa: F401
from db import Base, make_engine

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = make_engine(os.environ.get("DATABASE_URL", "sqlite:///instance/brygga.sqlite3"))
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
