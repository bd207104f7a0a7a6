"""Facilitator pages: workshops, organisations, statements, the live console, projector, results."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

import i18n
from db import get_session
from journey_maps.board import placement_counts
from journey_maps.messages import honesty
from journey_maps.summary import journey_summary
from roles.services import validation_outcomes
from web import (
    _,
    error_text,
    facilitator_id,
    fail,
    lang,
    login_required,
    refusal,
    wants_json,
)
from workshops import catalogue, domain, results, services, voting
from workshops.domain import CsvError, WorkshopError
from workshops.join_views import join_url
from workshops.live import broadcaster
from workshops.setup import prepare_ws2

bp = Blueprint("facilitator", __name__, url_prefix="/f")


def _date(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise WorkshopError("error.bad_date") from None


def _int(raw: Any) -> int:
    return domain.parse_id(raw if raw is not None else "")


@bp.get("/")
@login_required
def dashboard() -> Any:
    session = get_session()
    workshops = services.list_workshops(session, manager_id=facilitator_id())
    ws2 = [cast(int, w["id"]) for w in workshops if w["kind"] == "ws2"]
    return render_template(
        "facilitator/dashboard.html",
        workshops=workshops,
        placements=placement_counts(session, ws2),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_workshop() -> Any:
    if request.method == "GET":
        return render_template("facilitator/new.html", form={})
    form = request.form
    try:
        wid = services.create_workshop(
            get_session(),
            owner_id=facilitator_id(),
            title=form.get("title", ""),
            date=_date(form.get("date")),
            target_group=form.get("target_group", ""),
            everyone_may_answer=form.get("everyone_may_answer") == "1",
            kind=form.get("kind", "ws1"),
        )
        if form.get("kind") == "ws2":
            prepare_ws2(get_session(), workshop_id=wid)
    except WorkshopError as exc:
        flash(error_text(exc), "error")
        return render_template("facilitator/new.html", form=form), 400
    return redirect(url_for("facilitator.prepare", wid=wid))


@bp.get("/w/<int:wid>")
@login_required
def prepare(wid: int) -> Any:
    args = request.args  # the statement form's last choices (after an add)
    return _prepare_page(wid, _choices(args.get("org"), args.get("topic"), args.get("perspective")))


def _choices(org: str | None, topic: str | None, perspective: str | None) -> dict[str, Any]:
    """The statement form's organisation, topic and perspective as the page preselects them."""
    return {
        "organisation_id": int(org) if org and org.isdigit() else None,
        "topic": topic or "target_group",
        "perspective": perspective or "own",
    }


def _prepare_page(wid: int, adding: dict[str, Any], status: int = 200) -> Any:
    """The preparation page; ``adding`` is the statement form's state: the organisation, topic
    and perspective chosen last, or the refused texts with the reason."""
    session = get_session()
    workshop = services.get_workshop(session, wid)
    taken = {o.name.casefold() for o in workshop.organisations}
    voted = {r.id: r.tally.total for r in results.statement_results(session, wid)}
    # a role's statement is named as the role is in the interface's language
    cards = voting.role_cards(session, [s.role_id for s in workshop.statements if s.role_id])
    role_names = {rid: i18n.in_language(card["name"], lang()) for rid, card in cards.items()}
    return render_template(
        "facilitator/prepare.html",
        workshop=workshop,
        suggestions=catalogue.suggestions(workshop.target_group, taken),
        principals=domain.PRINCIPALS,
        voted=voted,
        join_url=join_url(workshop.join_code),
        adding=adding,
        role_names=role_names,
    ), status


@bp.post("/w/<int:wid>/settings")
@login_required
def settings(wid: int) -> Any:
    form = request.form
    try:
        services.update_workshop(
            get_session(),
            workshop_id=wid,
            title=form.get("title", ""),
            date=_date(form.get("date")),
            target_group=form.get("target_group", ""),
            everyone_may_answer=form.get("everyone_may_answer") == "1",
            anonymity_threshold=form.get("anonymity_threshold") or None,
        )
    except WorkshopError as exc:
        return fail(exc, "facilitator.prepare", wid=wid)
    flash(_("flash.saved"), "ok")
    return redirect(url_for("facilitator.prepare", wid=wid))


