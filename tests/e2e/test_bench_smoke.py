"""`make bench`'s WebSocket burst still runs, with a few phones, against each of its servers.

Only the outcome is checked (every vote acknowledged and counted once, the projector and every
phone end on the exact total); the figures themselves are the benchmark's business.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

PHONES = 20


def assert_exact(figures: dict[str, Any]) -> None:
    assert "error" not in figures, figures.get("error")
    assert figures["connect_failures"] == 0
    assert figures["acks_ok"] == PHONES and figures["acks_missing"] == 0
    assert figures["votes_lost"] == 0 and figures["tally_exact"] is True
    assert figures["projector_last_voted_before_reveal"] == PHONES
    assert figures["reveal_missing"] == 0
    assert figures["server_tracebacks"] == 0


def run_bench(tmp_path: Path, setups: str) -> dict[str, Any]:
    """``make bench``'s WebSocket part as a process of its own (its load generator runs an
    asyncio loop, which a test process with Playwright's loop cannot host)."""
    out = tmp_path / "bench.json"
    env = {
        **os.environ,
        "BENCH_ONLY": "ws",
        "BENCH_WS": setups,
        "BENCH_PHONES": str(PHONES),
        "BENCH_OUT": str(out),
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    burst: dict[str, Any] = json.loads(out.read_text("utf-8"))["ws"]["burst"]
    return {name: runs[str(PHONES)] for name, runs in burst.items()}


def test_the_burst_runs_against_the_bare_server_and_the_app_on_sqlite(tmp_path: Path) -> None:
    figures = run_bench(tmp_path, "bare,sqlite")
    assert set(figures) == {"bare", "app_sqlite"}
    for one in figures.values():
        assert_exact(one)


def test_the_burst_runs_against_two_processes_on_postgresql_and_redis(tmp_path: Path) -> None:
    if not all(os.environ.get(v) for v in ("BRYGGA_TEST_POSTGRES_URL", "BRYGGA_TEST_REDIS_URL")):
        pytest.skip("needs BRYGGA_TEST_POSTGRES_URL and BRYGGA_TEST_REDIS_URL (.ci/run sets them)")
    assert_exact(run_bench(tmp_path, "2proc")["app_pg_redis_2proc"])
