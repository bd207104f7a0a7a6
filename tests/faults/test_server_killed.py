"""One of two server processes dies in the middle of a vote: its phones reconnect to the other
and send their unacknowledged ballots again; every vote is counted exactly once."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest

from benchmarks import servers
from benchmarks.lean_client import Ballot, http_session
from tests.faults.support import (
    choice_for,
    close_all,
    connect_phones,
    console,
    projector,
    run,
    wait_for,
)

pytestmark = pytest.mark.services
PHONES = 100
VOTING_SECONDS = 2.0


def test_killing_one_of_two_processes_mid_vote_loses_and_doubles_nothing(room, cluster):
    a, b = cluster
    sid = room.statement_ids[0]
    retried: list[Ballot] = []

    async def scenario() -> tuple[list[dict[str, int]], dict[str, object] | None]:
        async with http_session() as http:
            desk = await console(http, room, a.base)
            screen_socket, screen = await projector(http, room, a.base, desk)
            phones = await connect_phones(http, room, [a.base, b.base], PHONES)
            on_b = phones[1::2]
            status, body = await desk.action(http, "open", sid)
            assert status == 200, body

            rng = random.Random(6)
            loop = asyncio.get_running_loop()
            for i, phone in enumerate(phones):
                loop.call_later(rng.uniform(0, VOTING_SECONDS), phone.vote, sid, choice_for(i))

            # Kill B once a quarter of its phones have their acknowledgement: the rest are
            # queued, on the wire, or being counted when it dies.
            await wait_for(lambda: sum(len(p.acked) for p in on_b) >= len(on_b) // 4, 30, "votes")
            b.kill()
            acked_before_kill = sum(len(p.acked) for p in on_b)

            await wait_for(
                lambda: all(p.acked and not p.queue for p in phones), 60, "every ballot", phones
            )
            assert all(p.online.is_set() for p in phones)
            assert all(not p.refused for p in phones), [p.refused for p in phones if p.refused]
            assert acked_before_kill < len(on_b), "B died after all its votes: no fault tested"
            assert all(p.reconnects == 1 for p in on_b)
            retried.extend(b for p in phones for b in p.acked if b.ack.get("retried"))

            # The burst's own last push shows every vote, although B may have died holding the
            # room's next push (the survivor then takes it over, workshops/live.py)...
            await wait_for(lambda: screen.shows(sid, PHONES), 20, "the count before the reveal")
            # ... and the reveal shows the exact tally.
            expected = Counter(choice_for(i) for i in range(PHONES))
            status, body = await desk.action(http, "reveal", sid)
            assert status == 200, body
            tally = {c: expected[c] for c in ("yes", "no", "discuss")}
            await wait_for(lambda: screen.shows(sid, PHONES, tally), 20, "the projector's tally")
            shown = screen.current(sid)
            await screen_socket.close()
            await close_all(phones)
            return [dict(tally)], shown

    [tally], shown = run(scenario())
    counted = servers.count_votes(room.database_url, room.workshop_id, sid)
    assert counted.tally == tally
    assert counted.votes == PHONES
    assert counted.ballots == PHONES  # one event per ballot: a resent ballot is not a second
    assert counted.participants == PHONES
    assert shown is not None and shown["eligible"] == PHONES