@bp.post("/w/<int:wid>/organisations")
@login_required
def add_organisation(wid: int) -> Any:
    form = request.form
    picked = form.getlist("suggested")
    try:
        if picked:
            options = dict(
                catalogue.ORGANISATIONS.get(
                    services.get_workshop(get_session(), wid).target_group, []
                )
            )
            for name in picked:
                services.add_organisation(
                    get_session(), workshop_id=wid, name=name, principal=options.get(name, "")
                )
        else:
            services.add_organisation(
                get_session(),
                workshop_id=wid,
                name=form.get("name", ""),
                principal=form.get("principal", ""),
            )
    except WorkshopError as exc:
        return fail(exc, "facilitator.prepare", wid=wid, _anchor="organisations")
    return redirect(url_for("facilitator.prepare", wid=wid, _anchor="organisations"))


@bp.post("/w/<int:wid>/organisations/<int:oid>/delete")
@login_required
def remove_organisation(wid: int, oid: int) -> Any:
    try:
        services.remove_organisation(get_session(), workshop_id=wid, organisation_id=oid)
    except WorkshopError as exc:
        return fail(exc, "facilitator.prepare", wid=wid, _anchor="organisations")
    return redirect(url_for("facilitator.prepare", wid=wid, _anchor="organisations"))


@bp.post("/w/<int:wid>/statements")
@login_required
def add_statements(wid: int) -> Any:
    form = request.form
    chosen: dict[str, Any] = {
        "org": form.get("organisation_id", ""),
        "topic": form.get("topic", ""),
        "perspective": form.get("perspective", ""),
    }
    try:
        ids = services.add_statements(
            get_session(),
            workshop_id=wid,
            organisation_id=_int(form.get("organisation_id")),
            topic=chosen["topic"],
            perspective=chosen["perspective"],
            texts=domain.pasted_lines(form.get("texts", "")),
        )
    except WorkshopError as exc:
        if wants_json():
            return fail(exc, "facilitator.prepare", wid=wid)
        refused = {"texts": form.get("texts", ""), "error": refusal(exc)}
        return _prepare_page(wid, {**_choices(**chosen), **refused}, 400)
    # the next list is often for the same organisation: the form keeps the choices, and says
    # what was added where the facilitator is looking
    flash(_("flash.statements_added", n=len(ids)), "in-card")
    return redirect(url_for("facilitator.prepare", wid=wid, _anchor="add", **chosen))


@bp.post("/w/<int:wid>/statements/import")
@login_required
def import_statements(wid: int) -> Any:
    upload = request.files.get("file")
    try:
        raw = upload.read() if upload else b""
        try:
            data = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            data = raw.decode("cp1252")  # Excel on Swedish Windows saves CSV this way
        n = services.import_statements_csv(get_session(), workshop_id=wid, data=data)
    except CsvError as exc:
        flash(_("error.csv", problems="; ".join(exc.problems[:20])), "error")
        return redirect(url_for("facilitator.prepare", wid=wid, _anchor="import"))
    except WorkshopError as exc:
        return fail(exc, "facilitator.prepare", wid=wid, _anchor="import")
    flash(_("flash.statements_added", n=n), "ok")
    return redirect(url_for("facilitator.prepare", wid=wid, _anchor="statements"))


