"""Pushing a workshop's state to its rooms: counted from the database, throttled per room."""

from __future__ import annotations

import threading
import time
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


class Broadcaster:
    """Sends each audience its view of a workshop; vote bursts are folded into few pushes."""

    def __init__(self, app: Flask, socketio: SocketIO, interval: float) -> None:
        self.app = app
        self.socketio = socketio
        self.throttle = Throttle(interval)
        self.lock = threading.Lock()

    def push_now(self, workshop_id: int) -> None:
        """Recount and send the state to phones, projector and facilitator.

        Inside a request or socket event this reads through that event's own session (one
        owner per event, never a second connection waiting on the first); a background push
        opens its own.
        """
        if has_app_context():
            public, private = self._read(get_session(), workshop_id)
        else:
            with session_scope(self.app) as session:
                public, private = self._read(session, workshop_id)
        for audience in ("phones", "projector"):
            self.socketio.emit("state", public, to=room(workshop_id, audience), namespace=NAMESPACE)
        self.socketio.emit(
            "state", private, to=room(workshop_id, "facilitator"), namespace=NAMESPACE
        )
        with self.lock:
            self.throttle.fired(workshop_id, now=time.monotonic())

    @staticmethod
    def _read(session: Session, workshop_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        public = voting.room_state(session, workshop_id, audience="phones")
        private = voting.room_state(session, workshop_id, audience="facilitator")
        session.rollback()  # end the read transaction before any network I/O
        return public, private

    def changed(self, workshop_id: int) -> None:
        """A vote arrived: push now if the room was quiet, else once at the interval's end."""
        with self.lock:
            delay = self.throttle.hit(workshop_id, now=time.monotonic())
        if delay is None:
            return
        if delay == 0:
            self.push_now(workshop_id)
        else:
            self.socketio.start_background_task(self._trailing, workshop_id, delay)

    def _trailing(self, workshop_id: int, delay: float) -> None:
        self.socketio.sleep(delay)
        try:
            self.push_now(workshop_id)
        except Exception:
            with self.lock:  # never leave the room stuck as "scheduled"
                self.throttle.fired(workshop_id, now=time.monotonic())
            self.app.logger.exception("push to workshop %s failed", workshop_id)


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
