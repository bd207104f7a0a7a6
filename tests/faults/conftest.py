"""Fault tests: real server processes on PostgreSQL and Redis, phones on the lean client.

Skipped, saying why, unless BRYGGA_TEST_POSTGRES_URL and BRYGGA_TEST_REDIS_URL are set (as
.ci/run sets them when the services answer), exactly like tests/integration.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import servers
from tests.faults.support import start_cluster

PG_URL = os.environ.get("BRYGGA_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("BRYGGA_TEST_REDIS_URL")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL schema of the test's own (dropped afterwards)."""
    if not PG_URL:
        pytest.skip("needs PostgreSQL: set BRYGGA_TEST_POSTGRES_URL (.ci/run does)")
    with servers.postgres_schema(PG_URL, prefix="fault") as url:
        yield url


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        pytest.skip("needs Redis: set BRYGGA_TEST_REDIS_URL (.ci/run does)")
    return REDIS_URL


@pytest.fixture
def room(pg_url: str) -> servers.Room:
    return servers.prepare_room(pg_url, statements=2)


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path / "logs"


@pytest.fixture
def cluster(room: servers.Room, log_dir: Path, redis_url: str) -> Iterator[list[servers.Server]]:
    """Two app processes sharing the room's database and a Redis channel."""
    procs = start_cluster(room, log_dir, redis_url)
    try:
        yield procs
    finally:
        for proc in procs:
            proc.stop()
