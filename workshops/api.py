"""The JSON API /api/v1: lets another client join, read statements and (facilitators) results."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from db import get_session
from web import client_key, error_text, facilitator_id, may_manage
from workshops import domain, results, services, voting
from workshops.domain import WorkshopError
from workshops.models import Workshop
from workshops.voting import ParticipantInfo

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _error(exc: WorkshopError, status: int = 400) -> tuple[dict[str, Any], int]:
    return {"ok": False, "code": exc.key, "error": error_text(exc)}, status


def _bearer() -> ParticipantInfo | None:
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
    return voting.participant_for_token(get_session(), token)


def _by_code(code: str) -> Workshop:
    return voting.find_workshop_by_code(get_session(), code, client_key=client_key())


@bp.get("/workshops/<code>")
def workshop(code: str) -> Any:
    """Public: what a phone needs to join (title and organisations)."""
    try:
        w = _by_code(code)
    except WorkshopError as exc:
        return _error(exc, 429 if exc.key == "error.rate_limited" else 404)
    return {
        "ok": True,
        "code": w.join_code,
        "title": w.title,
        "target_group": w.target_group,
        "organisations": [
            {"id": o.id, "name": o.name, "principal": o.principal} for o in w.organisations
        ],
    }


@bp.post("/join")
def join() -> Any:
    """Join as a participant; the returned token authenticates the API and the socket."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _error(WorkshopError("error.bad_payload"))
    try:
        w = _by_code(str(data.get("code", "")))
        try:
            org = domain.parse_id(data.get("organisation_id"))
        except WorkshopError:
            raise WorkshopError("error.pick_organisation") from None
        name = data.get("display_name")
        joined = voting.join(
            get_session(),
            workshop_id=w.id,
            organisation_id=org,
            display_name=name if isinstance(name, str) else None,
        )
    except WorkshopError as exc:
        return _error(exc, 429 if exc.key == "error.rate_limited" else 400)
    return {"ok": True, "workshop_id": joined.workshop_id, "participant_token": joined.token}, 201


@bp.get("/workshops/<code>/statements")
def statements(code: str) -> Any:
    """Participants (bearer token) and facilitators: the visible statements and their state."""
    me = _bearer()
    session = get_session()
    try:
        w = _by_code(code)
    except WorkshopError as exc:
        return _error(exc, 404)
    if not (me and me.workshop_id == w.id) and not may_manage(w.id):
        return _error(WorkshopError("error.not_joined"), 401)
    return {
        "ok": True,
        "statements": [
            {
                "id": s.id,
                "organisation_id": s.organisation_id,
                "topic": s.topic,
                "perspective": s.perspective,
                "text": s.text,
                "state": s.state,
                "revealed": s.revealed,
            }
            for s in services.get_workshop(session, w.id).statements
            if not s.hidden
        ],
    }


@bp.get("/workshops/<code>/state")
def state(code: str) -> Any:
    """A participant's view of the room, as the socket's ``state`` event, plus their votes."""
    me = _bearer()
    if me is None or me.join_code != code.upper():
        return _error(WorkshopError("error.not_joined"), 401)
    session = get_session()
    room = voting.room_state(session, me.workshop_id, audience="phones")
    room["me"] = {"participant_id": me.id, "votes": voting.my_votes(session, participant_id=me.id)}
    return {"ok": True, "state": room}


@bp.get("/workshops/<int:wid>/results")
def workshop_results(wid: int) -> Any:
    """Facilitators only: aggregated results (never individual votes)."""
    if facilitator_id() is None:
        return _error(WorkshopError("error.login_required"), 401)
    try:
        data = results.results_as_dict(results.workshop_results(get_session(), wid))
    except WorkshopError as exc:
        return _error(exc, 404)
    return {"ok": True, **data}
