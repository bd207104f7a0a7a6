"""WS1 figures: vote latency through the service layer and the cost of counting a room."""

from __future__ import annotations

import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from app import create_app
from db import session_scope
from workshops import services, voting

PHONES = 1000


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {"p50_ms": pick(0.50), "p95_ms": pick(0.95), "p99_ms": pick(0.99)}


def run(database_url: str | None = None) -> dict[str, Any]:
    """Join 1 000 phones, let them all vote on one statement from 8 threads, count the room."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app({"DATABASE_URL": url, "SOCKETIO_ASYNC_MODE": "threading"})
        with session_scope(app) as s:
            wid = services.create_workshop(
                s, owner_id=None, title="Bench", date=None, target_group="adults"
            )
            subject = services.add_organisation(s, workshop_id=wid, name="A", principal="region")
            other = services.add_organisation(s, workshop_id=wid, name="B", principal="private")
            [sid] = services.add_statements(
                s,
                workshop_id=wid,
                organisation_id=subject,
                topic="mandate",
                perspective="own",
                texts=["Bench statement"],
            )
            pids = [
                voting.join(
                    s, workshop_id=wid, organisation_id=other, display_name=None
                ).participant_id
                for _ in range(PHONES)
            ]
            voting.open_statements(s, workshop_id=wid, statement_ids=[sid])

        def one(pid: int) -> float:
            start = time.perf_counter()
            with session_scope(app) as s:
                voting.cast_vote(
                    s, participant_id=pid, statement_id=sid, choice="yes", ballot_id=f"bench-{pid}"
                )
            return time.perf_counter() - start

        wall = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            latencies = list(pool.map(one, pids))
        wall = time.perf_counter() - wall

        counts = []
        for _ in range(50):
            start = time.perf_counter()
            with session_scope(app) as s:
                state = voting.room_state(s, wid, audience="facilitator")
            counts.append(time.perf_counter() - start)
        assert state["current"]["voted"] == PHONES
        app.extensions["db.engine"].dispose()
    return {
        "database": url.split(":")[0],
        "phones": PHONES,
        "vote_service_latency": _percentiles(latencies),
        "votes_per_second": round(PHONES / wall, 1),
        "room_state_count_ms_median": round(1000 * statistics.median(counts), 3),
    }


if __name__ == "__main__":
    print(run())
