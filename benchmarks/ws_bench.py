"""WebSocket load figures: a room of phones voting in a burst, over real WebSocket.

Scenario "burst", for each number of phones: start real server processes, join the phones
through the pages as browsers do, connect them to ``/live``, open a statement from the
facilitator's console, let every phone vote at a random moment within one second, then reveal.
One asyncio process drives every phone with the lean client (benchmarks/lean_client.py), so
the figures are the server's, not the client's (the client's own event-loop lag is printed
beside them to show it).

Three setups, measured in the same run one after the other:

- ``app_sqlite``: the app as ``make run`` starts it (serve.py, gevent, SQLite);
- ``app_pg_redis_2proc``: two app processes as the README's production recipe (gunicorn's
  gevent worker) on PostgreSQL, sharing a Redis message queue, the phones split between them
  (needs ``BRYGGA_TEST_POSTGRES_URL`` and ``BRYGGA_TEST_REDIS_URL``);
- ``bare``: benchmarks/bare_server.py, python-socketio alone on the same stack with an
  in-memory count – the floor the app is compared with (ratio app/bare).
"""

from __future__ import annotations

import asyncio
import math
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

from benchmarks import servers
from benchmarks.lean_client import (
    Ballot,
    Facilitator,
    LiveSocket,
    Phone,
    SocketClosed,
    SocketRefused,
    facilitator_login,
    http_session,
    join_by_page,
)

T = TypeVar("T")
ItemT = TypeVar("ItemT")

PHONE_COUNTS = (200, 500, 1000)
BURST_SECONDS = 1.0
JOIN_CONCURRENCY = 8
CONNECT_CONCURRENCY = 50
# phone.js gives up waiting for an acknowledgement after 8 s (the ballot stays queued and goes
# again on reconnect); the benchmark waits longer so that it measures every latency, and
# counts the acknowledgements a browser would have given up on.
PHONE_JS_ACK_TIMEOUT = 8.0
ACK_WAIT = 60.0
CHOICES = ("yes",) * 5 + ("no",) * 3 + ("discuss",) * 2  # phone i votes CHOICES[i % 10]

# The targets of issue #6, printed beside the figures.
TARGETS = {
    "phones": 1000,
    "ack_p99_ms": 300.0,
    "projector_exact_after_last_vote_ms": 500.0,
    "reveal_p99_ms": 500.0,
    "rss_per_phone_kb": 100.0,
    "app_over_bare": 1.5,
}
# The figures compared with the bare server (app/bare).
COMPARED = (
    ("ack", "p50_ms"),
    ("ack", "p95_ms"),
    ("ack", "p99_ms"),
    ("projector_exact_after_last_vote_ms", None),
    ("reveal_to_phone", "p50_ms"),
    ("reveal_to_phone", "p95_ms"),
    ("reveal_to_phone", "p99_ms"),
    ("open_to_phone", "p99_ms"),
    ("rss_per_phone_kb", None),
)


# --- Small helpers ---------------------------------------------------------------------------


def percentiles(seconds: list[float]) -> dict[str, float | int | None]:
    """Nearest-rank percentiles of durations given in seconds, in milliseconds.

    >>> percentiles([0.001 * i for i in range(1, 101)])
    {'n': 100, 'p50_ms': 50.0, 'p95_ms': 95.0, 'p99_ms': 99.0, 'max_ms': 100.0}
    """
    if not seconds:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    ordered = sorted(seconds)

    def rank(q: float) -> float:
        index = max(0, math.ceil(round(q * len(ordered), 9)) - 1)
        return round(1000 * ordered[index], 1)

    return {
        "n": len(ordered),
        "p50_ms": rank(0.50),
        "p95_ms": rank(0.95),
        "p99_ms": rank(0.99),
        "max_ms": round(1000 * ordered[-1], 1),
    }


async def bounded(
    work: Callable[[ItemT], Awaitable[T]], items: Iterable[ItemT], limit: int
) -> list[T | BaseException]:
    """Run ``work`` over ``items`` with at most ``limit`` at once; exceptions are returned."""
    gate = asyncio.Semaphore(limit)

    async def one(item: ItemT) -> T:
        async with gate:
            return await work(item)

    return await asyncio.gather(*(one(item) for item in items), return_exceptions=True)


