"""Facilitator login and logout; the project lead's accounts page."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from db import get_session
from web import _, client_key, error_text, facilitator_id, login_required, refusal
from workshops import domain, services, voting
from workshops.domain import WorkshopError
from workshops.live import SCREENS, broadcaster

bp = Blueprint("auth", __name__)
# Project leads only: web.LEAD_ONLY_BLUEPRINTS names this blueprint.
accounts = Blueprint("accounts", __name__, url_prefix="/f/accounts")

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
    session["login"] = services.start_login(db, fid)
    session.permanent = True
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Any:
    """Ends the login on the server too (a copy of the cookie opens nothing afterwards), and
    the live pages it opened in this browser's other tabs: consoles, projectors and boards
    connect again and are refused, so they load the login page."""
    token = session.pop("login", None)
    session.pop("fid", None)
    if isinstance(token, str):
        broadcaster(current_app).logged_out(services.end_login(get_session(), token))
    return redirect(url_for("auth.login"))


@bp.get("/f/me")
@login_required
def account() -> Any:
    return _account_page()


def _account_page(status: int = 200) -> Any:
    db, fid = get_session(), facilitator_id()
    assert fid is not None  # login_required
    return render_template(
        "auth/account.html",
        me=services.facilitator_profile(db, fid),
        others=services.other_logins(db, facilitator_id=fid, token=session["login"]),
    ), status


@bp.post("/f/me/password")
@login_required
def change_password() -> Any:
    db, fid, form = get_session(), facilitator_id(), request.form
    assert fid is not None  # login_required
    key = f"password:{fid}"
    if voting.rate_limited(db, key, limit=LOGIN_FAILURES_ALLOWED, window=LOGIN_WINDOW_SECONDS):
        flash(_("error.rate_limited"), "error")
        return _account_page(429)
    try:
        ended = services.change_password(
            db,
            facilitator_id=fid,
            current=form.get("current", ""),
            new=form.get("new", ""),
            repeated=form.get("repeated", ""),
            token=session["login"],
        )
    except WorkshopError as exc:
        flash(refusal(exc), "error")
        if exc.key == "error.wrong_password":
            voting.record_failure(db, key, window=LOGIN_WINDOW_SECONDS)
        return _account_page(400)
    flash(_("flash.password_changed"), "ok")
    _logins_ended(ended, "flash.logins_ended")
    return redirect(url_for("auth.account"))


@bp.post("/f/me/logins")
@login_required
def end_other_logins() -> Any:
    fid = facilitator_id()
    assert fid is not None  # login_required
    ended = services.end_other_logins(get_session(), facilitator_id=fid, token=session["login"])
    _logins_ended(ended, "flash.logins_ended")
    if not ended:
        flash(_("flash.no_other_logins"), "ok")
    return redirect(url_for("auth.account"))


def _logins_ended(logins: list[str], message: str) -> None:
    """Logins ended (by a password or on request): their open screens close, in every process,
    and the page says how many (``message`` with ``n``)."""
    if logins:
        broadcaster(current_app).logged_out(logins)
        flash(_(message, n=len(logins)), "ok")


@accounts.get("/")
@login_required
def index() -> Any:
    return _accounts_page(form={})


def _accounts_page(*, form: Any, status: int = 200) -> Any:
    session = get_session()
    return render_template(
        "auth/accounts.html",
        accounts=services.list_facilitators(session),
        workshops=services.list_workshops(session),
        form=form,
    ), status


@accounts.post("/")
@login_required
def create() -> Any:
    form = request.form
    try:
        services.create_facilitator(
            get_session(),
            email=form.get("email", ""),
            name=form.get("name", ""),
            password=form.get("password", ""),
            is_lead=form.get("is_lead") == "1",
        )
    except WorkshopError as exc:
        flash(error_text(exc), "error")
        return _accounts_page(form=form, status=400)
    flash(_("flash.account_created"), "ok")
    return redirect(url_for("accounts.index"))


@accounts.post("/password")
@login_required
def reset_password() -> Any:
    form, lead = request.form, facilitator_id()
    assert lead is not None  # login_required
    try:
        name, ended = services.reset_password(
            get_session(),
            facilitator_id=domain.parse_id(form.get("facilitator_id", "")),
            new=form.get("password", ""),
            by=lead,
        )
    except WorkshopError as exc:
        flash(refusal(exc), "error")
        return redirect(url_for("accounts.index"))  # the message is at the top
    flash(_("flash.password_reset", name=name), "ok")
    _logins_ended(ended, "flash.account_logins_ended")
    return redirect(url_for("accounts.index"))  # the message is at the top


@accounts.post("/handover")
@login_required
def hand_over() -> Any:
    form = request.form
    try:
        workshop_id = domain.parse_id(form.get("workshop_id", ""))
        services.hand_over_workshop(
            get_session(),
            workshop_id=workshop_id,
            owner_id=domain.parse_id(form.get("owner_id", "")),
        )
    except WorkshopError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("accounts.index", _anchor="handover"))
    # The previous owner's console and projector must not go on showing the workshop
    broadcaster(current_app).close(workshop_id, "access", SCREENS)
    flash(_("flash.handed_over"), "ok")
    return redirect(url_for("accounts.index", _anchor="handover"))
