"""Helpers shared by the fault tests: phones, the projector and the console on the lean
client, and waiting for a condition with a deadline (never a bare sleep)."""

from __future__ import annotations

import asyncio
import random
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks import servers
from benchmarks.lean_client import (
    Facilitator,
    LiveSocket,
    Phone,
    facilitator_login,
    join_by_api,
)
from benchmarks.ws_bench import bounded, until

# phone.js waits 8 s for an acknowledgement and then keeps the ballot until the next reconnect.
# These tests are about counting under faults, not latency (the benchmark's job), and the CI
# machine's two cores also run the servers and PostgreSQL: the phones here wait longer, so a
# slow acknowledgement is not mistaken for a lost vote.
ACK_TIMEOUT = 30.0

__all__ = ["Screen", "bounded", "connect_phones", "console", "projector", "until"]


@dataclass
class Screen:
    """What a projector (or console) shows: the latest ``state`` it received."""

    states: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, name: str, data: Any, now: float) -> None:
        if name == "state" and isinstance(data, dict):
            self.states.append(data)

    def current(self, statement_id: int) -> dict[str, Any] | None:
        if not self.states:
            return None
        current = self.states[-1].get("current")
        return current if current and current.get("id") == statement_id else None

    def shows(self, statement_id: int, voted: int, tally: dict[str, int] | None = None) -> bool:
        current = self.current(statement_id)
        if current is None or current.get("voted") != voted:
            return False
        return tally is None or (current.get("tally") or {}) == {**tally, "total": voted}


async def console(http: aiohttp.ClientSession, room: servers.Room, base: str) -> Facilitator:
    return await facilitator_login(http, base, room.email, room.password, room.workshop_id)


async def projector(
    http: aiohttp.ClientSession, room: servers.Room, base: str, desk: Facilitator
) -> tuple[LiveSocket, Screen]:
    screen = Screen()
    socket = LiveSocket(
        http,
        base,
        auth={"role": "projector", "workshop_id": room.workshop_id},
        cookie=desk.cookie,
        on_event=screen,
    )
    await socket.connect()
    return socket, screen


async def connect_phones(
    http: aiohttp.ClientSession,
    room: servers.Room,
    bases: list[str],
    n: int,
    *,
    reconnect_base: float = 0.2,
    reconnect_cap: float = 2.0,
    ack_timeout: float = ACK_TIMEOUT,
    seed: int = 6,
) -> list[Phone]:
    """Join ``n`` phones through the JSON API, phone i on server i % len(bases), and connect
    them; each reconnects with jittered backoff, its own server first, then the others."""

    async def join(i: int) -> str:
        org = room.phone_orgs[i % len(room.phone_orgs)]
        return await join_by_api(http, bases[i % len(bases)], room.code, org)

    tokens = await bounded(join, range(n), 8)
    assert all(isinstance(t, str) for t in tokens), tokens
    phones = []
    for i, token in enumerate(tokens):
        own = i % len(bases)
        phones.append(
            Phone(
                http,
                bases[own:] + bases[:own],
                auth={"role": "participant", "token": token, "lang": "en"},
                rng=random.Random(seed * 7919 + i),
                reconnect_base=reconnect_base,
                reconnect_cap=reconnect_cap,
                ack_timeout=ack_timeout,
            )
        )
    connected = await bounded(lambda p: p.connect(), phones, 50)
    failed = [c for c in connected if isinstance(c, BaseException)]
    assert not failed, failed[:3]
    return phones


async def close_all(phones: list[Phone]) -> None:
    await bounded(lambda p: p.close(), phones, 200)


async def wait_for(
    condition: Any, timeout: float, what: str, phones: list[Phone] | None = None
) -> None:
    """Poll ``condition`` until it holds; fail with ``what`` (and the phones' state) at the
    deadline."""
    if await until(condition, timeout, step=0.02):
        return
    detail = ""
    if phones is not None:
        detail = (
            f" (online {sum(p.online.is_set() for p in phones)}/{len(phones)}, "
            f"queued {sum(len(p.queue) for p in phones)}, "
            f"acked {sum(len(p.acked) for p in phones)}, "
            f"refused {sum(len(p.refused) for p in phones)}, "
            f"reconnects {sum(p.reconnects for p in phones)}, "
            f"failed connects {sum(p.connect_failures for p in phones)})"
        )
    raise AssertionError(f"gave up waiting: {what}{detail}")


def choice_for(i: int) -> str:
    return ("yes", "yes", "no", "discuss", "yes")[i % 5]


def run(coro: Any) -> Any:
    """Run a scenario to its end in a thread of its own: the browser tests' Playwright keeps an
    event loop running in the main thread for the whole session, where asyncio.run refuses."""
    outcome: dict[str, Any] = {}

    def main() -> None:
        try:
            outcome["value"] = asyncio.run(coro)
        except BaseException as exc:  # handed to the test's thread below
            outcome["error"] = exc

    thread = threading.Thread(target=main, name="fault-scenario")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def start_cluster(
    room: servers.Room, log_dir: Path, redis_url: str, count: int = 2
) -> list[servers.Server]:
    """``count`` app processes (serve.py, as `make run`) on one database and Redis channel."""
    channel = f"brygga-fault-{uuid.uuid4().hex[:8]}"
    procs = [
        servers.start_app(
            room.database_url,
            log_dir,
            name=f"app-{letter}",
            redis_url=redis_url,
            channel=channel,
            wait=False,
        )
        for letter in "abcd"[:count]
    ]
    servers.wait_all(procs)
    return procs