async def until(condition: Callable[[], bool], timeout: float, step: float = 0.005) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(step)
    return True


class LagMonitor:
    """The client's own event-loop lag: how late a 5 ms timer fires. A lag near the measured
    latencies would mean the client, not the server, is the bottleneck."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.005)
            self.samples.append(time.perf_counter() - start - 0.005)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> dict[str, float | int | None]:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        return percentiles(self.samples)


class PhoneWatch:
    """What one phone saw: its connect-time state, the statement opening, the reveal."""

    __slots__ = ("full", "messages", "n", "opened", "revealed", "started", "statement_id")

    def __init__(self, statement_id: int, n: int) -> None:
        self.statement_id = statement_id
        self.n = n
        self.started: float | None = None
        self.full: float | None = None  # when it first counted every phone in the room
        self.opened: float | None = None
        self.revealed: float | None = None
        self.messages = 0

    def __call__(self, name: str, data: Any, now: float) -> None:
        if name != "state" or not isinstance(data, dict):
            return
        self.messages += 1
        if self.started is None:
            self.started = now
        if self.full is None and data.get("joined") == self.n:
            self.full = now
        current = data.get("current")
        if not current or current.get("id") != self.statement_id:
            return
        if self.opened is None and current.get("state") == "open":
            self.opened = now
        tally = current.get("tally")
        if (
            self.revealed is None
            and current.get("revealed")
            and tally
            and tally.get("total") == self.n
        ):
            self.revealed = now


class ProjectorWatch:
    """The projector: when it first showed the exact total, and how many pushes it got."""

    def __init__(self, statement_id: int, n: int) -> None:
        self.statement_id = statement_id
        self.n = n
        self.exact_at: float | None = None
        self.full: float | None = None
        self.pushes: list[tuple[float, int]] = []

    def __call__(self, name: str, data: Any, now: float) -> None:
        if name != "state" or not isinstance(data, dict):
            return
        if self.full is None and data.get("joined") == self.n:
            self.full = now
        current = data.get("current")
        if not current or current.get("id") != self.statement_id:
            return
        voted = int(current.get("voted", -1))
        self.pushes.append((now, voted))
        if self.exact_at is None and voted == self.n:
            self.exact_at = now


# --- Targets: who serves the phones ----------------------------------------------------------


class Target:
    """A server setup: how phones join and connect, the console's buttons, the count."""

    name = "target"
    database = "memory"

    def __init__(self, procs: list[servers.Server]) -> None:
        self.procs = procs

    @property
    def bases(self) -> list[str]:
        return [p.base for p in self.procs]

    def rss_kb(self) -> int:
        return sum(p.rss_kb() for p in self.procs)

    def cpu_seconds(self) -> float:
        return sum(p.cpu_seconds() for p in self.procs)

    def server_errors(self) -> int:
        return sum(p.tail(100000).count("Traceback") for p in self.procs)

    async def setup(self, http: aiohttp.ClientSession) -> None:
        return None

    async def join(
        self, http: aiohttp.ClientSession, i: int
    ) -> tuple[str, dict[str, Any], str | None]:
        raise NotImplementedError

    def projector(self) -> tuple[str, dict[str, Any], str | None]:
        raise NotImplementedError

    async def action(self, http: aiohttp.ClientSession, action: str) -> Any:
        raise NotImplementedError

    async def count(self, http: aiohttp.ClientSession) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def statement_id(self) -> int:
        raise NotImplementedError


