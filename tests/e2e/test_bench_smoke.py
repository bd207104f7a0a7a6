"""`make bench`'s WebSocket burst still runs, with a few phones, against each of its servers.

Only the outcome is checked (every vote acknowledged and counted once, the projector and every
phone end on the exact total); the figures themselves are the benchmark's business.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from benchmarks import ws_bench

PHONES = 20


def assert_exact(figures: dict[str, Any]) -> None:
    assert "error" not in figures, figures.get("error")
    assert figures["connect_failures"] == 0
    assert figures["acks_ok"] == PHONES and figures["acks_missing"] == 0
    assert figures["votes_lost"] == 0 and figures["tally_exact"] is True
    assert figures["projector_last_voted_before_reveal"] == PHONES
    assert figures["reveal_missing"] == 0
    assert figures["server_tracebacks"] == 0


def test_the_burst_runs_against_the_bare_server(tmp_path: Path) -> None:
    assert_exact(ws_bench._run_bare(PHONES, tmp_path))


def test_the_burst_runs_against_the_app_on_sqlite(tmp_path: Path) -> None:
    assert_exact(ws_bench._run_app_sqlite(PHONES, tmp_path))


def test_the_burst_runs_against_two_processes_on_postgresql_and_redis(tmp_path: Path) -> None:
    pg, redis_url = (
        os.environ.get(v) for v in ("BRYGGA_TEST_POSTGRES_URL", "BRYGGA_TEST_REDIS_URL")
    )
    if not (pg and redis_url):
        pytest.skip("needs BRYGGA_TEST_POSTGRES_URL and BRYGGA_TEST_REDIS_URL (.ci/run sets them)")
    assert_exact(ws_bench._run_app_pg(PHONES, tmp_path, pg, redis_url, 2, "gunicorn"))
