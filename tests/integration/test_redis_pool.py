"""A burst of broadcasts through Redis loses nothing (redis-py's default pool of 100 would)."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from app import create_app

REDIS_URL = os.environ.get("BRYGGA_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="needs Redis: set BRYGGA_TEST_REDIS_URL (.ci/run does)"
)
BURST = 400


def burst_through(app, channel: str) -> int:
    """Emit BURST messages from as many threads at once; count what reaches the channel."""
    listener = redis.Redis.from_url(REDIS_URL or "").pubsub(ignore_subscribe_messages=True)
    listener.subscribe(channel)
    try:
        socketio = app.extensions["socketio"]
        start = threading.Barrier(BURST)

        def emit(n: int) -> None:
            start.wait()
            socketio.emit("ping", {"n": n}, to="nobody", namespace="/live")

        with ThreadPoolExecutor(max_workers=BURST) as pool:
            list(pool.map(emit, range(BURST)))
        seen: set[int] = set()
        deadline = time.monotonic() + 10  # the messages are already published; this only drains
        while len(seen) < BURST and time.monotonic() < deadline:
            message = listener.get_message(timeout=1)
            if message and message["type"] == "message":
                data = json.loads(message["data"])
                if data.get("event") == "ping":
                    payload = data["data"]
                    seen.add((payload[0] if isinstance(payload, list) else payload)["n"])
        return len(seen)
    finally:
        listener.close()


def app_with(tmp_path, channel: str, **config):
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'pool.sqlite3'}",
            "SOCKETIO_ASYNC_MODE": "threading",
            "SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
            "SOCKETIO_CHANNEL": channel,
            **config,
        }
    )


def publish_failures(caplog) -> int:
    return sum("Cannot publish to redis" in r.getMessage() for r in caplog.records)


def test_a_burst_of_four_hundred_broadcasts_all_reach_redis_without_a_failed_publish(
    tmp_path, caplog
):
    channel = f"brygga-pool-{uuid.uuid4().hex[:8]}"
    app = app_with(tmp_path, channel)
    assert app.extensions["socketio"].server.manager.redis_options == {"max_connections": 2000}
    assert burst_through(app, channel) == BURST
    assert publish_failures(caplog) == 0


def test_the_same_burst_through_a_small_pool_fails_publishes(tmp_path, caplog):
    """The failure the big pool prevents, shown with a pool of 4 (redis-py's default of 100
    fails the same way once a room's burst outgrows it): the manager gives up on a publish,
    reconnects with a new pool and retries once; a second failure drops the message."""
    channel = f"brygga-pool-{uuid.uuid4().hex[:8]}"
    app = app_with(tmp_path, channel, REDIS_MAX_CONNECTIONS=4)
    burst_through(app, channel)
    assert publish_failures(caplog) > 0