class AppTarget(Target):
    def __init__(self, name: str, database: str, room: servers.Room, procs: list[servers.Server]):
        super().__init__(procs)
        self.name = name
        self.database = database
        self.room = room
        self.console: Facilitator | None = None

    @property
    def statement_id(self) -> int:
        return self.room.statement_ids[0]

    async def setup(self, http: aiohttp.ClientSession) -> None:
        self.console = await facilitator_login(
            http, self.bases[0], self.room.email, self.room.password, self.room.workshop_id
        )

    async def join(
        self, http: aiohttp.ClientSession, i: int
    ) -> tuple[str, dict[str, Any], str | None]:
        base = self.bases[i % len(self.bases)]
        org = self.room.phone_orgs[i % len(self.room.phone_orgs)]
        cookie = await join_by_page(http, base, self.room.code, org)
        return base, {"role": "participant", "code": self.room.code, "lang": "sv"}, cookie

    def projector(self) -> tuple[str, dict[str, Any], str | None]:
        assert self.console is not None
        auth = {"role": "projector", "workshop_id": self.room.workshop_id}
        return self.bases[0], auth, self.console.cookie

    async def action(self, http: aiohttp.ClientSession, action: str) -> Any:
        assert self.console is not None
        status, body = await self.console.action(http, action, self.statement_id)
        if status != 200:
            raise RuntimeError(f"{action} answered {status}: {body}")
        return body

    async def count(self, http: aiohttp.ClientSession) -> dict[str, Any]:
        counted = await asyncio.to_thread(
            servers.count_votes, self.room.database_url, self.room.workshop_id, self.statement_id
        )
        return {
            "source": "database",
            "tally": counted.tally,
            "votes": counted.votes,
            "ballots": counted.ballots,
            "participants": counted.participants,
        }


class BareTarget(Target):
    name = "bare"

    @property
    def statement_id(self) -> int:
        return 1

    async def join(
        self, http: aiohttp.ClientSession, i: int
    ) -> tuple[str, dict[str, Any], str | None]:
        base = self.bases[0]
        async with http.post(f"{base}/api/v1/join", json={"organisation_id": 2}) as response:
            body = await response.json()
        return base, {"role": "participant", "token": body["participant_token"]}, None

    def projector(self) -> tuple[str, dict[str, Any], str | None]:
        return self.bases[0], {"role": "projector", "workshop_id": 1}, None

    async def action(self, http: aiohttp.ClientSession, action: str) -> Any:
        async with http.post(f"{self.bases[0]}/live/{action}") as response:
            return await response.json()

    async def count(self, http: aiohttp.ClientSession) -> dict[str, Any]:
        async with http.get(f"{self.bases[0]}/count") as response:
            body = await response.json()
        tally = {k: v for k, v in body["tally"].items() if k != "total"}
        return {
            "source": "memory",
            "tally": tally,
            "votes": body["tally"]["total"],
            "ballots": body["ballots"],
            "participants": None,
        }


# --- The scenario ----------------------------------------------------------------------------


def profile_servers(
    procs: list[servers.Server], label: str
) -> list[tuple[subprocess.Popen[bytes], Path]]:
    """With ``BENCH_PROFILE=<folder>``: sample each serving process with py-spy during the burst.

    The samples go to ``<folder>/<label>-<pid>.txt`` as collapsed stacks (one line per stack,
    ``frame;frame;… count``), which `benchmarks/profile_summary.py` sums up. py-spy is not a
    dependency of the project: ``pip install py-spy`` into the venv first.
    """
    folder = os.environ.get("BENCH_PROFILE")
    if not folder:
        return []
    Path(folder).mkdir(parents=True, exist_ok=True)
    started = []
    for proc in procs:
        pid = proc.worker_pid
        out = Path(folder) / f"{label}-{pid}.txt"
        # --duration: a sampler the burst never stops (it failed) ends by itself
        command = [_py_spy(), "record", "--pid", str(pid), "--rate", "1000", "--nonblocking"]
        command += ["--duration", "120"]
        command += ["--format", "raw", "--output", str(out)]
        started.append((subprocess.Popen(command, stdout=subprocess.DEVNULL), out))
    return started


def _py_spy() -> str:
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise RuntimeError("BENCH_PROFILE needs py-spy: .venv/bin/pip install py-spy")
    return found


def stop_profiles(started: list[tuple[subprocess.Popen[bytes], Path]]) -> list[str]:
    """Stop the samplers (py-spy writes its file on SIGINT); the files written."""
    for sampler, _ in started:
        sampler.send_signal(signal.SIGINT)
    for sampler, _ in started:
        sampler.wait(timeout=30)
    return [str(out) for _, out in started]


