"""The Alembic migrations build exactly the schema the models describe (SQLite; PostgreSQL too
when BRYGGA_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from db import Base, upgrade_schema


# Alembic cannot reflect SQLite's expression indexes (the active-placement index); it says so.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_upgrading_an_empty_database_gives_the_models_schema(db_app):
    engine = db_app.extensions["db.engine"]
    Base.metadata.drop_all(engine)  # db_app made the tables from the models; start empty
    upgrade_schema(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert "alembic_version" in inspect(engine).get_table_names()


def test_upgrading_twice_changes_nothing(db_app):
    engine = db_app.extensions["db.engine"]
    Base.metadata.drop_all(engine)
    upgrade_schema(engine)
    upgrade_schema(engine)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() is not None


def test_upgrading_a_filled_database_keeps_every_row(tmp_path):
    """Migration 0002 copies the workshops table on SQLite: the copy must not cascade."""
    from sqlalchemy import text

    from db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_schema(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "insert into workshops (id, title, target_group, join_code,"
                " everyone_may_answer, kind, journey_open, created_at)"
                " values (1, 'Gammal', 'children', 'ABC234', 0, 'ws1', 0, '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "insert into organisations (id, workshop_id, name, principal)"
                " values (1, 1, 'Habilitering', 'region')"
            )
        )
    upgrade_schema(engine)
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from organisations")).scalar() == 1
        assert connection.execute(text("select anonymity_threshold from workshops")).scalar() == 3
        assert connection.execute(text("pragma foreign_keys")).scalar() == 1
    engine.dispose()
