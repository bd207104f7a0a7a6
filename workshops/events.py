"""The /live Socket.IO namespace: phones vote, consoles and projectors watch."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask import session as cookie_session
from flask_socketio import Namespace, emit, join_room
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import i18n
from db import get_session
from web import facilitator_id
from workshops import domain, services, voting
from workshops.ballots import Ballot
from workshops.domain import WorkshopError
from workshops.group_commit import GroupCommit
from workshops.live import broadcaster, login_room, room, state_for
from workshops.models import Participant

MAX_PAYLOAD_CHARS = 2048
# A phone may change its answer freely; a script hammering the server may not.
VOTES_PER_WINDOW = 30
VOTE_WINDOW = 10.0
# A phone answers a roll call once; a few more in the window allow for roll calls in a row.
HERE_PER_WINDOW = 10


def ballot_box(app: Flask) -> GroupCommit[Ballot, voting.VoteResult]:
    """This process's group commit for ballots (created on first use)."""
    box: GroupCommit[Ballot, voting.VoteResult] | None = app.extensions.get("brygga.ballot_box")
    if box is None:
        socketio = app.extensions["socketio"]
        box = GroupCommit(max_batch=200, pause=lambda: socketio.sleep(0))
        app.extensions["brygga.ballot_box"] = box
    return box


def _write_ballots(batch: list[Ballot]) -> list[voting.VoteResult | BaseException]:
    """The leader's write, through its own event's session."""
    return list(voting.cast_votes(get_session(), batch))


def _ack_error(key: str, lang: str, **params: Any) -> dict[str, Any]:
    return {"ok": False, "code": key, "error": i18n.translate(lang, key, **params)}


def _lang(auth: Any) -> str:
    requested = auth.get("lang") if isinstance(auth, dict) else None
    return i18n.pick_language(requested or request.cookies.get("lang"))


