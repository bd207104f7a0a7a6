"""The database fixture for races: SQLite always, PostgreSQL when BRYGGA_TEST_POSTGRES_URL is set
(each test in a schema of its own, dropped afterwards)."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text

from app import create_app


@pytest.fixture(params=["sqlite", "postgresql"])
def db_app(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    else:
        url = os.environ.get("BRYGGA_TEST_POSTGRES_URL")
        if not url:
            pytest.skip("PostgreSQL tests need BRYGGA_TEST_POSTGRES_URL (set by .ci/run)")
        schema = f"t_{uuid.uuid4().hex[:10]}"
        from sqlalchemy import create_engine

        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{url}?options=-csearch_path%3D{schema}"
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SOCKETIO_ASYNC_MODE": "threading",
            "DATABASE_SCHEMA": "create_all",
        }
    )
    yield app
    app.extensions["db.engine"].dispose()
    if request.param == "postgresql":
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