async def burst(target: Target, n: int, seed: int = 6) -> dict[str, Any]:
    """Join ``n`` phones, connect them, open, vote within one second, reveal; the figures."""
    rng = random.Random(seed)
    sid = target.statement_id
    figures: dict[str, Any] = {"phones": n, "servers": len(target.procs)}
    # Other work on the machine skews every figure: keep the 1-minute load beside them.
    figures["load_average_at_start"] = round(os.getloadavg()[0], 2)
    figures["database"] = target.database
    async with http_session() as http:
        await target.setup(http)
        watch = ProjectorWatch(sid, n)
        base, auth, cookie = target.projector()
        projector = LiveSocket(http, base, auth=auth, cookie=cookie, on_event=watch)
        await projector.connect()

        start = time.perf_counter()
        joined = await bounded(lambda i: target.join(http, i), range(n), JOIN_CONCURRENCY)
        figures["join_seconds"] = round(time.perf_counter() - start, 2)
        failures = [j for j in joined if isinstance(j, BaseException)]
        if failures:
            raise RuntimeError(f"{len(failures)} joins failed, first: {failures[0]!r}")
        entries = [j for j in joined if not isinstance(j, BaseException)]
        figures["rss_kb_before_connect"] = target.rss_kb()

        watches = [PhoneWatch(sid, n) for _ in range(n)]
        phones = [
            Phone(
                http,
                [b],
                auth=a,
                cookie=c,
                on_event=w,
                rng=random.Random(seed * 7919 + i),
                ack_timeout=ACK_WAIT,
            )
            for i, ((b, a, c), w) in enumerate(zip(entries, watches, strict=True))
        ]
        start = time.perf_counter()
        connected = await bounded(lambda p: p.connect(), phones, CONNECT_CONCURRENCY)
        figures["connect_seconds"] = round(time.perf_counter() - start, 2)
        figures["connect_failures"] = sum(isinstance(c, BaseException) for c in connected)
        await until(lambda: all(w.started is not None for w in watches), 30)
        # A phone is in the room from its first connection, and the room hears of it through
        # the throttled pushes: let the last of those arrive (the phones' come up to a second
        # after the last connect) so that the burst's figures are the burst's alone.
        settled = await until(
            lambda: watch.full is not None and all(w.full is not None for w in watches), 30
        )
        figures["room_counted_every_phone"] = settled
        figures["rss_kb_after_connect"] = target.rss_kb()
        grown = figures["rss_kb_after_connect"] - figures["rss_kb_before_connect"]
        figures["rss_per_phone_kb"] = round(grown / n, 1)

        opened_at = time.perf_counter()
        await target.action(http, "open")
        await until(lambda: all(w.opened is not None for w in watches), 30)
        figures["open_to_phone"] = percentiles(
            [w.opened - opened_at for w in watches if w.opened is not None]
        )

        profiles = profile_servers(target.procs, f"{target.name}-{n}")
        lag = LagMonitor()
        lag.start()
        cpu_before = target.cpu_seconds()
        ballots: list[Ballot | None] = [None] * n
        expected = Counter(CHOICES[i % len(CHOICES)] for i in range(n))

        def cast(i: int) -> None:
            ballots[i] = phones[i].vote(sid, CHOICES[i % len(CHOICES)])

        loop = asyncio.get_running_loop()
        for i in range(n):
            loop.call_later(rng.uniform(0, BURST_SECONDS), cast, i)
        before = sum(w.messages for w in watches)
        await until(
            lambda: all(b is not None and b.acked_at is not None for b in ballots),
            BURST_SECONDS + ACK_WAIT,
        )
        sent = [b for b in ballots if b is not None and b.sent_at is not None]
        done = [b for b in sent if b.acked_at is not None and b.sent_at is not None]
        waited = [b.acked_at - b.sent_at for b in done if b.acked_at and b.sent_at]
        figures["ack"] = percentiles(waited)
        figures["acks_ok"] = sum(1 for b in done if isinstance(b.ack, dict) and b.ack.get("ok"))
        figures["acks_refused"] = len(done) - figures["acks_ok"]
        figures["acks_missing"] = n - len(done)
        figures["acks_over_phone_js_timeout"] = sum(w > PHONE_JS_ACK_TIMEOUT for w in waited)
        last_vote = max((b.sent_at for b in sent if b.sent_at), default=None)
        last_ack = max((b.acked_at for b in done if b.acked_at), default=None)
        first_vote = min((b.sent_at for b in sent if b.sent_at), default=None)
        if first_vote is not None and last_vote is not None:
            figures["burst_seconds"] = round(last_vote - first_vote, 3)
        await until(lambda: watch.exact_at is not None, 5)
        cpu = target.cpu_seconds() - cpu_before
        figures["profiles"] = stop_profiles(profiles)
        figures["server_cpu_ms_per_vote"] = round(1000 * cpu / n, 2)
        figures["client_loop_lag"] = await lag.stop()
        if watch.exact_at is not None and last_vote is not None and last_ack is not None:
            figures["projector_exact_after_last_vote_ms"] = round(
                1000 * (watch.exact_at - last_vote), 1
            )
            figures["projector_exact_after_last_ack_ms"] = round(
                1000 * (watch.exact_at - last_ack), 1
            )
        else:
            figures["projector_exact_after_last_vote_ms"] = None
            figures["projector_exact_after_last_ack_ms"] = None
        figures["projector_pushes_during_burst"] = sum(
            1 for t, _ in watch.pushes if first_vote is not None and t >= first_vote
        )
        figures["phone_messages_during_burst"] = sum(w.messages for w in watches) - before
        figures["projector_last_voted_before_reveal"] = (
            watch.pushes[-1][1] if watch.pushes else None
        )

        revealed_at = time.perf_counter()
        await target.action(http, "reveal")
        await until(lambda: all(w.revealed is not None for w in watches), 30)
        reveal = [w.revealed - revealed_at for w in watches if w.revealed is not None]
        figures["reveal_to_phone"] = percentiles(reveal)
        figures["reveal_missing"] = n - len(reveal)

        counted = await target.count(http)
        figures["counted"] = counted
        figures["expected_tally"] = dict(expected)
        figures["votes_lost"] = n - int(counted["votes"])
        figures["tally_exact"] = (
            counted["tally"] == {c: expected.get(c, 0) for c in ("yes", "no", "discuss")}
            and counted["ballots"] == n
        )
        figures["reconnects"] = sum(p.reconnects for p in phones)
        figures["server_tracebacks"] = target.server_errors()

        await projector.close()
        await bounded(lambda p: p.close(), phones, 200)
    return figures


