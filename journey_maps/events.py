"""WS2 events on the /live namespace: phones place roles and record handoffs, boards watch."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from flask import current_app
from flask_socketio import emit
from sqlalchemy.orm import Session

from db import get_session
from journey_maps import placing
from journey_maps.board import board_state
from journey_maps.placing import Written
from workshops import domain
from workshops.domain import WorkshopError
from workshops.events import (
    LiveNamespace,
    _ack_error,
    _connection,
    _gone,
    _payload,
    still_allowed,
)
from workshops.live import broadcaster
from workshops.models import Workshop

TOPIC = "board"


def read_board(
    session: Session, workshop_id: int, audiences: Collection[str] = ()
) -> dict[str, dict[str, Any]]:
    """The "board" topic: every audience sees the same map (placers shown by organisation),
    so it is read once whoever is due."""
    state = board_state(session, workshop_id)
    return {"phones": state, "projector": state, "facilitator": state}


def _optional_id(value: object) -> int | None:
    return None if value in (None, "", 0, "0") else domain.parse_id(value)


class JourneyNamespace(LiveNamespace):
    """The /live namespace with the journey events added. Every write is acknowledged with
    ``{"ok": true, "id", "retried", "mine"}`` or ``{"ok": false, "code", "error"}``; the
    board itself reaches everyone as a throttled ``board`` event."""

    def on_connect(self, auth: Any = None) -> bool:
        if not super().on_connect(auth):
            return False
        conn = _connection()
        workshop = get_session().get(Workshop, conn["wid"]) if conn else None
        if conn is not None and workshop is not None and workshop.kind == "ws2":
            emit(TOPIC, board_state(get_session(), conn["wid"]))
        return True

    def _write(self, data: Any, action: Callable[[Session, int, dict[str, Any]], Written]) -> Any:
        conn = _connection()
        lang = conn["lang"] if conn else "sv"
        if conn is None or conn.get("kind") != "participant":
            return _ack_error("error.not_joined", lang)
        try:
            result = action(get_session(), conn["pid"], _payload(data))
        except WorkshopError as exc:
            return _ack_error(exc.key, lang, **exc.params)
        broadcaster(current_app).changed(result.workshop_id, TOPIC)
        mine = placing.my_entries(get_session(), participant_id=conn["pid"])
        get_session().rollback()
        return {"ok": True, "id": result.id, "retried": result.retried, "mine": mine}

    def on_journey_sync(self, data: Any = None) -> dict[str, Any]:
        """Any client, after a reconnect: the board (and, for a phone, what it entered)."""
        conn = _connection()
        if conn is None or not still_allowed(get_session(), conn):
            return _gone(conn)
        answer: dict[str, Any] = {"ok": True, "board": board_state(get_session(), conn["wid"])}
        if conn.get("kind") == "participant":
            answer["mine"] = placing.my_entries(get_session(), participant_id=conn["pid"])
        return answer

    def on_journey_place(self, data: Any = None) -> dict[str, Any]:
        """A phone places a role on a stage: ``{role_id, stage_id, client_id,
        organisation_id?, needs?, obstacles?}`` (organisation defaults to the phone's own)."""
        return self._write(
            data,
            lambda s, pid, p: placing.place_role(
                s,
                participant_id=pid,
                role_id=domain.parse_id(p.get("role_id")),
                stage_id=domain.parse_id(p.get("stage_id")),
                client_id=placing.check_client_id(p.get("client_id")),
                organisation_id=_optional_id(p.get("organisation_id")),
                needs=p.get("needs"),
                obstacles=p.get("obstacles"),
            ),
        )

    def on_journey_withdraw(self, data: Any = None) -> dict[str, Any]:
        """A phone takes back its own placement: ``{placement_id}``."""
        return self._write(
            data,
            lambda s, pid, p: placing.withdraw_placement(
                s, participant_id=pid, placement_id=domain.parse_id(p.get("placement_id"))
            ),
        )

    def on_journey_react(self, data: Any = None) -> dict[str, Any]:
        """A phone agrees with or disputes a placement: ``{placement_id, kind}``, where kind is
        "agree", "dispute" or null (take the reaction back)."""
        return self._write(
            data,
            lambda s, pid, p: placing.react(
                s,
                participant_id=pid,
                placement_id=domain.parse_id(p.get("placement_id")),
                kind=p.get("kind"),
            ),
        )

    def on_journey_handoff(self, data: Any = None) -> dict[str, Any]:
        """A phone records a handoff: ``{transition_id, from_role_id, to_role_id, client_id,
        mode?, acknowledged?, notes?}``."""
        return self._write(
            data,
            lambda s, pid, p: placing.record_handoff(
                s,
                participant_id=pid,
                transition_id=domain.parse_id(p.get("transition_id")),
                from_role_id=domain.parse_id(p.get("from_role_id")),
                to_role_id=domain.parse_id(p.get("to_role_id")),
                client_id=placing.check_client_id(p.get("client_id")),
                mode=p.get("mode") or None,
                acknowledged=p.get("acknowledged") is True,
                notes=p.get("notes"),
            ),
        )

    def on_journey_withdraw_handoff(self, data: Any = None) -> dict[str, Any]:
        """A phone takes back a handoff it recorded: ``{handoff_id}``."""
        return self._write(
            data,
            lambda s, pid, p: placing.withdraw_handoff(
                s, participant_id=pid, handoff_id=domain.parse_id(p.get("handoff_id"))
            ),
        )
