"""Pushing a workshop's state to its rooms: counted from the database, throttled per room."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, has_app_context
from flask_socketio import SocketIO
from sqlalchemy.orm import Session

from db import get_session, session_scope
from workshops import voting
from workshops.throttle import Throttle

NAMESPACE = "/live"
AUDIENCES = ("phones", "projector", "facilitator")


def room(workshop_id: int, audience: str) -> str:
    """The Socket.IO room of one audience of a workshop.

    >>> room(7, "phones")
    'w7:phones'
    """
    return f"w{workshop_id}:{audience}"


# A topic reads, for one workshop, what each audience gets: {audience: payload}.
Reader = Callable[[Session, int], dict[str, dict[str, Any]]]


def read_votes(session: Session, workshop_id: int) -> dict[str, dict[str, Any]]:
    """The "state" topic: statements and tallies (the distribution only once revealed)."""
    public = voting.room_state(session, workshop_id, audience="phones")
    private = voting.room_state(session, workshop_id, audience="facilitator")
    return {"phones": public, "projector": public, "facilitator": private}


class Broadcaster:
    """Sends each audience its view of a workshop; bursts are folded into few pushes.

    Each topic ("state" for votes, "board" for the journey) is its own Socket.IO event with its
    own throttle, so a burst of placements never delays a tally and the other way round.
    """

    def __init__(self, app: Flask, socketio: SocketIO, interval: float) -> None:
        self.app = app
        self.socketio = socketio
        self.throttle = Throttle(interval)
        self.lock = threading.Lock()
        self.readers: dict[str, Reader] = {"state": read_votes}

    def add_topic(self, topic: str, reader: Reader) -> None:
        self.readers[topic] = reader

    def push_now(self, workshop_id: int, topic: str = "state") -> None:
        """Recount and send ``topic`` to phones, projector and facilitator.

        Inside a request or socket event this reads through that event's own session (one
        owner per event, never a second connection waiting on the first); a background push
        opens its own.
        """
        with self.lock:
            self.throttle.begin((workshop_id, topic), now=time.monotonic())
        self._push(workshop_id, topic)

    def _push(self, workshop_id: int, topic: str) -> None:
        """Read and send a push already counted as begun; schedule one more when something
        changed while it was in flight (it may have read too early to see it)."""
        try:
            if has_app_context():
                payloads = self._read(get_session(), workshop_id, topic)
            else:
                with session_scope(self.app) as session:
                    payloads = self._read(session, workshop_id, topic)
            for audience, payload in payloads.items():
                self.socketio.emit(
                    topic, payload, to=room(workshop_id, audience), namespace=NAMESPACE
                )
        finally:
            with self.lock:
                again = self.throttle.done((workshop_id, topic), now=time.monotonic())
            if again is not None:
                self.socketio.start_background_task(self._trailing, workshop_id, topic, again)

    def _read(self, session: Session, workshop_id: int, topic: str) -> dict[str, dict[str, Any]]:
        payloads = self.readers[topic](session, workshop_id)
        session.rollback()  # end the read transaction before any network I/O
        return payloads

    def changed(self, workshop_id: int, topic: str = "state") -> None:
        """Something changed: push now if the room was quiet, else once at the interval's end."""
        with self.lock:
            delay = self.throttle.hit((workshop_id, topic), now=time.monotonic())
        if delay is None:
            return
        if delay == 0:
            self._push(workshop_id, topic)  # hit() counted it as begun
        else:
            self.socketio.start_background_task(self._trailing, workshop_id, topic, delay)

    def _trailing(self, workshop_id: int, topic: str, delay: float) -> None:
        self.socketio.sleep(delay)
        try:
            self.push_now(workshop_id, topic)
        except Exception:
            self.app.logger.exception("push of %s to workshop %s failed", topic, workshop_id)


def init_app(app: Flask, socketio: SocketIO) -> None:
    app.extensions["brygga.broadcaster"] = Broadcaster(
        app, socketio, app.config["BROADCAST_INTERVAL"]
    )


def broadcaster(app: Flask) -> Broadcaster:
    b: Broadcaster = app.extensions["brygga.broadcaster"]
    return b


def state_for(workshop_id: int, audience: str, session: Any) -> dict[str, Any]:
    return voting.room_state(
        session, workshop_id, audience="facilitator" if audience == "facilitator" else "phones"
    )
