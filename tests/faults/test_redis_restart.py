"""Redis restarts under two server processes: broadcasts stop while it is away (votes are
still counted and acknowledged) and resume when it is back, with the exact count.

The test runs a redis-server of its own on a free port, so stopping it never disturbs anyone
else using the machine's Redis; the fixture stops it whatever happens.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import servers
from benchmarks.lean_client import http_session
from tests.faults.support import (
    close_all,
    connect_phones,
    console,
    projector,
    run,
    start_cluster,
    until,
    wait_for,
)

pytestmark = pytest.mark.services


@pytest.fixture
def private_redis(redis_url: str, tmp_path: Path) -> Iterator[servers.RedisServer]:
    """``redis_url`` only gates the test like the others; the Redis used is our own."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server program to restart a Redis of its own")
    redis = servers.RedisServer(servers.free_port(), tmp_path / "redis")
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def test_broadcasts_resume_after_a_redis_restart(room, log_dir, private_redis):
    a, b = start_cluster(room, log_dir, private_redis.url)
    sid = room.statement_ids[0]

    async def scenario() -> None:
        async with http_session() as http:
            desk = await console(http, room, a.base)
            screen_socket, screen = await projector(http, room, a.base, desk)
            # three phones, all on B: what the projector on A sees travels through Redis
            phones = await connect_phones(http, room, [b.base], 3)
            status, body = await desk.action(http, "open", sid)
            assert status == 200, body
            await wait_for(lambda: screen.shows(sid, 0), 20, "the opened statement")

            first = phones[0].vote(sid, "yes")
            await wait_for(lambda: screen.shows(sid, 1), 20, "the first vote through Redis")

            private_redis.stop()
            second = phones[1].vote(sid, "no")
            await wait_for(lambda: second.ack is not None, 30, "the vote cast while Redis is down")
            assert second.ack["ok"] is True, second.ack  # counted and acknowledged all the same
            assert screen.shows(sid, 1)  # but nothing reached the projector

            private_redis.start()
            # Each process reconnects to Redis on its own schedule (python-socketio backs off
            # 1, 2, 4 … s). Until then a push may be lost; every resend of the same ballot is
            # harmless and pushes the state again.
            resend = {"statement_id": sid, "choice": "no", "ballot_id": second.ballot_id}
            socket = phones[1].socket
            assert socket is not None
            for _ in range(120):
                _, ack = await socket.call("cast_vote", resend)
                assert ack["ok"] is True and ack["retried"] is True, ack
                if await until(lambda: screen.shows(sid, 2), 0.5):
                    break
            assert screen.shows(sid, 2), "the projector never got the count after Redis came back"

            third = phones[2].vote(sid, "discuss")
            await wait_for(lambda: screen.shows(sid, 3), 20, "a fresh vote after the restart")
            assert third.ack and third.ack["ok"] is True and first.ack["ok"] is True
            status, body = await desk.action(http, "reveal", sid)
            assert status == 200, body
            tally = {"yes": 1, "no": 1, "discuss": 1}
            await wait_for(lambda: screen.shows(sid, 3, tally), 20, "the revealed tally")
            await screen_socket.close()
            await close_all(phones)

    try:
        run(scenario())
    finally:
        a.stop()
        b.stop()
    counted = servers.count_votes(room.database_url, room.workshop_id, sid)
    assert counted.tally == {"yes": 1, "no": 1, "discuss": 1}
    assert counted.ballots == 3
