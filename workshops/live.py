"""Pushing a workshop's state to its rooms: counted from the database, throttled per room."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any, Protocol

from flask import Flask, has_app_context
from flask_socketio import SocketIO
from sqlalchemy.orm import Session

from db import get_session, session_scope
from workshops import domain, voting
from workshops.shared_throttle import MARGIN, RedisThrottle, is_redis_url
from workshops.throttle import Throttle, Verdict

NAMESPACE = "/live"
AUDIENCES = ("phones", "projector", "facilitator")
SCREENS = ("projector", "facilitator")  # the audiences a facilitator's login lets in


def room(workshop_id: int, audience: str) -> str:
    """The Socket.IO room of one audience of a workshop.

    >>> room(7, "phones")
    'w7:phones'
    """
    return f"w{workshop_id}:{audience}"


def login_room(token_hash: str) -> str:
    """The room of every screen one facilitator login opened, named by the hash its token is
    kept under (``logins.token_hash``): a login ended from another browser, which knows only
    the hash, closes it too. Only the hash goes through the message queue.

    >>> login_room("9f86d081884c7d65" * 4)
    'login:9f86d081884c7d659f86d081884c7d65'
    """
    return "login:" + token_hash[:32]


# A topic reads, for one workshop, what the given audiences get: {audience: payload} (it may
# add the others' payloads when it has them anyway).
Reader = Callable[[Session, int, Collection[str]], dict[str, dict[str, Any]]]

# Who gets a push at which cadence: the screens (projector and console) at the broadcast
# interval, the phones at a slower one. A phone shows "n of m have answered" and its own vote
# (acknowledged at once, not pushed), which no one needs four times a second; in a full room
# the phones are nearly every message the server writes and the venue's Wi-Fi carries.
GROUPS: dict[str, tuple[str, ...]] = {
    "screens": SCREENS,
    "phones": ("phones",),
}


def read_votes(
    session: Session, workshop_id: int, audiences: Collection[str] = AUDIENCES
) -> dict[str, dict[str, Any]]:
    """The "state" topic: statements and tallies (the distribution only once revealed)."""
    payloads: dict[str, dict[str, Any]] = {}
    if {"phones", "projector"} & set(audiences):
        public = voting.room_state(session, workshop_id, audience="phones")
        payloads |= {"phones": public, "projector": public}
    if "facilitator" in audiences:
        payloads["facilitator"] = voting.room_state(session, workshop_id, audience="facilitator")
    return payloads


class PushThrottle(Protocol):
    """`workshops.throttle.Throttle` (one process) or `shared_throttle.RedisThrottle`."""

    shared: bool

    @property
    def interval(self) -> float: ...

    def hit(self, key: str, *, now: float) -> float | None: ...
    def begin(self, key: str, *, now: float) -> None: ...
    def done(self, key: str, *, now: float, started: float | None = None) -> float | None: ...
    def check(self, key: str, *, since: float, now: float) -> tuple[Verdict, float | None]: ...


class Broadcaster:
    """Sends each audience its view of a workshop; bursts are folded into few pushes.

    Each topic ("state" for votes, "board" for the journey) is its own Socket.IO event, and
    each topic and group of audiences (`GROUPS`) has its own throttle, so a burst of placements
    never delays a tally, nor the phones' slower cadence the projector. With several processes
    the throttles are shared (``workshops.shared_throttle``): a change folded into a push
    another process promised is watched until a push that read it has been sent. Times are
    wall-clock seconds (``time.time``), the one clock the processes share.
    """

    def __init__(self, app: Flask, socketio: SocketIO, throttles: dict[str, PushThrottle]) -> None:
        if set(throttles) != set(GROUPS):
            raise ValueError(f"one throttle per group: {sorted(GROUPS)}")
        self.app = app
        self.socketio = socketio
        self.throttles = throttles
        self.readers: dict[str, Reader] = {"state": read_votes}
        self._folded: dict[str, float] = {}  # key -> the latest change folded into a promise
        self._watched: set[str] = set()

    @classmethod
    def in_process(
        cls, app: Flask, socketio: SocketIO, interval: float, phone_interval: float | None = None
    ) -> Broadcaster:
        """A broadcaster for one process (phones at the same cadence unless given)."""
        phones = interval if phone_interval is None else phone_interval
        return cls(app, socketio, {"screens": Throttle(interval), "phones": Throttle(phones)})

    def add_topic(self, topic: str, reader: Reader) -> None:
        self.readers[topic] = reader

    def push_now(
        self, workshop_id: int, topic: str = "state", groups: tuple[str, ...] = tuple(GROUPS)
    ) -> None:
        """Recount and send ``topic`` to ``groups`` (by default phones, projector and console).

        Inside a request or socket event this reads through that event's own session (one
        owner per event, never a second connection waiting on the first); a background push
        opens its own.
        """
        now = time.time()
        for group in groups:
            self.throttles[group].begin(key(workshop_id, topic, group), now=now)
        self._push(workshop_id, topic, groups, time.time())

    def call_roll(self, workshop_id: int) -> None:
        """Ask every phone connected to the workshop, in any process, to say it is here
        (``roll_call``; each answers with ``here`` after a random pause of up to
        ``domain.ROLL_CALL_SPREAD`` seconds, so a full room does not write at one instant)."""
        self.socketio.emit(
            "roll_call",
            {"spread": domain.ROLL_CALL_SPREAD},
            to=room(workshop_id, "phones"),
            namespace=NAMESPACE,
        )

    def close(self, workshop_id: int, reason: str, audiences: Collection[str] = AUDIENCES) -> None:
        """The workshop has ended for these audiences' pages, in every process: each is told
        why (``closed``: "deleted", or "access" when who may watch it has changed) and its
        room is emptied. A page that obeys goes (deleted) or connects again, which checks
        again who may; one that does not is in no room, so nothing more reaches it."""
        self._close([room(workshop_id, audience) for audience in audiences], reason)

    def logged_out(self, token_hashes: Collection[str]) -> None:
        """Facilitator logins ended (logged out, here or from another browser): the consoles,
        projectors and boards they opened, of any workshop and on any process, connect again
        (and are refused, so they load the login page)."""
        self._close([login_room(token_hash) for token_hash in token_hashes], "access")

    def _close(self, names: list[str], reason: str) -> None:
        # Emitted before the room closes: with a message queue both go out in that order.
        for name in names:
            self.socketio.emit("closed", {"reason": reason}, to=name, namespace=NAMESPACE)
            self.socketio.close_room(name, namespace=NAMESPACE)

    def _push(self, workshop_id: int, topic: str, groups: tuple[str, ...], started: float) -> None:
        """Read and send a push already counted as begun; it reads every change made before
        ``started``. Schedule one more when something changed while it was in flight (it may
        have read too early)."""
        audiences = [a for g in groups for a in GROUPS[g]]
        try:
            if has_app_context():
                payloads = self._read(get_session(), workshop_id, topic, audiences)
            else:
                with session_scope(self.app) as session:
                    payloads = self._read(session, workshop_id, topic, audiences)
            for audience in audiences:
                self.socketio.emit(
                    topic, payloads[audience], to=room(workshop_id, audience), namespace=NAMESPACE
                )
        finally:
            for group in groups:
                again = self.throttles[group].done(
                    key(workshop_id, topic, group), now=time.time(), started=started
                )
                if again is not None:
                    self.socketio.start_background_task(
                        self._trailing, workshop_id, topic, group, again
                    )

    def _read(
        self, session: Session, workshop_id: int, topic: str, audiences: Collection[str]
    ) -> dict[str, dict[str, Any]]:
        payloads = self.readers[topic](session, workshop_id, audiences)
        session.rollback()  # end the read transaction before any network I/O
        return payloads

    def changed(self, workshop_id: int, topic: str = "state") -> None:
        """Something changed: push to each group now if it was quiet, else once at the end of
        its interval."""
        now = time.time()
        due: list[str] = []
        for group, throttle in self.throttles.items():
            delay = throttle.hit(key(workshop_id, topic, group), now=now)
            if delay is None:
                if throttle.shared:
                    self._watch(workshop_id, topic, group, since=now)
            elif delay == 0:
                due.append(group)  # hit() counted it as begun
            else:
                self.socketio.start_background_task(
                    self._trailing, workshop_id, topic, group, delay
                )
        if due:
            self._push(workshop_id, topic, tuple(due), time.time())

    def _trailing(self, workshop_id: int, topic: str, group: str, delay: float) -> None:
        self.socketio.sleep(delay)
        try:
            self.push_now(workshop_id, topic, (group,))
        except Exception:
            self.app.logger.exception("push of %s to workshop %s failed", topic, workshop_id)

    def _watch(self, workshop_id: int, topic: str, group: str, *, since: float) -> None:
        """Remember a change folded into a promised push; one watcher per key and process."""
        k = key(workshop_id, topic, group)
        self._folded[k] = max(since, self._folded.get(k, since))
        if k not in self._watched:
            self._watched.add(k)
            self.socketio.start_background_task(self._watcher, workshop_id, topic, group)

    def _watcher(self, workshop_id: int, topic: str, group: str) -> None:
        """Until a push that started after the latest folded change has sent: wait, and push
        ourselves if the process that promised it is gone."""
        k = key(workshop_id, topic, group)
        throttle = self.throttles[group]
        wait = throttle.interval + 2 * MARGIN
        try:
            while True:
                self.socketio.sleep(wait)
                since, now = self._folded[k], time.time()
                verdict, at = throttle.check(k, since=since, now=now)
                if verdict == "push":
                    self.app.logger.warning("%s of %s: push taken over", k, workshop_id)
                    self._push(workshop_id, topic, (group,), now)
                    if self._folded[k] <= now:
                        del self._folded[k]
                        return  # that push read every change folded so far
                    wait = throttle.interval
                elif verdict == "wait":
                    wait = max(MARGIN, (at or 0.0) - time.time())
                elif self._folded[k] == since:
                    del self._folded[k]
                    return  # covered, and nothing folded while checking
                else:
                    wait = MARGIN
        except Exception:
            self.app.logger.exception("watching %s of workshop %s failed", k, workshop_id)
        finally:
            self._watched.discard(k)


def key(workshop_id: int, topic: str, group: str) -> str:
    """The throttle key of a workshop's topic for one group of audiences.

    >>> key(7, "state", "phones")
    '7:state:phones'
    """
    return f"{workshop_id}:{topic}:{group}"


def init_app(app: Flask, socketio: SocketIO) -> None:
    interval = app.config["BROADCAST_INTERVAL"]
    phones = app.config.get("PHONE_BROADCAST_INTERVAL")
    phones = 4 * interval if phones is None else phones
    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    if is_redis_url(url):
        prefix = f"{app.config['SOCKETIO_CHANNEL']}:push"
        screens = RedisThrottle.from_url(url, interval, prefix=prefix)
        b = Broadcaster(
            app,
            socketio,
            {"screens": screens, "phones": RedisThrottle(screens.redis, phones, prefix=prefix)},
        )
    else:
        b = Broadcaster.in_process(app, socketio, interval, phones)
    app.extensions["brygga.broadcaster"] = b


def broadcaster(app: Flask) -> Broadcaster:
    b: Broadcaster = app.extensions["brygga.broadcaster"]
    return b


def state_for(workshop_id: int, audience: str, session: Any) -> dict[str, Any]:
    return voting.room_state(
        session, workshop_id, audience="facilitator" if audience == "facilitator" else "phones"
    )