@bp.route("/w/<int:wid>/statements/<int:sid>/edit", methods=["GET", "POST"])
@login_required
def edit_statement(wid: int, sid: int) -> Any:
    session = get_session()
    statement = services.get_statement(session, wid, sid)
    if request.method == "POST":
        form = request.form
        try:
            services.edit_statement(
                session,
                workshop_id=wid,
                statement_id=sid,
                organisation_id=_int(form.get("organisation_id")),
                topic=form.get("topic", ""),
                perspective=form.get("perspective", ""),
                text=form.get("text", ""),
            )
        except WorkshopError as exc:
            flash(error_text(exc), "error")
            return render_template(
                "facilitator/edit_statement.html", statement=statement, form=form
            ), 400
        return redirect(url_for("facilitator.prepare", wid=wid, _anchor=f"s{sid}"))
    return render_template("facilitator/edit_statement.html", statement=statement, form=None)


@bp.post("/w/<int:wid>/statements/<int:sid>/move")
@login_required
def move_statement(wid: int, sid: int) -> Any:
    offset = -1 if request.form.get("direction") == "up" else 1
    try:
        services.move_statement(get_session(), workshop_id=wid, statement_id=sid, offset=offset)
    except WorkshopError as exc:
        return fail(exc, "facilitator.prepare", wid=wid)
    return redirect(url_for("facilitator.prepare", wid=wid, _anchor=f"s{sid}"))


@bp.post("/w/<int:wid>/statements/<int:sid>/hide")
@login_required
def hide_statement(wid: int, sid: int) -> Any:
    hidden = request.form.get("hidden") == "1"
    try:
        services.set_hidden(get_session(), workshop_id=wid, statement_id=sid, hidden=hidden)
    except WorkshopError as exc:
        return fail(exc, "facilitator.prepare", wid=wid)
    broadcaster(current_app).push_now(wid)
    return redirect(url_for("facilitator.prepare", wid=wid, _anchor=f"s{sid}"))


@bp.post("/w/<int:wid>/delete")
@login_required
def delete_workshop(wid: int) -> Any:
    session = get_session()
    workshop = services.get_workshop(session, wid)
    if request.form.get("confirm", "").strip().upper() != workshop.join_code:
        flash(_("error.delete_confirm"), "error")
        return redirect(url_for("facilitator.prepare", wid=wid, _anchor="danger"))
    services.delete_workshop(session, workshop_id=wid)
    broadcaster(current_app).close(wid, "deleted")
    flash(_("flash.deleted"), "ok")
    return redirect(url_for("facilitator.dashboard"))


# --- Live ------------------------------------------------------------------------------------


@bp.get("/w/<int:wid>/console")
@login_required
def console(wid: int) -> Any:
    session = get_session()
    workshop = services.get_workshop(session, wid)
    return render_template(
        "facilitator/console.html",
        workshop=workshop,
        join_url=join_url(workshop.join_code),
    )


@bp.get("/w/<int:wid>/projector")
@login_required
def projector(wid: int) -> Any:
    workshop = services.get_workshop(get_session(), wid)
    return render_template(
        "projector/projector.html", workshop=workshop, join_url=join_url(workshop.join_code)
    )


@bp.post("/w/<int:wid>/live/<action>")
@login_required
def live_action(wid: int, action: str) -> Any:
    """Console buttons: open, open-batch, close, close-all, reveal, hide-results, current,
    roll-call."""
    session = get_session()
    form = request.form
    try:
        if action in ("open", "open-batch"):
            ids = [_int(x) for x in form.getlist("statement_id")]
            voting.open_statements(
                session, workshop_id=wid, statement_ids=ids, exclusive=action == "open"
            )
        elif action == "close":
            voting.close_statement(
                session, workshop_id=wid, statement_id=_int(form["statement_id"])
            )
        elif action == "close-all":
            voting.close_all(session, workshop_id=wid)
        elif action in ("reveal", "hide-results"):
            voting.reveal(
                session,
                workshop_id=wid,
                statement_id=_int(form.get("statement_id")),
                revealed=action == "reveal",
            )
        elif action == "current":
            raw = form.get("statement_id")
            voting.set_current(session, workshop_id=wid, statement_id=_int(raw) if raw else None)
        elif action == "roll-call":
            voting.roll_call(session, workshop_id=wid)
        else:
            raise WorkshopError("error.bad_payload")
    except (WorkshopError, KeyError) as exc:
        err = exc if isinstance(exc, WorkshopError) else WorkshopError("error.bad_payload")
        return fail(err, "facilitator.console", wid=wid)
    live = broadcaster(current_app)
    live.push_now(wid)
    if action == "roll-call":
        if services.get_workshop(session, wid).kind == "ws2":
            live.push_now(wid, "board")  # the board counts the participants too
        live.call_roll(wid)
    if wants_json():
        return {"ok": True}
    return redirect(url_for("facilitator.console", wid=wid))


