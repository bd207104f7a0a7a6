"""Facilitator pages for a workshop's roles: texts, custom roles, validation outcomes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from db import get_session
from roles import services as role_services
from web import login_required
from workshops import services

bp = Blueprint("roles", __name__, url_prefix="/f/w/<int:wid>/roles")


@bp.get("/")
@login_required
def index(wid: int) -> Any:
    session = get_session()
    return render_template(
        "roles/index.html",
        workshop=services.get_workshop(session, wid),
        roles=role_services.list_roles(session, wid),
    )
