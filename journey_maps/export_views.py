"""Facilitator pages for a workshop's map as files: exports, import, snapshots, comparison."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from db import get_session
from web import login_required
from workshops import services

bp = Blueprint("journey_files", __name__, url_prefix="/f/w/<int:wid>/map")


@bp.get("/")
@login_required
def index(wid: int) -> Any:
    return render_template(
        "journey_files/index.html", workshop=services.get_workshop(get_session(), wid)
    )
