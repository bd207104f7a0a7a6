"""Facilitator login and logout."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from db import get_session
from web import _, client_key
from workshops import services, voting

bp = Blueprint("auth", __name__)

LOGIN_FAILURES_ALLOWED = 10
LOGIN_WINDOW_SECONDS = 900


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("facilitator.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    db = get_session()
    key = f"login:{client_key()}"
    if voting.rate_limited(db, key, limit=LOGIN_FAILURES_ALLOWED, window=LOGIN_WINDOW_SECONDS):
        flash(_("error.rate_limited"), "error")
        return render_template("auth/login.html", next=request.form.get("next", "")), 429
    fid = services.authenticate(
        db, email=request.form.get("email", ""), password=request.form.get("password", "")
    )
    if fid is None:
        voting.record_failure(db, key, window=LOGIN_WINDOW_SECONDS)
        flash(_("error.bad_login"), "error")
        return render_template("auth/login.html", next=request.form.get("next", "")), 401
    session.clear()
    session["fid"] = fid
    session.permanent = True
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Any:
    session.pop("fid", None)
    return redirect(url_for("auth.login"))