# --- Running the setups ----------------------------------------------------------------------


def _run_app_sqlite(n: int, tmp: Path) -> dict[str, Any]:
    url = f"sqlite:///{tmp / f'bench-{n}.sqlite3'}"
    room = servers.prepare_room(url)
    proc = servers.start_app(url, tmp / "logs", name=f"app-sqlite-{n}")
    try:
        figures = asyncio.run(burst(AppTarget("app_sqlite", "sqlite", room, [proc]), n))
    finally:
        proc.stop()
    figures["server"] = "serve.py (gevent)"
    return figures


def _run_app_pg(
    n: int, tmp: Path, pg_url: str, redis_url: str | None, processes: int, kind: str
) -> dict[str, Any]:
    with servers.postgres_schema(pg_url) as url:
        room = servers.prepare_room(url)
        channel = f"brygga-bench-{uuid.uuid4().hex[:8]}"
        procs: list[servers.Server] = []
        name = "app_pg_redis_2proc" if processes == 2 else "app_pg"
        try:
            for letter in "ab"[:processes]:
                procs.append(
                    servers.start_app(
                        url,
                        tmp / "logs",
                        name=f"{name}-{n}-{letter}",
                        kind=kind,
                        redis_url=redis_url,
                        channel=channel,
                        wait=False,
                    )
                )
            servers.wait_all(procs)
            figures = asyncio.run(burst(AppTarget(name, "postgresql", room, procs), n))
        finally:
            for proc in procs:
                proc.stop()
    server = "gunicorn -k gevent -w 1" if kind == "gunicorn" else "serve.py (gevent)"
    queue = ", Redis message queue" if redis_url else ""
    figures["server"] = f"{processes} × {server}{queue}"
    return figures


