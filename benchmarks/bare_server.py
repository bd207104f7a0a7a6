"""The bare comparison server: python-socketio on gevent with an in-memory count.

Why it exists: the benchmark's figures mean little without knowing what Socket.IO on this
stack costs by itself. This server does what the app does on the wire and nothing else – same
async mode (gevent's WSGI server with simple-websocket, as serve.py), same Socket.IO options,
same ``/live`` events and acknowledgement shapes, same ``state`` object, the same leading and
trailing throttle (``workshops.throttle``, a pure module) at the same two cadences (screens,
phones) pushing to the same three rooms –
but keeps the room in a dict instead of the database and has no Flask, no sessions and no
cookies. The ratio app/bare is the price of the app's own work.

HTTP: ``POST /api/v1/join {organisation_id}`` → 201 ``{participant_token}``;
``POST /live/<open|close|reveal> {statement_id}``; ``GET /count`` → the in-memory tally;
``GET /login`` answers 200 (the readiness check).

Run: ``python -m benchmarks.bare_server`` with ``PORT`` (and ``BROADCAST_INTERVAL``,
``PHONE_BROADCAST_INTERVAL``).
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import socketio  # noqa: E402
from gevent import pywsgi  # noqa: E402

from workshops.throttle import Throttle  # noqa: E402

NAMESPACE = "/live"
WORKSHOP_ID = 1
STATEMENT_ID = 1
CHOICES = ("yes", "no", "discuss")
BALLOT = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class Room:
    """One workshop with one statement, held in memory."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.participants: dict[str, int] = {}  # token -> participant id
        self.present: set[int] = set()  # participants whose phone has connected (in the room)
        self.votes: dict[int, str] = {}  # participant id -> choice
        self.ballots: dict[str, tuple[int, int, str]] = {}  # ballot -> (pid, statement, choice)
        self.state = "draft"
        self.revealed = False
        self.current: int | None = None

    def join(self) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.participants[token] = len(self.participants) + 1
        return token

    def tally(self) -> dict[str, int]:
        counts = dict.fromkeys(CHOICES, 0)
        for choice in self.votes.values():
            counts[choice] += 1
        counts["total"] = len(self.votes)
        return counts

    def view(self, audience: str) -> dict[str, Any]:
        """The same object as the app's ``state`` event (voting.room_state)."""
        tally = self.tally()
        show = audience == "facilitator" or self.revealed
        statement = {
            "id": STATEMENT_ID,
            "organisation_id": 1,
            "organisation": "Habilitering",
            "role": None,
            "topic": "mandate",
            "perspective": "own",
            "text": "Påstående 1",
            "state": self.state,
            "revealed": self.revealed,
            "voted": tally["total"],
            "eligible": len(self.present),
            "tally": tally if show else None,
            "split": (max(tally["yes"], tally["no"]) < 0.7 * tally["total"]) if show else None,
        }
        return {
            "workshop_id": WORKSHOP_ID,
            "join_code": "BARE00",
            "title": "Load",
            "everyone_may_answer": False,
            "joined": len(self.present),
            "current": statement if self.current == STATEMENT_ID else None,
            "open": [statement] if self.state == "open" else [],
        }


room = Room()
sio = socketio.Server(
    async_mode="gevent",
    max_http_buffer_size=64 * 1024,
    ping_interval=20,
    ping_timeout=20,
)
INTERVAL = float(os.environ.get("BROADCAST_INTERVAL", "0.25"))
PHONE_INTERVAL = float(os.environ.get("PHONE_BROADCAST_INTERVAL") or 4 * INTERVAL)
# The app's two cadences (workshops.live.GROUPS): screens at the interval, phones slower.
THROTTLES = {"screens": Throttle(INTERVAL), "phones": Throttle(PHONE_INTERVAL)}
GROUPS = {"screens": ("projector", "facilitator"), "phones": ("phones",)}
ROOMS = {"phones": "w1:phones", "projector": "w1:projector", "facilitator": "w1:facilitator"}


def push_now(groups: tuple[str, ...] = tuple(THROTTLES), *, begun: bool = False) -> None:
    """The same throttle protocol as the app's broadcaster (workshops/live.py)."""
    started = time.monotonic()
    if not begun:
        for group in groups:
            THROTTLES[group].begin(group, now=started)
    try:
        for group in groups:
            for audience in GROUPS[group]:
                sio.emit("state", room.view(audience), to=ROOMS[audience], namespace=NAMESPACE)
    finally:
        for group in groups:
            again = THROTTLES[group].done(group, now=time.monotonic(), started=started)
            if again is not None:
                sio.start_background_task(_trailing, group, again)