@bp.get("/w/<int:wid>/statements.json")
@login_required
def statements_json(wid: int) -> Any:
    """The console's running order with states and totals (not pushed: fetched on change)."""
    session = get_session()
    workshop = services.get_workshop(session, wid)
    rows = results.statement_results(session, wid, include_roles=True)
    meta = {s.id: s for s in workshop.statements}
    cards = voting.role_cards(session, [s.role_id for s in meta.values() if s.role_id])
    return {
        "statements": [
            {
                "id": r.id,
                "organisation": r.organisation,
                "role": cards.get(meta[r.id].role_id or -1),
                "topic": r.topic,
                "perspective": r.perspective,
                "text": r.text,
                "state": meta[r.id].state,
                "hidden": meta[r.id].hidden,
                "revealed": meta[r.id].revealed,
                "voted": r.tally.total,
                # how many raised it is part of the distribution: none under the threshold
                "discuss": r.tally.discuss
                if domain.disclosed(r.tally, workshop.anonymity_threshold)
                else None,
                "outcome": r.outcome,
            }
            for r in rows
        ]
    }


# --- Results and discussion ------------------------------------------------------------------


@bp.get("/w/<int:wid>/results")
@login_required
def results_page(wid: int) -> Any:
    session = get_session()
    workshop = services.get_workshop(session, wid)
    ws2 = workshop.kind == "ws2"
    return render_template(
        "facilitator/results.html",
        workshop=workshop,
        results=results.workshop_results(session, wid),
        split=domain.is_split,
        # WS2: the map and the roles at a glance, with the ways into each
        journey=journey_summary(session, wid) if ws2 else None,
        roles=validation_outcomes(session, workshop_id=wid) if ws2 else [],
        honesty=honesty(lang()),
    )


@bp.get("/w/<int:wid>/discuss")
@login_required
def discuss(wid: int) -> Any:
    return _discuss_page(wid)


def _discuss_page(wid: int, failed: dict[str, Any] | None = None) -> Any:
    """The queue; ``failed`` keeps what was typed in a card whose form was refused, with why."""
    session = get_session()
    workshop = services.get_workshop(session, wid)
    analysis = results.workshop_results(session, wid)
    queue = analysis.queue
    if failed and failed["sid"] not in {item.result.id for item in queue}:
        flash(failed["error"], "error")  # its card is gone (a vote changed): say it up top
    return render_template(
        "facilitator/discuss.html",
        workshop=workshop,
        queue=queue,
        progress=analysis.progress,
        outcomes=domain.OUTCOMES,
        failed=failed or {},
    ), (400 if failed else 200)


@bp.post("/w/<int:wid>/discuss/<int:sid>")
@login_required
def record_discussion(wid: int, sid: int) -> Any:
    form = request.form
    try:
        new_id = results.record_discussion(
            get_session(),
            workshop_id=wid,
            statement_id=sid,
            note=form.get("note", ""),
            outcome=form.get("outcome") or None,
            new_text=form.get("new_text"),
        )
    except WorkshopError as exc:
        if wants_json():
            return fail(exc, "facilitator.discuss", wid=wid)
        typed = {k: form.get(k, "") for k in ("note", "outcome", "new_text")}
        return _discuss_page(wid, {"sid": sid, "error": refusal(exc), **typed})
    flash(_("flash.reworded") if new_id else _("flash.saved"), "ok")
    return redirect(url_for("facilitator.discuss", wid=wid, _anchor=f"d{sid}"))