def _payload(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise WorkshopError("error.bad_payload")
    try:
        size = len(json.dumps(data))
    except (TypeError, ValueError):
        raise WorkshopError("error.bad_payload") from None
    if size > MAX_PAYLOAD_CHARS:
        raise WorkshopError("error.payload_too_large")
    return data


def _connection() -> dict[str, Any] | None:
    """Who is on this socket: set at connect, kept in the connection's own session."""
    saved = cookie_session if has_request_context() else g.get("live_session", {})
    conn = saved.get("live")
    return conn if isinstance(conn, dict) else None


def _one_more_in_the_room(conn: dict[str, Any]) -> None:
    """A phone came into the room: the count on the screens (and the WS2 board's)."""
    live = broadcaster(current_app)
    live.changed(conn["wid"])
    if conn.get("ws2"):
        live.changed(conn["wid"], "board")


# Events that build Flask's request context; every other one runs in an application context
# only (see LiveNamespace._lean_event).
FULL_REQUEST_EVENTS = frozenset({"connect", "disconnect"})


def _may_watch(session: Session, facilitator_id: object, workshop_id: object) -> bool:
    """A console or projector: the logged-in facilitator owns the workshop or is a project lead
    (the same rule as web._authorise for the workshop's pages)."""
    if type(facilitator_id) is not int or type(workshop_id) is not int:
        return False
    return services.may_manage(session, facilitator_id=facilitator_id, workshop_id=workshop_id)


def still_allowed(session: Session, conn: dict[str, Any]) -> bool:
    """Whether the socket may still read its workshop, checked again when it asks for the
    state: the participant still exists (not withdrawn, workshop not deleted), the watching
    facilitator still manages it (not handed over to another owner) and has not logged out.
    The rooms of a deleted or handed-over workshop, and of a login that ended, are closed
    (``Broadcaster.close``, ``Broadcaster.logged_out``); this keeps a page that ignored that
    from reading on."""
    if conn.get("kind") == "participant":
        return session.get(Participant, conn["pid"]) is not None
    return _may_watch(session, conn.get("fid"), conn["wid"]) and services.login_holds(
        session, facilitator_id=conn["fid"], token=conn["login"]
    )


def _gone(conn: dict[str, Any] | None) -> dict[str, Any]:
    """The answer to a socket that may no longer read its workshop (or never said who it is)."""
    if conn is None or conn.get("kind") == "participant":
        return _ack_error("error.not_joined", conn["lang"] if conn else "sv")
    return _ack_error("error.no_longer_allowed", conn["lang"])


class LiveNamespace(Namespace):
    """Connections say who they are in the ``auth`` payload:

    - a phone: ``{"role": "participant", "code": "KA3KXM"}`` (identity from the join cookie) or
      ``{"role": "participant", "token": "..."}`` (a client that joined through the JSON API);
    - a console or projector: ``{"role": "facilitator"|"projector", "workshop_id": 3}``, with
      a facilitator logged in on the same browser.
    """

    def trigger_event(self, event: str, *args: Any) -> Any:
        """Dispatch connect as Flask-SocketIO does and every later event lean (``_lean_event``);
        answer a lost database with a sentence.

        Without this a dropped database connection (a restart, a failover, a killed backend)
        escapes the handler: it is logged and the client never gets an acknowledgement, so a
        phone shows "sending" until its timeout and the console waits in vain. The event's
        transaction is already rolled back (its session closes at teardown) and the pool's
        pre-ping replaces the connection, so "try again" is both true and enough. A connect
        that fails this way is left to the client's own reconnect.
        """
        if event in FULL_REQUEST_EVENTS:
            return super().trigger_event(event, *args)
        handler = getattr(self, f"on_{event}", None)
        if handler is None:
            return None  # no such event: ignored, as Flask-SocketIO does
        try:
            return self._lean_event(event, handler, *args)
        except DBAPIError:
            return self._lean_event(event, self._database_failed, *args[:1])

    def _lean_event(self, event: str, handler: Any, sid: str, *args: Any) -> Any:
        """Run a handler in an application context, without Flask's request context.

        Flask-SocketIO builds a whole request for every event: it parses the handshake's
        cookies, verifies and decodes the signed session and matches a URL, about 0.5 ms of a
        vote's 1.5 ms that no event after connect needs (they need the database and who is on
        the socket, which connect stored in the connection's own session). Only connect reads
        the request (its cookies) and writes that session. An event from a socket without
        such a session takes the ordinary path.
        """
        socketio = self.socketio
        environ = socketio.server.get_environ(sid, namespace=self.namespace)
        saved = environ.get("saved_session") if environ else None
        if environ is None or saved is None:
            return socketio._handle_event(handler, event, self.namespace, sid, *args)
        with environ["flask.app"].app_context():
            g.live_session = saved
            return handler(*args)

    def _database_failed(self) -> dict[str, Any]:
        current_app.logger.exception("database failure in a /live event")
        conn = _connection()
        # "retry": the phone keeps the ballot and sends it again after a pause
        return {**_ack_error("error.page.500", conn["lang"] if conn else "sv"), "retry": True}

    def on_connect(self, auth: Any = None) -> bool:
        """Anyone opening the live page; refused unless joined or logged in."""
        auth = auth if isinstance(auth, dict) else {}
        session = get_session()
        role = auth.get("role")
        conn: dict[str, Any] = {"lang": _lang(auth)}
        if role == "participant":
            token = auth.get("token")
            if token is None:
                tokens = cookie_session.get("pt") or {}
                token = (
                    tokens.get(str(auth.get("code", "")).upper())
                    if isinstance(tokens, dict)
                    else None
                )
            info = voting.participant_for_token(session, token)
            if info is None:
                return False
            conn.update(
                kind="participant",
                pid=info.id,
                wid=info.workshop_id,
                ws2=info.workshop_kind == "ws2",
            )
            join_room(room(info.workshop_id, "phones"))
            # In the room from the first connection (voting.arrive has the rule); a reconnect
            # of a phone in the room writes nothing
            if not info.present and voting.arrive(session, info.id):
                _one_more_in_the_room(conn)
        elif role in ("facilitator", "projector"):
            wid, fid = auth.get("workshop_id"), facilitator_id()
            if not _may_watch(session, fid, wid):
                return False
            conn.update(kind=role, wid=wid, fid=fid, login=cookie_session["login"])
            join_room(room(wid, role))
            join_room(login_room(voting.hash_token(conn["login"])))
        else:
            return False
        # Flask-SocketIO keeps a per-connection copy of the session: who is on this socket.
        cookie_session["live"] = conn
        emit("state", self._state(conn))
        return True

    def _state(self, conn: dict[str, Any]) -> dict[str, Any]:
        state = state_for(conn["wid"], conn["kind"], get_session())
        if conn["kind"] == "participant":
            state["me"] = {
                "participant_id": conn["pid"],
                "votes": voting.my_votes(get_session(), participant_id=conn["pid"]),
            }
        return state

    def on_sync(self, data: Any = None) -> dict[str, Any]:
        """Any client, after a reconnect: the full current state in the acknowledgement."""
        conn = _connection()
        if conn is None or not still_allowed(get_session(), conn):
            return _gone(conn)
        return {"ok": True, "state": self._state(conn)}

    def on_here(self, data: Any = None) -> dict[str, Any]:
        """A phone answers the facilitator's roll call (``roll_call``): it is in the room."""
        conn = _connection()
        lang = conn["lang"] if conn else "sv"
        if conn is None or conn.get("kind") != "participant":
            return _ack_error("error.not_joined", lang)
        allowed, conn["recent_here"] = domain.within_rate(
            conn.get("recent_here", []),
            now=time.monotonic(),
            limit=HERE_PER_WINDOW,
            window=VOTE_WINDOW,
        )
        if not allowed:
            return _ack_error("error.rate_limited", lang)
        if voting.arrive(get_session(), conn["pid"]):
            _one_more_in_the_room(conn)
        return {"ok": True}

    def on_cast_vote(self, data: Any = None) -> dict[str, Any]:
        """A phone answers an open statement: ``{statement_id, choice, ballot_id, comment?}``.

        The ballot joins whatever else is being written at the moment (one transaction per
        batch, ``workshops.group_commit``); the acknowledgement comes after its commit.
        """
        conn = _connection()
        lang = conn["lang"] if conn else "sv"
        if conn is None or conn.get("kind") != "participant":
            return _ack_error("error.not_joined", lang)
        allowed, conn["recent"] = domain.within_rate(
            conn.get("recent", []), now=time.monotonic(), limit=VOTES_PER_WINDOW, window=VOTE_WINDOW
        )
        if not allowed:
            return _ack_error("error.rate_limited", lang)
        try:
            payload = _payload(data)
            statement_id, choice, ballot_id = domain.check_ballot(
                payload.get("statement_id"), payload.get("choice"), payload.get("ballot_id")
            )
            ballot = Ballot(
                conn["pid"],
                statement_id,
                choice,
                ballot_id,
                domain.clean_comment(payload.get("comment")),
            )
            result = ballot_box(current_app).submit(ballot, _write_ballots)
        except WorkshopError as exc:
            return _ack_error(exc.key, lang, **exc.params)
        broadcaster(current_app).changed(result.workshop_id)
        return {
            "ok": True,
            "statement_id": result.statement_id,
            "choice": result.choice,
            "ballot_id": ballot_id,
            "retried": result.retried,
        }