def changed() -> None:
    due = []
    for group, throttle in THROTTLES.items():
        delay = throttle.hit(group, now=time.monotonic())
        if delay == 0:
            due.append(group)
        elif delay is not None:
            sio.start_background_task(_trailing, group, delay)
    if due:
        push_now(tuple(due), begun=True)


def _trailing(group: str, delay: float) -> None:
    sio.sleep(delay)
    push_now((group,))


@sio.on("connect", namespace=NAMESPACE)
def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
    auth = auth if isinstance(auth, dict) else {}
    role = auth.get("role")
    if role == "participant":
        pid = room.participants.get(str(auth.get("token")))
        if pid is None:
            return False
        sio.save_session(sid, {"pid": pid}, namespace=NAMESPACE)
        sio.enter_room(sid, ROOMS["phones"], namespace=NAMESPACE)
        if pid not in room.present:  # in the room from its first connection, as in the app
            room.present.add(pid)
            changed()
        state = room.view("phones")
        state["me"] = {"participant_id": pid, "votes": {}}
        if pid in room.votes:
            state["me"]["votes"] = {str(STATEMENT_ID): room.votes[pid]}
    elif role in ("projector", "facilitator"):
        sio.enter_room(sid, ROOMS[role], namespace=NAMESPACE)
        state = room.view(role)
    else:
        return False
    sio.emit("state", state, to=sid, namespace=NAMESPACE)
    return True


def _error(key: str) -> dict[str, Any]:
    return {"ok": False, "code": key, "error": key}


@sio.on("cast_vote", namespace=NAMESPACE)
def cast_vote(sid: str, data: Any = None) -> dict[str, Any]:
    pid = sio.get_session(sid, namespace=NAMESPACE).get("pid")
    if pid is None:
        return _error("error.not_joined")
    if not isinstance(data, dict) or len(json.dumps(data)) > 2048:
        return _error("error.bad_payload")
    statement_id, choice, ballot = (
        data.get("statement_id"),
        data.get("choice"),
        data.get("ballot_id"),
    )
    if choice not in CHOICES or not isinstance(ballot, str) or not BALLOT.match(ballot):
        return _error("error.bad_payload")
    with room.lock:
        seen = room.ballots.get(ballot)
        if seen is not None:
            retried = True
        elif statement_id != STATEMENT_ID or room.state != "open":
            return _error("error.statement_closed")
        else:
            retried = False
            room.ballots[ballot] = (pid, statement_id, choice)
            room.votes[pid] = choice
    changed()
    return {
        "ok": True,
        "statement_id": statement_id,
        "choice": choice,
        "ballot_id": ballot,
        "retried": retried,
    }


@sio.on("sync", namespace=NAMESPACE)
def sync(sid: str, data: Any = None) -> dict[str, Any]:
    return {"ok": True, "state": room.view("phones")}


def http(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
    status = "404 Not Found"
    body: dict[str, Any] = {"ok": False}
    if path == "/login":
        status, body = "200 OK", {"ok": True}
    elif path == "/count":
        status, body = "200 OK", {"ok": True, "tally": room.tally(), "ballots": len(room.ballots)}
    elif path == "/api/v1/join" and method == "POST":
        status, body = (
            "201 Created",
            {"ok": True, "workshop_id": 1, "participant_token": room.join()},
        )
    elif path.startswith("/live/") and method == "POST":
        action = path.removeprefix("/live/")
        if action == "open":
            room.state, room.current = "open", STATEMENT_ID
        elif action == "close":
            room.state = "closed"
        elif action == "reveal":
            room.revealed = True
        push_now()
        status, body = "200 OK", {"ok": True}
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json")])
    return [payload]


def main() -> None:
    port = int(os.environ.get("PORT", "5099"))
    application = socketio.WSGIApp(sio, http)
    print(f"bare server on 127.0.0.1:{port} (gevent)", flush=True)
    pywsgi.WSGIServer(("127.0.0.1", port), application, log=None).serve_forever()


if __name__ == "__main__":
    main()
