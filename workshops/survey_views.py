"""The pre-workshop survey's pages: the participant's self-paced survey (phone or laptop) and
the facilitator's survey page with proposals and the survey-vs-live comparison."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from db import get_session
from web import _, client_key, error_text, fail, login_required, wants_json
from workshops import domain, services, survey, voting
from workshops.domain import WorkshopError
from workshops.join_views import CODE_RULE, _tokens, join_url, join_with_form
from workshops.voting import ParticipantInfo

bp = Blueprint("survey", __name__)


# --- The participant's survey ----------------------------------------------------------------


def _me(code: str) -> ParticipantInfo | None:
    return voting.participant_for_token(get_session(), _tokens().get(code.upper()))


def _back(code: str, **values: Any) -> Any:
    return redirect(url_for("survey.page", code=code.upper(), **values))


def _render_survey(me: ParticipantInfo, *, form: Any = None, status: int = 200) -> Any:
    db = get_session()
    mine = survey.participant_survey(db, participant_id=me.id)
    workshop = services.get_workshop(db, me.workshop_id)
    if not mine.is_open:
        return render_template(
            "survey/closed.html", me=me, workshop=workshop, answered=mine.answered
        ), status
    proposed = request.args.get("proposed", type=int)
    return render_template(
        "survey/phone.html",
        me=me,
        workshop=workshop,
        survey=mine,
        others=[o for o in workshop.organisations if o.id != me.organisation_id],
        proposals=survey.my_proposals(db, participant_id=me.id),
        proposed=proposed,
        form=form or {},
        client_id=secrets.token_urlsafe(12),
        explanation_key=domain.explanation_key,
    ), status


@bp.route(f"/{CODE_RULE}/survey", methods=["GET", "POST"])
def page(code: str) -> Any:
    """The survey: a phone that has not joined picks its organisation here first."""
    db = get_session()
    try:
        workshop = voting.find_workshop_by_code(db, code, client_key=client_key())
    except WorkshopError as exc:
        flash(error_text(exc), "error")
        return render_template("participant/enter_code.html", code=code), 404
    me = _me(workshop.join_code)
    if me is not None:
        return _render_survey(me)
    if not workshop.survey_open:
        return render_template("survey/closed.html", me=None, workshop=workshop, answered=0)
    if request.method == "GET":
        return render_template("survey/join.html", workshop=workshop, form={})
    refused = join_with_form(workshop, "survey/join.html")
    if refused is not None:
        return refused
    return _back(workshop.join_code)


@bp.post(f"/{CODE_RULE}/survey/answer")
def answer(code: str) -> Any:
    """One answer; a script gets the progress back as JSON, a plain form a redirect."""
    me = _me(code)
    if me is None:
        return fail(WorkshopError("error.not_joined"), "survey.page", 403, code=code.upper())
    try:
        sid = domain.parse_id(request.form.get("statement_id"))
        mine = survey.answer(
            get_session(),
            participant_id=me.id,
            statement_id=sid,
            choice=request.form.get("choice", ""),
        )
    except WorkshopError as exc:
        return fail(exc, "survey.page", code=me.join_code)
    if wants_json():
        return {
            "ok": True,
            "choice": request.form["choice"],
            "answered": mine.answered,
            "total": mine.total,
            "progress": _("survey.progress", n=mine.answered, m=mine.total),
        }
    return _back(me.join_code, _anchor=f"s{sid}")


@bp.post(f"/{CODE_RULE}/survey/proposals")
def propose(code: str) -> Any:
    me = _me(code)
    if me is None:
        return _back(code)
    form = request.form
    try:
        proposed = survey.propose(
            get_session(),
            participant_id=me.id,
            organisation_id=domain.parse_id(form.get("organisation_id") or "0"),
            topic=form.get("topic", ""),
            text=form.get("text", ""),
            client_id=form.get("client_id", ""),
        )
    except WorkshopError as exc:
        if exc.key == "error.bad_payload":
            exc = WorkshopError("error.survey_pick_organisation")
        return _render_survey(me, form={**form, "error": error_text(exc)}, status=400)
    return _back(me.join_code, proposed=proposed.id, _anchor="my-proposals")


@bp.post(f"/{CODE_RULE}/survey/proposals/<int:pid>/withdraw")
def withdraw(code: str, pid: int) -> Any:
    me = _me(code)
    if me is None:
        return _back(code)
    try:
        survey.withdraw(get_session(), participant_id=me.id, proposal_id=pid)
    except WorkshopError as exc:
        return fail(exc, "survey.page", code=me.join_code, _anchor="my-proposals")
    flash(_("flash.survey_withdrawn"), "ok")
    return _back(me.join_code, _anchor="my-proposals")


# --- The facilitator's survey page -----------------------------------------------------------


@bp.get("/f/w/<int:wid>/survey")
@login_required
def index(wid: int) -> Any:
    db = get_session()
    workshop = services.get_workshop(db, wid)
    all_proposals = survey.proposals(db, workshop_id=wid)
    return render_template(
        "survey/facilitator.html",
        workshop=workshop,
        overview=survey.overview(db, wid),
        waiting=[p for p in all_proposals if p.state == "proposed"],
        decided=[p for p in all_proposals if p.state != "proposed"],
        survey_url=join_url(workshop.join_code) + "/survey",
    )


@bp.post("/f/w/<int:wid>/survey/open")
@login_required
def set_open(wid: int) -> Any:
    is_open = request.form.get("open") == "1"
    try:
        survey.set_survey_open(get_session(), workshop_id=wid, is_open=is_open)
    except WorkshopError as exc:
        return fail(exc, "survey.index", wid=wid)
    flash(_("flash.survey_opened" if is_open else "flash.survey_closed"), "ok")
    return redirect(url_for("survey.index", wid=wid))


@bp.post("/f/w/<int:wid>/survey/proposals/<int:pid>/<any(accept, reject):decision>")
@login_required
def decide(wid: int, pid: int, decision: str) -> Any:
    db = get_session()
    try:
        if decision == "accept":
            survey.accept(db, workshop_id=wid, proposal_id=pid, text=request.form.get("text"))
        else:
            survey.reject(db, workshop_id=wid, proposal_id=pid)
    except WorkshopError as exc:
        return fail(exc, "survey.index", wid=wid, _anchor="proposals")
    flash(_("flash.survey_accepted" if decision == "accept" else "flash.survey_rejected"), "ok")
    return redirect(url_for("survey.index", wid=wid, _anchor="proposals"))


@bp.get("/f/w/<int:wid>/survey/compare")
@login_required
def compare(wid: int) -> Any:
    """The projector's view of the comparison: one statement at a time, in large text."""
    db = get_session()
    workshop = services.get_workshop(db, wid)
    statements = survey.overview(db, wid).statements
    index = next(
        (i for i, c in enumerate(statements) if c.id == request.args.get("s", type=int)), 0
    )
    return render_template(
        "survey/compare.html",
        workshop=workshop,
        item=statements[index] if statements else None,
        previous=statements[index - 1].id if index > 0 else None,
        following=statements[index + 1].id if index + 1 < len(statements) else None,
        position=index + 1,
        count=len(statements),
    )
