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
