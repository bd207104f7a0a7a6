"""The participant's journey page: take a role card, place it, record handoffs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for

from db import get_session
from journey_maps.placing import HANDOFF_MODES, NOTE_LIMIT
from workshops import voting
from workshops.join_views import CODE_RULE, _tokens

bp = Blueprint("journey_phone", __name__)


@bp.get(f"/{CODE_RULE}/journey")
def page(code: str) -> Any:
    """A joined phone builds the journey; the board itself arrives over the socket."""
    code = code.upper()
    info = voting.participant_for_token(get_session(), _tokens().get(code))
    if info is None:
        return redirect(url_for("join.pick", code=code))
    return render_template(
        "participant/journey.html", me=info, modes=HANDOFF_MODES, note_limit=NOTE_LIMIT
    )