def _run_bare(n: int, tmp: Path) -> dict[str, Any]:
    proc = servers.start_bare(tmp / "logs", name=f"bare-{n}")
    try:
        figures = asyncio.run(burst(BareTarget([proc]), n))
    finally:
        proc.stop()
    figures["server"] = "bare python-socketio (gevent)"
    return figures


def _value(figures: dict[str, Any], key: str, sub: str | None) -> float | None:
    value = figures.get(key)
    if sub is not None:
        value = value.get(sub) if isinstance(value, dict) else None
    return float(value) if isinstance(value, int | float) else None


def ratios(app: dict[str, Any], bare: dict[str, Any]) -> dict[str, float | None]:
    """app/bare for each compared figure (None where either is missing or bare is zero)."""
    out: dict[str, float | None] = {}
    for key, sub in COMPARED:
        a, b = _value(app, key, sub), _value(bare, key, sub)
        name = f"{key}.{sub}" if sub else key
        out[name] = round(a / b, 2) if a is not None and b else None
    return out


def verdicts(name: str, figures: dict[str, Any]) -> list[str]:
    """Each target against one run's figures: 'met' or 'MISSED' with the measured value."""
    lines = []

    def check(label: str, value: float | None, limit: float) -> None:
        if value is None:
            lines.append(f"MISSED  {label}: not measured (limit {limit:g})")
        else:
            mark = "met   " if value < limit else "MISSED"
            lines.append(f"{mark}  {label}: {value:g} (target < {limit:g})")

    check("ack p99 ms", _value(figures, "ack", "p99_ms"), TARGETS["ack_p99_ms"])
    check(
        "projector exact total after last vote ms",
        _value(figures, "projector_exact_after_last_vote_ms", None),
        TARGETS["projector_exact_after_last_vote_ms"],
    )
    check("reveal p99 ms", _value(figures, "reveal_to_phone", "p99_ms"), TARGETS["reveal_p99_ms"])
    check(
        "RSS per phone KB",
        _value(figures, "rss_per_phone_kb", None),
        TARGETS["rss_per_phone_kb"],
    )
    lost = figures.get("votes_lost")
    exact = figures.get("tally_exact")
    mark = "met   " if lost == 0 and exact else "MISSED"
    lines.append(f"{mark}  votes lost: {lost} (tally exact: {exact}; target 0)")
    return [f"[{name} n={figures['phones']}] {line}" for line in lines]


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float | int) else str(value)


def print_table(name: str, runs: dict[str, dict[str, Any]]) -> None:
    print(f"\n== {name} ==")
    head = (
        f"{'phones':>6} {'ack p50':>8} {'p95':>7} {'p99':>7} {'proj.exact':>10} "
        f"{'reveal p50':>10} {'p95':>7} {'p99':>7} {'open p99':>8} {'lost':>4} "
        f"{'KB/phone':>8} {'join s':>6} {'lag p99':>7}"
    )
    print(head)
    for n, f in runs.items():
        if "skipped" in f or "error" in f:
            print(f"{n:>6} {f.get('skipped') or f.get('error')}")
            continue
        print(
            f"{n:>6} {_fmt(f['ack']['p50_ms']):>8} {_fmt(f['ack']['p95_ms']):>7} "
            f"{_fmt(f['ack']['p99_ms']):>7} {_fmt(f['projector_exact_after_last_vote_ms']):>10} "
            f"{_fmt(f['reveal_to_phone']['p50_ms']):>10} "
            f"{_fmt(f['reveal_to_phone']['p95_ms']):>7} "
            f"{_fmt(f['reveal_to_phone']['p99_ms']):>7} "
            f"{_fmt(f['open_to_phone']['p99_ms']):>8} {_fmt(f['votes_lost']):>4} "
            f"{_fmt(f['rss_per_phone_kb']):>8} {_fmt(f['join_seconds']):>6} "
            f"{_fmt(f['client_loop_lag']['p99_ms']):>7}"
        )
    print(
        f"targets: {TARGETS['phones']} phones, ack p99 < {TARGETS['ack_p99_ms']:g} ms, projector "
        f"exact < {TARGETS['projector_exact_after_last_vote_ms']:g} ms after the last vote, "
        f"reveal p99 < {TARGETS['reveal_p99_ms']:g} ms, < {TARGETS['rss_per_phone_kb']:g} KB "
        f"per phone, 0 lost, <= {TARGETS['app_over_bare']:g}x bare"
    )


