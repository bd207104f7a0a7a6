"""Participant pages: enter a code, pick an organisation, the phone's voting page; the QR code."""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from db import get_session
from web import _, client_key, error_text
from workshops import domain, voting
from workshops.domain import WorkshopError
from workshops.models import Workshop

bp = Blueprint("join", __name__)

CODE_RULE = "<string(length=6):code>"


def join_url(code: str) -> str:
    """The short address printed on the projector: the server's address plus the code."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + "/" + code


def _tokens() -> dict[str, str]:
    tokens = session.get("pt")
    return dict(tokens) if isinstance(tokens, dict) else {}


def _workshop(code: str) -> Workshop:
    return voting.find_workshop_by_code(get_session(), code, client_key=client_key())


def _code_refused(exc: WorkshopError, typed: str) -> Any:
    """Back to the code form with the reason, keeping what was typed."""
    flash(error_text(exc), "error")
    status = 429 if exc.key == "error.rate_limited" else 404
    return render_template("participant/enter_code.html", code=typed), status


@bp.route("/", methods=["GET", "POST"])
def enter_code() -> Any:
    if request.method == "GET":
        # After "leave" (?left=CODE) the phone forgets what it kept for the workshop
        left = domain.normalise_join_code(request.args.get("left", "")) or ""
        return render_template(
            "participant/enter_code.html",
            code=request.args.get("code", ""),
            forget=left if left and _place_gone(left) else "",
        )
    raw = request.form.get("code", "")
    try:
        workshop = _workshop(raw)
    except WorkshopError as exc:
        return _code_refused(exc, raw)
    return redirect(url_for("join.pick", code=workshop.join_code))


@bp.route(f"/{CODE_RULE}", methods=["GET", "POST"])
def pick(code: str) -> Any:
    try:
        workshop = _workshop(code)
    except WorkshopError as exc:
        return _code_refused(exc, code)
    db = get_session()
    if voting.participant_for_token(db, _tokens().get(workshop.join_code)):
        return redirect(_after_join(workshop))
    if request.method == "GET":
        return render_template("participant/pick.html", workshop=workshop, form={})
    refused = join_with_form(workshop, "participant/pick.html")
    return refused or redirect(_after_join(workshop))


def join_with_form(workshop: Workshop, template: str) -> Any | None:
    """Join the posted organisation (and optional name) and keep the token in the cookie;
    None when joined, else ``template`` again with the message and what was typed."""
    form = request.form
    try:
        joined = voting.join(
            get_session(),
            workshop_id=workshop.id,
            organisation_id=domain.parse_id(form.get("organisation_id") or "0"),
            display_name=form.get("display_name"),
        )
    except WorkshopError as exc:
        key = "error.pick_organisation" if exc.key == "error.bad_payload" else exc.key
        flash(error_text(WorkshopError(key, **exc.params)), "error")
        return render_template(template, workshop=workshop, form=form), 400
    tokens = _tokens()
    tokens[workshop.join_code] = joined.token
    session["pt"] = tokens
    session.permanent = True
    return None  # counted in the room once its phone opens the live page (events.on_connect)


def _after_join(workshop: Workshop) -> str:
    """The same join link leads to the pre-workshop survey while it is open, to the journey
    while a WS2 workshop's journey is open and no role is being voted on, else live."""
    if workshop.survey_open:
        return url_for("survey.page", code=workshop.join_code)
    if (
        workshop.kind == "ws2"
        and workshop.journey_open
        and not voting.any_open(get_session(), workshop.id)
    ):
        return url_for("journey_phone.page", code=workshop.join_code)
    return url_for("join.phone", code=workshop.join_code)


@bp.get(f"/{CODE_RULE}/p")
def phone(code: str) -> Any:
    code = code.upper()
    info = voting.participant_for_token(get_session(), _tokens().get(code))
    if info is None:
        return redirect(url_for("join.pick", code=code))
    return render_template("participant/phone.html", me=info)


