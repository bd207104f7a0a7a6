"""The database connection drops (a PostgreSQL restart, a failover, a killed backend): the
request that was using it fails with a sentence the person can act on, and a retry succeeds.

Dropping idle connections is invisible (the pool's pre-ping replaces them). To fail a request
for certain, the test holds a row lock on the statement so that the server's transaction is
waiting inside PostgreSQL, then terminates every backend of that server.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy

from benchmarks import servers
from benchmarks.lean_client import http_session
from tests.faults.support import close_all, connect_phones, console, run, wait_for

pytestmark = pytest.mark.services


@pytest.fixture
def tagged(pg_url: str) -> tuple[str, str]:
    """The schema's URL with an application name that singles out the server's backends."""
    name = f"brygga_fault_{uuid.uuid4().hex[:8]}"
    return f"{pg_url}&application_name={name}", name


@pytest.fixture
def server(tagged: tuple[str, str], log_dir: Path) -> Iterator[tuple[servers.Room, servers.Server]]:
    url, _ = tagged
    room = servers.prepare_room(url, statements=2)
    proc = servers.start_app(url, log_dir, name="app")
    try:
        yield room, proc
    finally:
        proc.stop()


def terminate_backends(admin: sqlalchemy.Engine, application: str) -> int:
    with admin.connect() as conn:
        killed = conn.execute(
            sqlalchemy.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": application},
        ).scalar_one()
        conn.rollback()
    return int(killed)


def waiting_on_lock(admin: sqlalchemy.Engine, application: str) -> bool:
    with admin.connect() as conn:
        waiting = conn.execute(
            sqlalchemy.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = :name AND wait_event_type = 'Lock'"
            ),
            {"name": application},
        ).scalar_one()
        conn.rollback()
    return int(waiting) > 0


def test_a_dropped_connection_fails_the_vote_in_flight_with_a_sentence_and_a_retry_counts(
    server, tagged
):
    room, proc = server
    _, application = tagged
    sid = room.statement_ids[0]
    admin = sqlalchemy.create_engine(room.database_url.replace(application, "fault_admin"))

    async def scenario() -> None:
        async with http_session() as http:
            desk = await console(http, room, proc.base)
            [phone] = await connect_phones(http, room, [proc.base], 1)
            status, body = await desk.action(http, "open", sid)
            assert status == 200, body
            socket = phone.socket
            assert socket is not None

            # Idle connections dropped: the next vote never notices.
            assert terminate_backends(admin, application) > 0
            _, ack = await socket.call(
                "cast_vote", {"statement_id": sid, "choice": "no", "ballot_id": "idle-drop-1"}
            )
            assert ack["ok"] is True, ack

            # A connection dropped while the vote's transaction waits inside PostgreSQL.
            ballot = {"statement_id": sid, "choice": "yes", "ballot_id": "mid-drop-1"}
            with admin.connect() as locker:
                locker.execute(
                    sqlalchemy.text("SELECT id FROM statements WHERE id = :id FOR UPDATE"),
                    {"id": sid},
                )
                pending = asyncio.ensure_future(socket.call("cast_vote", ballot, timeout=20))
                await wait_for(
                    lambda: waiting_on_lock(admin, application), 20, "the vote to wait on the lock"
                )
                assert terminate_backends(admin, application) > 0
                locker.rollback()
            _, ack = await pending
            assert ack["ok"] is False, ack
            assert ack["code"] == "error.page.500"
            assert "try again" in ack["error"]  # the phone connected with "lang": "en"

            _, ack = await socket.call("cast_vote", ballot)  # the person taps again
            assert ack == {
                "ok": True,
                "statement_id": sid,
                "choice": "yes",
                "ballot_id": "mid-drop-1",
                "retried": False,
            }

            # The console's request whose connection drops: a JSON sentence, not an HTML page.
            with admin.connect() as locker:
                locker.execute(
                    sqlalchemy.text("SELECT id FROM statements WHERE id = :id FOR UPDATE"),
                    {"id": sid},
                )
                closing = asyncio.ensure_future(desk.action(http, "close", sid))
                await wait_for(lambda: waiting_on_lock(admin, application), 20, "the close to wait")
                assert terminate_backends(admin, application) > 0
                locker.rollback()
            status, body = await closing
            assert status == 500
            assert body["ok"] is False and "Försök igen" in body["error"], body
            status, body = await desk.action(http, "close", sid)  # the facilitator retries
            assert (status, body) == (200, {"ok": True})
            _, ack = await socket.call(
                "cast_vote", {"statement_id": sid, "choice": "no", "ballot_id": "after-close"}
            )
            assert ack["ok"] is False and ack["code"] == "error.statement_closed"
            await close_all([phone])

    try:
        run(scenario())
    finally:
        admin.dispose()
    counted = servers.count_votes(room.database_url, room.workshop_id, sid)
    assert counted.tally == {"yes": 1, "no": 0, "discuss": 0}
    assert counted.ballots == 2  # idle-drop-1 and mid-drop-1 (its failed attempt left nothing)