def phone_counts() -> list[int]:
    raw = os.environ.get("BENCH_PHONES")
    return [int(x) for x in raw.split(",")] if raw else list(PHONE_COUNTS)


def setups() -> list[str]:
    raw = os.environ.get("BENCH_WS", "bare,sqlite,2proc")
    return [x.strip() for x in raw.split(",") if x.strip()]


def run() -> dict[str, Any]:
    """Every setup for every number of phones; prints tables, ratios and verdicts."""
    pg_url = os.environ.get("BRYGGA_TEST_POSTGRES_URL")
    redis_url = os.environ.get("BRYGGA_TEST_REDIS_URL")
    chosen = setups()
    results: dict[str, dict[str, Any]] = {}
    if "bare" in chosen:
        results["bare"] = {}
    if "sqlite" in chosen:
        results["app_sqlite"] = {}
    if "pg" in chosen:
        results["app_pg"] = {}
    if "2proc" in chosen:
        results["app_pg_redis_2proc"] = {}
    server_kind = os.environ.get("BENCH_SERVER", "gunicorn")
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="brygga-ws-")))
        for n in phone_counts():
            for name in list(results):
                key = str(n)
                print(f"ws burst: {name}, {n} phones …", flush=True)
                try:
                    if name == "bare":
                        results[name][key] = _run_bare(n, tmp)
                    elif name == "app_sqlite":
                        results[name][key] = _run_app_sqlite(n, tmp)
                    elif not pg_url or (name == "app_pg_redis_2proc" and not redis_url):
                        results[name][key] = {
                            "skipped": "set BRYGGA_TEST_POSTGRES_URL and BRYGGA_TEST_REDIS_URL"
                        }
                    elif name == "app_pg":
                        results[name][key] = _run_app_pg(n, tmp, pg_url, None, 1, server_kind)
                    else:
                        results[name][key] = _run_app_pg(n, tmp, pg_url, redis_url, 2, server_kind)
                except (RuntimeError, TimeoutError, SocketClosed, SocketRefused, OSError) as exc:
                    results[name][key] = {"error": f"{type(exc).__name__}: {exc}"}
    for name, runs in results.items():
        print_table(name, runs)
    compared: dict[str, dict[str, Any]] = {}
    for name in ("app_sqlite", "app_pg", "app_pg_redis_2proc"):
        if name not in results or "bare" not in results:
            continue
        for count, figures in results[name].items():
            bare = results["bare"].get(count, {})
            if "ack" in figures and "ack" in bare:
                compared.setdefault(name, {})[count] = ratios(figures, bare)
    for name, per_n in compared.items():
        print(f"\n== {name} / bare (target <= {TARGETS['app_over_bare']:g}) ==")
        for count, values in per_n.items():
            shown = ", ".join(
                f"{k}={_fmt(v)}{'' if v is None or v <= TARGETS['app_over_bare'] else ' MISSED'}"
                for k, v in values.items()
            )
            print(f"{count:>6}: {shown}")
    lines = []
    for name, runs in results.items():
        for figures in runs.values():
            if "ack" in figures:
                lines += verdicts(name, figures)
    if not any(str(TARGETS["phones"]) in runs for runs in results.values()):
        lines.append(f"MISSED  {TARGETS['phones']:g} phones: not run (BENCH_PHONES)")
    print("\n== targets ==")
    print("\n".join(lines))
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "targets": TARGETS,
        "burst": results,
        "app_over_bare": compared,
        "verdicts": lines,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
