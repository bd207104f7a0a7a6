"""A lean Socket.IO v4 client for load and fault tests: raw Engine.IO packets over aiohttp.

Why not python-socketio's own client: it spends so much per message (a packet object, an
event-handler lookup, a task per event) that one process saturates near 10 000 messages a
second, and a burst of 1 000 phones each receiving every tally push is several times that – the
figures would measure the client, not the server. This client speaks only what a phone needs on
``/live`` over WebSocket (the open packet, namespace connect, events, acknowledgements, ping
and pong) and hands every event with its receive time to a plain callback, so one asyncio
process drives a thousand phones.

It joins and connects the way the browser does (``static/js/phone.js``): the join page and its
form with the CSRF token, the signed session cookie, then ``/socket.io/`` over WebSocket with
``{"role": "participant", "code": …}``; API clients use ``POST /api/v1/join`` and a token.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

NAMESPACE = "/live"
COOKIE = "brygga"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_PAGE_DATA = re.compile(r'"csrf": "([^"]+)"')

# (event name, payload, receive time from time.perf_counter())
EventHandler = Callable[[str, Any, float], None]


class SocketRefused(Exception):
    """The server refused the namespace connection (``connect_error``)."""


class SocketClosed(Exception):
    """The connection ended before the awaited answer came."""


def http_session(limit: int = 0) -> aiohttp.ClientSession:
    """One HTTP session for many phones: no shared cookie jar (each phone keeps its own
    cookie, as separate browsers do) and no connection cap (every WebSocket holds one)."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit, force_close=False),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=30),
    )


def _cookie_after(response: aiohttp.ClientResponse, cookie: str | None) -> str | None:
    morsel = response.cookies.get(COOKIE)
    return f"{COOKIE}={morsel.value}" if morsel is not None else cookie


