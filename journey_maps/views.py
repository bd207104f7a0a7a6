"""Facilitator pages for the journey: stages and transitions, the live board, moderation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from db import get_session
from journey_maps import stages as stage_services
from web import login_required
from workshops import services

bp = Blueprint("journey", __name__, url_prefix="/f/w/<int:wid>")


@bp.get("/journey")
@login_required
def stages(wid: int) -> Any:
    session = get_session()
    return render_template(
        "journey/stages.html",
        workshop=services.get_workshop(session, wid),
        stages=stage_services.stages(session, wid),
    )


@bp.get("/board")
@login_required
def board(wid: int) -> Any:
    return render_template("journey/board.html", workshop=services.get_workshop(get_session(), wid))
