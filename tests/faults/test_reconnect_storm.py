"""A reconnect storm: 500 phones on two processes lose the network at once (a Wi-Fi access
point restarts) and come back within seconds with jittered backoff. Some had voted before, some
vote while offline (the ballot waits in the phone's queue). Afterwards every count is exact:
no vote lost or doubled, no participant duplicated, each phone sees its own vote again."""

from __future__ import annotations

import asyncio
import random

import pytest

from benchmarks import servers
from benchmarks.lean_client import http_session
from tests.faults.support import (
    bounded,
    choice_for,
    close_all,
    connect_phones,
    console,
    projector,
    run,
    wait_for,
)

pytestmark = pytest.mark.services
PHONES = 500
VOTED_BEFORE = range(0, 100)  # vote, acknowledged, before the storm
VOTE_OFFLINE = range(100, 150)  # vote while the network is down
# the other 350 do not answer this statement


def test_five_hundred_phones_dropping_and_rejoining_leave_every_count_exact(room, cluster):
    a, b = cluster
    sid = room.statement_ids[0]
    voters = [*VOTED_BEFORE, *VOTE_OFFLINE]
    expected = {c: 0 for c in ("yes", "no", "discuss")}
    for i in voters:
        expected[choice_for(i)] += 1

    async def scenario() -> dict[str, object] | None:
        async with http_session() as http:
            desk = await console(http, room, a.base)
            screen_socket, screen = await projector(http, room, a.base, desk)
            # Socket.IO's backoff from 1.5 s with ±50 % jitter: the first attempts spread over
            # 0.75–2.25 s, a refused or timed-out one is tried again up to 5 s later.
            phones = await connect_phones(
                http, room, [a.base, b.base], PHONES, reconnect_base=1.5, reconnect_cap=5.0
            )
            status, body = await desk.action(http, "open", sid)
            assert status == 200, body

            rng = random.Random(6)
            loop = asyncio.get_running_loop()
            for i in VOTED_BEFORE:
                loop.call_later(rng.uniform(0, 1.5), phones[i].vote, sid, choice_for(i))
            await wait_for(
                lambda: all(phones[i].acked for i in VOTED_BEFORE), 60, "the early votes", phones
            )

            for phone in phones:
                phone.drop()
            await wait_for(lambda: not any(p.online.is_set() for p in phones), 20, "the drop")
            for i in VOTE_OFFLINE:
                phones[i].vote(sid, choice_for(i))  # queued: sent when the phone is back

            await wait_for(
                lambda: (
                    all(p.online.is_set() for p in phones)
                    and all(phones[i].acked and not phones[i].queue for i in voters)
                ),
                120,
                "every phone back and every ballot acknowledged",
                phones,
            )
            assert all(p.reconnects >= 1 for p in phones)
            assert not any(p.refused for p in phones)
            acked = [b for p in phones for b in p.acked]
            assert len({b.ballot_id for b in acked}) == len(voters)

            # Each phone's own answer comes back with its state (phone.js shows it after a
            # reconnect): ask a sample of voters and non-voters.
            async def mine(i: int) -> tuple[int, object]:
                socket = phones[i].socket
                assert socket is not None
                _, ack = await socket.call("sync", {}, timeout=30)
                return i, ack["state"]["me"]["votes"].get(str(sid))

            sample = [*voters[::10], *range(150, PHONES, 25)]
            for result in await bounded(mine, sample, 20):
                assert not isinstance(result, BaseException), result
                i, vote = result
                assert vote == (choice_for(i) if i in voters else None), (i, vote)

            status, body = await desk.action(http, "reveal", sid)
            assert status == 200, body
            await wait_for(
                lambda: screen.shows(sid, len(voters), expected), 30, "the projector's tally"
            )
            shown = screen.states[-1]
            await screen_socket.close()
            await close_all(phones)
            return shown

    shown = run(scenario())
    assert shown is not None and shown["joined"] == PHONES
    counted = servers.count_votes(room.database_url, room.workshop_id, sid)
    assert counted.tally == expected
    assert counted.ballots == len(voters)
    assert counted.participants == PHONES