class LiveSocket:
    """One Socket.IO connection to ``/live`` over a raw WebSocket."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        base_url: str,
        *,
        auth: dict[str, Any],
        cookie: str | None = None,
        on_event: EventHandler | None = None,
        on_close: Callable[[LiveSocket], None] | None = None,
    ) -> None:
        self.http = http
        self.base_url = base_url
        self.auth = auth
        self.cookie = cookie
        self.on_event = on_event
        self.on_close = on_close
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.connected = False
        self.was_connected = False
        self._prefix = NAMESPACE + ","
        self._acks: dict[int, asyncio.Future[tuple[float, Any]]] = {}
        self._next_id = 0
        self._joined: asyncio.Future[dict[str, Any]] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._closing: asyncio.Future[bool] | None = None

    async def connect(self, timeout: float = 10.0) -> None:
        """Open the WebSocket, connect the namespace; raises SocketRefused or SocketClosed."""
        loop = asyncio.get_running_loop()
        url = self.base_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        headers = {"Cookie": self.cookie} if self.cookie else {}
        try:
            self.ws = await asyncio.wait_for(
                self.http.ws_connect(url, headers=headers, autoping=True, max_msg_size=0),
                timeout,
            )
            opened = await self.ws.receive(timeout=timeout)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            await self._discard()
            raise SocketClosed(f"websocket to {url} failed: {exc!r}") from exc
        if opened.type is not aiohttp.WSMsgType.TEXT or not opened.data.startswith("0"):
            await self._discard()
            raise SocketClosed(f"no Engine.IO open packet: {opened!r}")
        self._joined = loop.create_future()
        self._reader = asyncio.create_task(self._read())
        await self.ws.send_str(f"40{NAMESPACE},{json.dumps(self.auth)}")
        try:
            await asyncio.wait_for(self._joined, timeout)
        except TimeoutError:
            self.abort()
            raise SocketClosed("no namespace connect answer") from None
        except (SocketRefused, SocketClosed):
            self.abort()
            raise
        self.connected = self.was_connected = True

    async def call(self, event: str, data: Any, timeout: float = 10.0) -> tuple[float, Any]:
        """Emit with an acknowledgement; returns (receive time, first ack argument)."""
        if self.ws is None or self.ws.closed:
            raise SocketClosed("not connected")
        self._next_id += 1
        ack_id = self._next_id
        future: asyncio.Future[tuple[float, Any]] = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        try:
            await self.ws.send_str(f"42{NAMESPACE},{ack_id}{json.dumps([event, data])}")
        except (ConnectionError, aiohttp.ClientError, RuntimeError) as exc:
            self._acks.pop(ack_id, None)
            raise SocketClosed(str(exc)) from exc
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._acks.pop(ack_id, None)

    async def close(self) -> None:
        """A clean goodbye: namespace disconnect, then the WebSocket close handshake."""
        if self.ws is not None and not self.ws.closed:
            try:
                await self.ws.send_str(f"41{NAMESPACE},")
                await self.ws.close()
            except (ConnectionError, aiohttp.ClientError, RuntimeError):
                pass
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    def abort(self) -> None:
        """Drop the connection as a lost network would: no close frame, the TCP socket reset."""
        conn = getattr(self.ws, "_conn", None)
        transport = getattr(conn, "transport", None)
        if transport is not None:
            transport.abort()
        elif self.ws is not None:
            self._closing = asyncio.ensure_future(self.ws.close())

    async def _discard(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def _read(self) -> None:
        ws = self.ws
        assert ws is not None
        try:
            async for message in ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    continue
                reply = self._packet(message.data, time.perf_counter())
                if reply is not None:
                    await ws.send_str(reply)
        except (ConnectionError, aiohttp.ClientError, RuntimeError):
            pass
        finally:
            self.connected = False
            error = SocketClosed("connection closed")
            if self._joined is not None and not self._joined.done():
                self._joined.set_exception(error)
            for future in self._acks.values():
                if not future.done():
                    future.set_exception(error)
            self._acks.clear()
            if self.on_close is not None:
                self.on_close(self)

    def _packet(self, data: str, now: float) -> str | None:
        kind = data[0]
        if kind == "2":  # Engine.IO ping from the server
            return "3"
        if kind != "4" or len(data) < 2:
            return None
        sio, rest = data[1], data[2:]
        if rest.startswith(self._prefix):
            rest = rest[len(self._prefix) :]
        if sio == "2":  # event
            start = rest.index("[")
            name, *args = json.loads(rest[start:])
            if self.on_event is not None:
                self.on_event(name, args[0] if args else None, now)
        elif sio == "3":  # acknowledgement
            start = rest.index("[")
            future = self._acks.get(int(rest[:start]))
            if future is not None and not future.done():
                values = json.loads(rest[start:])
                future.set_result((now, values[0] if values else None))
        elif sio == "0" and self._joined is not None and not self._joined.done():
            self._joined.set_result(json.loads(rest) if rest else {})
        elif sio == "4" and self._joined is not None and not self._joined.done():
            self._joined.set_exception(SocketRefused(rest))
        elif sio == "1" and self.ws is not None:  # the server disconnected the namespace
            self.abort()
        return None


# --- HTTP: joining and the facilitator's console ---------------------------------------------


async def join_by_page(
    http: aiohttp.ClientSession, base: str, code: str, organisation_id: int
) -> str:
    """Join like a browser: the join page, its form with the CSRF token, the phone page.
    Returns the session cookie that identifies the phone to the socket."""
    async with http.get(f"{base}/{code}") as response:
        page = await response.text()
        cookie = _cookie_after(response, None)
        if response.status != 200:
            raise RuntimeError(f"join page answered {response.status}")
    match = CSRF_FIELD.search(page)
    if match is None or cookie is None:
        raise RuntimeError("join page without a CSRF token or cookie")
    form = {"csrf_token": match.group(1), "organisation_id": str(organisation_id)}
    form["display_name"] = ""
    async with http.post(
        f"{base}/{code}", data=form, headers={"Cookie": cookie}, allow_redirects=False
    ) as response:
        cookie = _cookie_after(response, cookie)
        if response.status != 302:
            raise RuntimeError(f"join form answered {response.status}: {await response.text()}")
        location = response.headers.get("Location", f"/{code}/p")
    assert cookie is not None
    target = location if location.startswith("http") else base + location
    async with http.get(target, headers={"Cookie": cookie}) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"phone page answered {response.status}")
        cookie = _cookie_after(response, cookie)
    assert cookie is not None
    return cookie


async def join_by_api(
    http: aiohttp.ClientSession, base: str, code: str, organisation_id: int
) -> str:
    """Join through ``POST /api/v1/join``; returns the participant token."""
    async with http.post(
        f"{base}/api/v1/join", json={"code": code, "organisation_id": organisation_id}
    ) as response:
        body = await response.json()
        if response.status != 201:
            raise RuntimeError(f"join answered {response.status}: {body}")
    token: str = body["participant_token"]
    return token


@dataclass
class Facilitator:
    """A logged-in console: its cookie and CSRF token for the live actions."""

    base: str
    workshop_id: int
    cookie: str
    csrf: str

    async def action(
        self, http: aiohttp.ClientSession, action: str, statement_id: int | None = None
    ) -> tuple[int, Any]:
        """A console button (open, close, reveal, …) as the console's fetch sends it.

        A kept-alive connection the server has closed meanwhile (gunicorn closes idle ones
        after two seconds) fails before any answer; a browser then sends the request again on
        a fresh connection, and so does this (the actions are idempotent).
        """
        data = {} if statement_id is None else {"statement_id": str(statement_id)}
        for attempt in (1, 2):
            try:
                async with http.post(
                    f"{self.base}/f/w/{self.workshop_id}/live/{action}",
                    data=data,
                    headers={
                        "Cookie": self.cookie,
                        "X-CSRF-Token": self.csrf,
                        "Accept": "application/json",
                    },
                    allow_redirects=False,
                ) as response:
                    text = await response.text()
                    try:
                        body: Any = json.loads(text)
                    except ValueError:
                        body = text
                    return response.status, body
            except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError):
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


async def facilitator_login(
    http: aiohttp.ClientSession, base: str, email: str, password: str, workshop_id: int
) -> Facilitator:
    async with http.get(f"{base}/login") as response:
        page = await response.text()
        cookie = _cookie_after(response, None)
    match = CSRF_FIELD.search(page)
    assert match is not None and cookie is not None, "login page without a CSRF token"
    form = {"email": email, "password": password, "csrf_token": match.group(1)}
    async with http.post(
        f"{base}/login", data=form, headers={"Cookie": cookie}, allow_redirects=False
    ) as response:
        if response.status != 302:
            raise RuntimeError(f"login answered {response.status}")
        cookie = _cookie_after(response, cookie)
    assert cookie is not None
    async with http.get(
        f"{base}/f/w/{workshop_id}/console", headers={"Cookie": cookie}, allow_redirects=False
    ) as response:
        page = await response.text()
        cookie = _cookie_after(response, cookie)
    match = CSRF_PAGE_DATA.search(page)
    assert match is not None and cookie is not None, "console page without a CSRF token"
    return Facilitator(base, workshop_id, cookie, match.group(1))


# --- A phone that behaves like phone.js ------------------------------------------------------


def backoff_delay(attempt: int, rng: random.Random, base: float, cap: float) -> float:
    """Socket.IO's reconnection delay: exponential from ``base``, ±50 % jitter, capped.

    >>> rng = random.Random(1)
    >>> all(0.4 <= backoff_delay(0, rng, 0.8, 10.0) <= 1.2 for _ in range(100))
    True
    >>> backoff_delay(20, rng, 0.8, 10.0) <= 10.0
    True
    """
    delay = base * 2**attempt
    deviation = rng.random() * 0.5 * delay
    delay = delay - deviation if rng.random() < 0.5 else delay + deviation
    return min(delay, cap)


@dataclass
class Ballot:
    statement_id: int
    choice: str
    ballot_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    sent_at: float | None = None
    acked_at: float | None = None
    ack: Any = None

    def payload(self) -> dict[str, Any]:
        return {
            "statement_id": self.statement_id,
            "choice": self.choice,
            "ballot_id": self.ballot_id,
        }


class Phone:
    """A participant's phone: a queue of unacknowledged ballots (``localStorage`` in the
    browser), sent on connect and again after every reconnect, and a reconnect loop with
    Socket.IO's backoff over the server addresses in turn (a load balancer's stand-in)."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        bases: Sequence[str],
        *,
        auth: dict[str, Any],
        cookie: str | None = None,
        on_event: EventHandler | None = None,
        rng: random.Random | None = None,
        reconnect_base: float = 0.8,
        reconnect_cap: float = 10.0,
        ack_timeout: float = 8.0,
    ) -> None:
        self.http = http
        self.bases = list(bases)
        self.server = 0  # index into bases
        self.auth = auth
        self.cookie = cookie
        self.on_event = on_event
        self.rng = rng or random.Random()
        self.reconnect_base = reconnect_base
        self.reconnect_cap = reconnect_cap
        self.ack_timeout = ack_timeout
        self.queue: dict[int, Ballot] = {}  # statement id -> the ballot waiting for its ack
        self.acked: list[Ballot] = []
        self.refused: list[Ballot] = []
        self.socket: LiveSocket | None = None
        self.reconnects = 0
        self.connect_failures = 0
        self.keep_connected = True
        self.online = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def connect(self, timeout: float = 10.0) -> None:
        socket = LiveSocket(
            self.http,
            self.bases[self.server],
            auth=self.auth,
            cookie=self.cookie,
            on_event=self.on_event,
            on_close=self._closed,
        )
        self.socket = socket
        await socket.connect(timeout)
        self.online.set()
        for ballot in list(self.queue.values()):  # phone.js: flush() on connect
            self._spawn(self._send(ballot))

    def _closed(self, socket: LiveSocket) -> None:
        if socket is not self.socket or not socket.was_connected:
            return  # a failed attempt: the reconnect loop that made it goes on
        self.online.clear()
        if self.keep_connected:
            self._spawn(self._reconnect())

    async def _reconnect(self) -> None:
        attempt = 0
        while self.keep_connected:
            await asyncio.sleep(
                backoff_delay(attempt, self.rng, self.reconnect_base, self.reconnect_cap)
            )
            if not self.keep_connected or self.online.is_set():
                return
            try:
                await self.connect()
                self.reconnects += 1
                return
            except (SocketClosed, SocketRefused):
                self.connect_failures += 1
                self.server = (self.server + 1) % len(self.bases)
                attempt += 1

    def vote(self, statement_id: int, choice: str) -> Ballot:
        """Queue a ballot (replacing an unsent one for the same statement) and send it."""
        ballot = Ballot(statement_id, choice)
        self.queue[statement_id] = ballot
        if self.online.is_set():
            self._spawn(self._send(ballot))
        return ballot

    async def _send(self, ballot: Ballot) -> None:
        socket = self.socket
        if socket is None:
            return
        ballot.sent_at = time.perf_counter()
        try:
            received, ack = await socket.call("cast_vote", ballot.payload(), self.ack_timeout)
        except (TimeoutError, SocketClosed):
            return  # stays queued: sent again on the next connect
        if self.queue.get(ballot.statement_id) is ballot:
            del self.queue[ballot.statement_id]
        if ballot.acked_at is None:  # the first answer counts for the latency
            ballot.acked_at = received
            ballot.ack = ack
            (self.acked if isinstance(ack, dict) and ack.get("ok") else self.refused).append(ballot)

    def drop(self) -> None:
        """Lose the network: the connection is reset; the reconnect loop takes over."""
        if self.socket is not None:
            self.socket.abort()

    async def close(self) -> None:
        self.keep_connected = False
        if self.socket is not None:
            await self.socket.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
