"""Facilitator pages for the journey: stages and transitions, the live board, moderation."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

import i18n
from db import get_session
from journey_maps import moderation, triage
from journey_maps import stages as stage_services
from journey_maps.board import board_state
from journey_maps.placing import HANDOFF_MODES
from roles import services as role_services
from web import _, csrf_token, error_text, facilitator_id, fail, lang, login_required, wants_json
from workshops import domain, services
from workshops.domain import WorkshopError
from workshops.join_views import join_url
from workshops.live import broadcaster

bp = Blueprint("journey", __name__, url_prefix="/f/w/<int:wid>")

SUGGESTED_BACK_LABELS = (
    ("Hänvisas tillbaka", "Referred back"),
    ("Kontakten tappas", "Contact lost"),
)


def _changed(wid: int) -> None:
    """Every board, projector and phone of the workshop gets the new map."""
    broadcaster(current_app).changed(wid, "board")


def _id(raw: Any) -> int:
    return domain.parse_id(raw)


def _done(wid: int, endpoint: str, message: str | None = None, **values: Any) -> Any:
    """A change went through: JSON with the new board for scripts, a redirect for forms."""
    _changed(wid)
    if wants_json():
        return {"ok": True, "board": board_state(get_session(), wid)}
    if message:
        flash(message, "ok")
    return redirect(url_for(endpoint, wid=wid, **values))


# --- Stages and transitions ----------------------------------------------------------------


@bp.get("/journey")
@login_required
def stages(wid: int) -> Any:
    session = get_session()
    workshop = services.get_workshop(session, wid)
    active = stage_services.stages(session, wid)
    # in English a stage is named by its English label where it has one (the list itself shows
    # both, as the facilitator edits both)
    label = {s.id: i18n.in_language({"sv": s.label, "en": s.label_en}, lang()) for s in active}
    roles = role_services.list_roles(session, wid)
    state = board_state(session, wid)
    owners = {t["id"]: t["owners"] for t in state["transitions"]}
    return render_template(
        "journey/stages.html",
        workshop=workshop,
        stages=active,
        impact={
            s.id: stage_services.stage_impact(session, workshop_id=wid, stage_id=s.id)
            for s in active
        },
        removed_stages=stage_services.stages(session, wid, removed=True),
        transitions=stage_services.transitions(session, wid),
        removed_transitions=stage_services.transitions(session, wid, removed=True),
        label=label,
        roles=roles,
        role_by_id={r.id: r for r in roles},
        owners=owners,
        suggested=SUGGESTED_BACK_LABELS,
    )


@bp.post("/journey/stages")
@login_required
def stage_add(wid: int) -> Any:
    form = request.form
    try:
        stage_services.add_stage(
            get_session(),
            workshop_id=wid,
            label=form.get("label", ""),
            label_en=form.get("label_en"),
            link_from_last=form.get("link_from_last") == "1",
        )
    except WorkshopError as exc:
        return fail(exc, "journey.stages", wid=wid)
    return _done(wid, "journey.stages", _("stages.flash_added"))


@bp.post("/journey/stages/<int:sid>/rename")
@login_required
def stage_rename(wid: int, sid: int) -> Any:
    try:
        stage_services.rename_stage(
            get_session(),
            workshop_id=wid,
            stage_id=sid,
            label=request.form.get("label", ""),
            label_en=request.form.get("label_en"),
        )
    except WorkshopError as exc:
        return fail(exc, "journey.stages", wid=wid)
    return _done(wid, "journey.stages", _("stages.flash_renamed"))


@bp.post("/journey/stages/<int:sid>/move")
@login_required
def stage_move(wid: int, sid: int) -> Any:
    offset = -1 if request.form.get("direction") == "left" else 1
    try:
        stage_services.move_stage(get_session(), workshop_id=wid, stage_id=sid, offset=offset)
    except WorkshopError as exc:
        return fail(exc, "journey.stages", wid=wid)
    return _done(wid, "journey.stages")


@bp.get("/journey/stages/<int:sid>/remove")
@login_required
def stage_confirm_remove(wid: int, sid: int) -> Any:
    session = get_session()
    return render_template(
        "journey/confirm_remove_stage.html",
        workshop=services.get_workshop(session, wid),
        stage=stage_services.get_stage(session, wid, sid),
        impact=stage_services.stage_impact(session, workshop_id=wid, stage_id=sid),
    )


@bp.post("/journey/stages/<int:sid>/remove")
@login_required
def stage_remove(wid: int, sid: int) -> Any:
    try:
        stage_services.remove_stage(
            get_session(),
            workshop_id=wid,
            stage_id=sid,
            confirmed=request.form.get("confirmed") == "1",
            facilitator_id=facilitator_id(),
        )
    except WorkshopError as exc:
        if exc.key == "error.stage_removal_unconfirmed" and not wants_json():
            return redirect(url_for("journey.stage_confirm_remove", wid=wid, sid=sid))
        return fail(exc, "journey.stages", wid=wid)
    return _done(wid, "journey.stages", _("stages.flash_removed"))


@bp.post("/journey/stages/<int:sid>/restore")
@login_required
def stage_restore(wid: int, sid: int) -> Any:
    try:
        stage_services.restore_stage(get_session(), workshop_id=wid, stage_id=sid)
    except WorkshopError as exc:
        return fail(exc, "journey.stages", wid=wid)
    return _done(wid, "journey.stages", _("stages.flash_restored"))


@bp.post("/journey/transitions")
@login_required
def transition_add(wid: int) -> Any:
    form = request.form
    try:
        stage_services.add_transition(
            get_session(),
            workshop_id=wid,
            source_id=_id(form.get("source_id")),
            target_id=_id(form.get("target_id")),
            kind=form.get("kind", "forward"),
            label=form.get("label"),
            label_en=form.get("label_en"),
        )
    except WorkshopError as exc:
        return fail(exc, "journey.stages", wid=wid, _anchor="transitions")
    return _done(wid, "journey.stages", _("stages.flash_transition_added"), _anchor="transitions")


@bp.post("/journey/transitions/<int:tid>/remove")
@login_required
def transition_remove(wid: int, tid: int) -> Any:
    try:
        stage_services.remove_transition(
            get_session(), workshop_id=wid, transition_id=tid, facilitator_id=facilitator_id()
        )
    except WorkshopError as exc:
        return fail(exc, "journey.stages", wid=wid, _anchor="transitions")
    return _done(wid, "journey.stages", _("stages.flash_transition_removed"), _anchor="transitions")


@bp.post("/journey/transitions/<int:tid>/restore")
@login_required
def transition_restore(wid: int, tid: int) -> Any:
    try:
        stage_services.restore_transition(get_session(), workshop_id=wid, transition_id=tid)
    except WorkshopError as exc:
        return fail(exc, "journey.stages", wid=wid, _anchor="transitions")
    return _done(wid, "journey.stages", _("stages.flash_restored"), _anchor="transitions")


@bp.post("/journey/transitions/<int:tid>/owners")
@login_required
def transition_owners(wid: int, tid: int) -> Any:
    try:
        stage_services.set_owners(
            get_session(),
            workshop_id=wid,
            transition_id=tid,
            role_ids=[_id(r) for r in request.form.getlist("role_id")],
        )
    except WorkshopError as exc:
        return fail(exc, "journey.stages", wid=wid, _anchor="transitions")
    return _done(wid, "journey.stages", _("stages.flash_owners"), _anchor="transitions")


@bp.post("/journey/open")
@login_required
def stages_open(wid: int) -> Any:
    back = "journey.board" if request.form.get("back") == "board" else "journey.stages"
    is_open = request.form.get("open") == "1"
    try:
        stage_services.set_journey_open(get_session(), workshop_id=wid, is_open=is_open)
    except WorkshopError as exc:
        return fail(exc, back, wid=wid)
    return _done(wid, back, _("board.flash_opened" if is_open else "board.flash_closed"))


# --- The board -----------------------------------------------------------------------------


def _page_data(wid: int, **extra: Any) -> dict[str, Any]:
    return {
        "workshop_id": wid,
        "lang": lang(),
        "board": board_state(get_session(), wid),
        **extra,
    }


@bp.get("/board")
@login_required
def board(wid: int) -> Any:
    workshop = services.get_workshop(get_session(), wid)
    data = _page_data(
        wid,
        csrf=csrf_token(),
        urls={
            "triage": url_for("journey.board_triage", wid=wid),
            "open": url_for("journey.stages_open", wid=wid),
            "placement": url_for("journey.placement", wid=wid, pid=0).rsplit("/", 1)[0] + "/",
            "handoff": url_for("journey.handoff", wid=wid, hid=0).rsplit("/", 1)[0] + "/",
        },
    )
    return render_template("journey/board.html", workshop=workshop, page_data=data)


@bp.get("/board/projector")
@login_required
def board_projector(wid: int) -> Any:
    workshop = services.get_workshop(get_session(), wid)
    return render_template(
        "journey/projector.html",
        workshop=workshop,
        join_url=join_url(workshop.join_code),
        page_data=_page_data(wid, projector=True),
    )


@bp.post("/board/findings")
@login_required
def board_triage(wid: int) -> Any:
    form = request.form
    try:
        triage.set_triage(
            get_session(),
            workshop_id=wid,
            fingerprint=form.get("fingerprint", ""),
            status=form.get("status") or None,
            reason=form.get("reason"),
            facilitator_id=facilitator_id(),
        )
    except WorkshopError as exc:
        return fail(exc, "journey.board", wid=wid, _anchor="findings")
    return _done(wid, "journey.board", _("board.flash_triaged"), _anchor="findings")


# --- Moderation ----------------------------------------------------------------------------


def _optional_id(raw: Any) -> int | None:
    return None if raw in (None, "", "0") else _id(raw)


@bp.get("/board/placements/<int:pid>")
@login_required
def placement(wid: int, pid: int) -> Any:
    session = get_session()
    workshop = services.get_workshop(session, wid)
    row = moderation.get_placement(session, wid, pid)
    state = board_state(session, wid)
    shown = next((p for p in state["placements"] if p["id"] == pid), None)
    same_cell = [
        p
        for p in state["placements"]
        if p["role_id"] == row.role_id and p["stage_id"] == row.stage_id and p["id"] != pid
    ]
    transitions = {t["id"]: t for t in state["transitions"]}
    touching = [
        h
        for h in state["handoffs"]
        if h["transition_id"] in transitions
        and (
            (transitions[h["transition_id"]]["from_id"], h["from_role_id"])
            == (row.stage_id, row.role_id)
            or (transitions[h["transition_id"]]["to_id"], h["to_role_id"])
            == (row.stage_id, row.role_id)
        )
    ]
    return render_template(
        "journey/placement.html",
        workshop=workshop,
        row=row,
        shown=shown,
        state=state,
        role={r["id"]: r for r in state["roles"]}.get(row.role_id),
        code={r["id"]: r["code"] for r in state["roles"]},
        stage_label={s["id"]: s["label"] for s in state["stages"]},
        org_name={o["id"]: o["name"] for o in state["organisations"]},
        same_cell=same_cell,
        touching=touching,
        transitions=transitions,
        # removing takes its handoffs along unless another placement still holds the cell
        leaning=0 if same_cell else len(touching),
    )


@bp.post("/board/placements/<int:pid>/edit")
@login_required
def placement_edit(wid: int, pid: int) -> Any:
    form = request.form
    try:
        moderation.edit_placement(
            get_session(),
            workshop_id=wid,
            placement_id=pid,
            stage_id=_id(form.get("stage_id")),
            organisation_id=_optional_id(form.get("organisation_id")),
            needs=form.get("needs"),
            obstacles=form.get("obstacles"),
            facilitator_id=facilitator_id(),
        )
    except WorkshopError as exc:
        return _refused(exc, "journey.placement", wid=wid, pid=pid)
    return _done(wid, "journey.placement", _("moderate.flash_saved"), pid=pid)


@bp.post("/board/placements/<int:pid>/remove")
@login_required
def placement_remove(wid: int, pid: int) -> Any:
    try:
        n = moderation.remove_placement(
            get_session(), workshop_id=wid, placement_id=pid, facilitator_id=facilitator_id()
        )
    except WorkshopError as exc:
        return fail(exc, "journey.placement", wid=wid, pid=pid)
    return _done(wid, "journey.edits", _("moderate.flash_removed", handoffs=n))


@bp.post("/board/placements/<int:pid>/merge")
@login_required
def placement_merge(wid: int, pid: int) -> Any:
    try:
        moderation.merge_placements(
            get_session(),
            workshop_id=wid,
            keep_id=pid,
            merge_ids=[_id(m) for m in request.form.getlist("merge_id")],
            facilitator_id=facilitator_id(),
        )
    except WorkshopError as exc:
        return fail(exc, "journey.placement", wid=wid, pid=pid)
    return _done(wid, "journey.placement", _("moderate.flash_merged"), pid=pid)


@bp.get("/board/handoffs/<int:hid>")
@login_required
def handoff(wid: int, hid: int) -> Any:
    session = get_session()
    row = moderation.get_handoff(session, wid, hid)
    transition = stage_services.get_transition(session, wid, row.transition_id)
    state = board_state(session, wid)
    return render_template(
        "journey/handoff.html",
        workshop=services.get_workshop(session, wid),
        row=row,
        transition=transition,
        stage_label={s["id"]: s["label"] for s in state["stages"]},
        role={r["id"]: r for r in state["roles"]},
        shown=next((h for h in state["handoffs"] if h["id"] == hid), None),
        modes=HANDOFF_MODES,
    )


@bp.post("/board/handoffs/<int:hid>/edit")
@login_required
def handoff_edit(wid: int, hid: int) -> Any:
    form = request.form
    try:
        moderation.edit_handoff(
            get_session(),
            workshop_id=wid,
            handoff_id=hid,
            mode=form.get("mode") or None,
            acknowledged=form.get("acknowledged") == "1",
            notes=form.get("notes"),
            facilitator_id=facilitator_id(),
        )
    except WorkshopError as exc:
        return _refused(exc, "journey.handoff", wid=wid, hid=hid)
    return _done(wid, "journey.handoff", _("moderate.flash_saved"), hid=hid)


@bp.post("/board/handoffs/<int:hid>/remove")
@login_required
def handoff_remove(wid: int, hid: int) -> Any:
    try:
        moderation.remove_handoff(
            get_session(), workshop_id=wid, handoff_id=hid, facilitator_id=facilitator_id()
        )
    except WorkshopError as exc:
        return fail(exc, "journey.handoff", wid=wid, hid=hid)
    return _done(wid, "journey.edits", _("moderate.flash_handoff_removed"))


def _refused(exc: WorkshopError, endpoint: str, **values: Any) -> Any:
    """A refused edit form: shown again with what the facilitator typed, nothing lost."""
    get_session().rollback()
    if wants_json():
        return {"ok": False, "error": error_text(exc)}, 400
    flash(error_text(exc), "error")
    view = placement if endpoint == "journey.placement" else handoff
    return view(**values), 400


@bp.get("/board/edits")
@login_required
def edits(wid: int) -> Any:
    session = get_session()
    log = moderation.edit_log(session, workshop_id=wid, limit=200)
    every_stage = stage_services.stages(session, wid) + stage_services.stages(
        session, wid, removed=True
    )
    return render_template(
        "journey/edits.html",
        workshop=services.get_workshop(session, wid),
        edits=[(e, json.loads(e.before)) for e in log],
        stage_label={s.id: s.label for s in every_stage},
        org_name={o["id"]: o["name"] for o in board_state(session, wid)["organisations"]},
    )


@bp.post("/board/edits/<int:eid>/undo")
@login_required
def edits_undo(wid: int, eid: int) -> Any:
    try:
        moderation.undo(get_session(), workshop_id=wid, edit_id=eid)
    except WorkshopError as exc:
        return fail(exc, "journey.edits", wid=wid)
    return _done(wid, "journey.edits", _("edits.flash_undone"))