@bp.route(f"/{CODE_RULE}/leave", methods=["GET", "POST"])
def leave(code: str) -> Any:
    """Forget this phone's place in the workshop, after a page that says what that means: the
    answers stay (anonymous), and joining again makes a new participant."""
    code = code.upper()
    db = get_session()
    info = voting.participant_for_token(db, _tokens().get(code))
    if request.method == "GET":
        return _confirm_page("participant/leave.html", code, info)
    if info is not None and voting.leave_room(db, info.id):
        _room_changed(info.workshop_id, info.workshop_kind)
    _forget(code)
    flash(_("phone.left"), "ok")
    return redirect(url_for("join.enter_code", left=code))


@bp.route(f"/{CODE_RULE}/withdraw", methods=["GET", "POST"])
def withdraw(code: str) -> Any:
    """A participant deletes their own answers: a confirmation page, then the deletion."""
    code = code.upper()
    db = get_session()
    info = voting.participant_for_token(db, _tokens().get(code))
    if request.method == "GET":
        return _confirm_page("participant/withdraw.html", code, info)
    if info is not None:
        from workshops import privacy

        gone = privacy.withdraw_participant(db, participant_id=info.id)
        _room_changed(gone.workshop_id, gone.kind)
    _forget(code)
    return redirect(url_for("join.withdrawn", code=code))


def _confirm_page(template: str, code: str, info: voting.ParticipantInfo | None) -> Any:
    """A page that asks before a participant leaves or deletes (a phone not joined picks)."""
    if info is None:
        return redirect(url_for("join.pick", code=code))
    return render_template(template, me=info)


def _room_changed(workshop_id: int, kind: str) -> None:
    """Someone left the room: the screens count again (WS2's board counts participants too)."""
    from journey_maps.events import TOPIC
    from workshops.live import broadcaster

    live = broadcaster(current_app)
    live.push_now(workshop_id)
    if kind == "ws2":
        live.push_now(workshop_id, TOPIC)


def _place_gone(code: str) -> bool:
    """Whether this browser has no place in the workshop ``code`` any more (a dead one, its
    participant or workshop deleted, is forgotten on the way). A page that has the phone
    forget its storage for a workshop asks first: a link to it must not wipe a live place's
    unsent answers."""
    token = _tokens().get(code)
    if token is None:
        return True
    if voting.participant_for_token(get_session(), token) is not None:
        return False
    _forget(code)
    return True


def _forget(code: str) -> None:
    """This browser is no longer a participant of the workshop ``code``."""
    tokens = _tokens()
    tokens.pop(code, None)
    session["pt"] = tokens


@bp.get(f"/{CODE_RULE}/withdrawn")
def withdrawn(code: str) -> Any:
    """Said after a withdrawal (or a second press of the button): nothing is kept; join again."""
    code = code.upper()
    return render_template(
        "participant/withdrawn.html", code=code, forget=code if _place_gone(code) else ""
    )


@bp.get("/closed")
def closed() -> Any:
    """Where an open live page goes when its workshop is deleted (``Broadcaster.close``): it
    says so, and a phone (``?code=``) forgets its place in the workshop. A phone whose place
    is still there goes back to its page: nothing was closed for it."""
    code = domain.normalise_join_code(request.args.get("code", "")) or ""
    if code and not _place_gone(code):
        return redirect(url_for("join.phone", code=code))
    return render_template("participant/closed.html", forget=code)


@bp.get(f"/qr/{CODE_RULE}.svg")
def qr(code: str) -> Any:
    """The join address as an SVG QR code, drawn by the server (no third-party service)."""
    code = code.upper()
    if domain.normalise_join_code(code) is None:
        return Response(status=404)
    buffer = io.BytesIO()
    segno.make(join_url(code), error="m").save(
        buffer,
        kind="svg",
        scale=10,
        border=2,
        dark="#111827",
        light="#ffffff",
        xmldecl=False,
        svgns=True,
        title="QR",
        svgclass="qr",
        lineclass=None,
    )
    response = Response(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
