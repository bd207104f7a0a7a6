"""Verification pages: the facilitator's versions, links and notes inbox, and the verifier's
report behind a secret link (no account, no participant cookie)."""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from db import end_reading, get_session
from journey_maps.export_views import when
from reports import verification
from reports.concerns import concerns_of
from reports.document import changed_items, iter_items
from reports.pdf_store import stored_layout
from reports.render import render_report_html, report_pdf_from_document
from web import _, attachment, client_key, document_language, error_text, fail, lang, login_required
from workshops import domain, services
from workshops.domain import WorkshopError, slug
from workshops.voting import hash_token

bp = Blueprint("verification", __name__, url_prefix="/f/w/<int:wid>/verification")
public = Blueprint("verify", __name__, url_prefix="/v")

NEW_LINK = "verification_new_link"
REMEMBERED = "verify_since"
# A link that cannot be opened: what the page says and its status. Nothing of the workshop.
REFUSED = {
    "verify.error.unknown": 404,
    "verify.error.expired": 410,
    "verify.error.revoked": 410,
    "verify.error.not_published": 404,
    "error.rate_limited": 429,
}


def anchor(key: str) -> str:
    """The id of an item on the report page (as the report template writes it).

    >>> anchor("finding:s1>s2:unbridged")
    'item-finding-s1-s2-unbridged'
    """
    return "item-" + re.sub(r"[:> ]", "-", key)


def _pdf(
    document: dict[str, Any],
    *,
    workshop_id: int,
    title: str,
    number: int,
    recipient: dict[str, str] | None = None,
) -> Response:
    """A version as a PDF, laid out once and then kept (``reports.pdf_store``); ``recipient``
    (organisation, and until when their link takes remarks when they have one) makes it that
    organisation's copy."""
    report_lang = document_language()
    data = report_pdf_from_document(
        document,
        lang=report_lang,
        version=number,
        recipient=recipient,
        layout=stored_layout(get_session(), workshop_id=workshop_id, number=number),
    )
    whose = f"-{slug(recipient['organisation'], 'org')}" if recipient else ""
    return attachment(
        data, "application/pdf", f"{slug(title, 'rapport')}-v{number}{whose}-{report_lang}.pdf"
    )


def _copy_for(workshop: Any) -> str | None:
    """The invited organisation named by ``?for=<id>`` (whose copy to show), or None; an id
    that is not one of the workshop's organisations is a 404."""
    raw = request.args.get("for")
    if not raw:
        return None
    org = next((o for o in workshop.organisations if str(o.id) == raw), None)
    if org is None:
        abort(404)
    return str(org.name)


def _stylesheets() -> list[str]:
    return [url_for("static", filename="css/verification.css")]


# --- The facilitator --------------------------------------------------------------------------


@bp.get("/")
@login_required
def index(wid: int) -> Any:
    db = get_session()
    workshop = services.get_workshop(db, wid)
    by_organisation: dict[int, list[verification.LinkInfo]] = {}
    for link in verification.links(db, wid):
        by_organisation.setdefault(link.organisation_id, []).append(link)
    new_link = session.pop(NEW_LINK, None)
    if not isinstance(new_link, dict) or new_link.get("wid") != wid:
        new_link = None
    inbox = verification.notes(db, wid)
    return render_template(
        "verification/index.html",
        workshop=workshop,
        versions=verification.list_versions(db, wid),
        draft=verification.draft_changes(db, wid),
        organisations=sorted(workshop.organisations, key=lambda o: o.name.casefold()),
        links=by_organisation,
        new_link=new_link,
        inbox=inbox,
        when=when,
        open_notes=sum(group.open for group in inbox),
        days=(verification.MIN_DAYS, verification.DEFAULT_DAYS, verification.MAX_DAYS),
        limits={
            "version_note": verification.MAX_VERSION_NOTE,
            "response": verification.MAX_RESPONSE,
        },
    )


@bp.post("/publish")
@login_required
def publish(wid: int) -> Any:
    try:
        number = verification.publish_version(
            get_session(), workshop_id=wid, note=request.form.get("note")
        )
    except WorkshopError as exc:
        return fail(exc, "verification.index", wid=wid, _anchor="versions")
    flash(_("verification.flash.published", number=number), "ok")
    return redirect(url_for("verification.index", wid=wid, _anchor="links"))


@bp.get("/versions/<int:number>")
@login_required
def version(wid: int, number: int) -> Any:
    db = get_session()
    workshop = services.get_workshop(db, wid)
    document = verification.get_version(db, wid, number)
    previous = verification.get_version(db, wid, number - 1) if number > 1 else None
    changes = changed_items(previous, document)
    # ?for=<organisation id>: the copy that organisation reads, with what concerns it
    organisation = _copy_for(workshop)
    toolbar = render_template(
        "verification/_version_toolbar.html",
        workshop=workshop,
        number=number,
        organisation=organisation,
        organisation_id=request.args.get("for") if organisation else None,
        changes=changes,
        items={item["key"]: item for item in iter_items(document)},
        removed={item["key"]: item for item in iter_items(previous)} if previous else {},
        anchor=anchor,
    )
    end_reading(db)  # the page draws the journey diagram
    return render_report_html(
        document,
        lang=document_language(),
        mode="version",
        changes={k: v for k, v in changes.items() if v != "removed"},
        version=number,
        extra={"toolbar": toolbar, "stylesheets": _stylesheets()},
        concerns=concerns_of(document, organisation) if organisation else None,
    )


@bp.get("/versions/<int:number>.pdf")
@login_required
def version_pdf(wid: int, number: int) -> Any:
    """A version as a PDF; with ``?for=<organisation id>`` that organisation's copy, to send
    by other means than its link."""
    db = get_session()
    workshop = services.get_workshop(db, wid)
    organisation = _copy_for(workshop)
    document = verification.get_version(db, wid, number)
    end_reading(db)
    return _pdf(
        document,
        workshop_id=wid,
        title=workshop.title,
        number=number,
        recipient={"organisation": organisation} if organisation else None,
    )


def _link_url(token: str) -> str:
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + url_for("verify.report", token=token)


@bp.post("/links")
@login_required
def create_link(wid: int) -> Any:
    form = request.form
    try:
        organisation_id = domain.parse_id(form.get("organisation_id", ""))
        token = verification.create_link(
            get_session(), workshop_id=wid, organisation_id=organisation_id, days=form.get("days")
        )
    except WorkshopError as exc:
        return fail(exc, "verification.index", wid=wid, _anchor="links")
    # Only the hash is stored: the full link is shown once, on the page this redirects to.
    session[NEW_LINK] = {"wid": wid, "organisation_id": organisation_id, "url": _link_url(token)}
    return redirect(url_for("verification.index", wid=wid, _anchor="new-link"))


@bp.post("/links/<int:link_id>/revoke")
@login_required
def revoke_link(wid: int, link_id: int) -> Any:
    try:
        verification.revoke_link(get_session(), workshop_id=wid, link_id=link_id)
    except WorkshopError as exc:
        return fail(exc, "verification.index", wid=wid, _anchor="links")
    flash(_("verification.flash.revoked"), "ok")
    return redirect(url_for("verification.index", wid=wid, _anchor="links"))


@bp.post("/notes/<int:note_id>/decide")
@login_required
def decide(wid: int, note_id: int) -> Any:
    decision = request.form.get("decision")
    try:
        if decision not in ("accept", "reject"):
            raise WorkshopError("verification.error.decision")
        verification.decide_note(
            get_session(),
            workshop_id=wid,
            note_id=note_id,
            accept=decision == "accept",
            response=request.form.get("response"),
        )
    except WorkshopError as exc:
        return fail(exc, "verification.index", wid=wid, _anchor=f"note-{note_id}")
    flash(_(f"verification.flash.{decision}ed"), "ok")
    return redirect(url_for("verification.index", wid=wid, _anchor=f"note-{note_id}"))


@bp.post("/notes/<int:note_id>/reopen")
@login_required
def reopen(wid: int, note_id: int) -> Any:
    try:
        verification.reopen_note(get_session(), workshop_id=wid, note_id=note_id)
    except WorkshopError as exc:
        return fail(exc, "verification.index", wid=wid, _anchor=f"note-{note_id}")
    flash(_("verification.flash.reopened"), "ok")
    return redirect(url_for("verification.index", wid=wid, _anchor=f"note-{note_id}"))


# --- The verifier -----------------------------------------------------------------------------


@public.after_request
def _private(response: Response) -> Response:
    """The token is in the address: never sent on as a referrer, cached or indexed."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(exc: WorkshopError) -> Any:
    return (
        render_template("verification/refused.html", reason=exc.key, message=error_text(exc)),
        REFUSED[exc.key],
    )


def _remembered(token: str) -> tuple[str, int | None]:
    """The baseline this browser was shown for the link (its "changed since" version), keyed by
    part of the token's hash so that the token itself never goes into the cookie."""
    key = hash_token(token)[:16]
    stored = session.get(REMEMBERED)
    value = stored.get(key) if isinstance(stored, dict) else None
    return key, value if isinstance(value, int) else None


def _remember(key: str, since: int | None) -> None:
    stored = session.get(REMEMBERED)
    kept = dict(stored) if isinstance(stored, dict) else {}
    kept.pop(key, None)
    if since is not None:
        kept[key] = since
    session[REMEMBERED] = dict(list(kept.items())[-10:])


@public.get("/<token>")
def report(token: str) -> Any:
    """The latest version for an invited organisation, with a comment form on every item."""
    key, since = _remembered(token)
    try:
        view = verification.open_link(
            get_session(), token, client=client_key(), remembered_since=since
        )
    except WorkshopError as exc:
        if exc.key in REFUSED:
            return _refused(exc)
        raise
    _remember(key, view.since)
    items = {item["key"]: item for item in iter_items(view.document)}
    banner = render_template(
        "verification/_verifier_banner.html",
        view=view,
        token=token,
        items=items,
        anchor=anchor,
        when=when,
    )
    return render_report_html(
        view.document,
        lang=lang(),
        mode="verifier",
        changes=view.changes,
        note_forms=True,
        token=token,
        version=view.version,
        extra={"toolbar": banner, "stylesheets": _stylesheets()},
        concerns=concerns_of(view.document, view.organisation),
    )


@public.get("/<token>/report.pdf")
def report_pdf(token: str) -> Any:
    try:
        view = verification.open_link(get_session(), token, client=client_key(), record=False)
    except WorkshopError as exc:
        if exc.key in REFUSED:
            return _refused(exc)
        raise
    title = view.document["workshop"]["title"]
    # the verifier's own copy says whose it is and until when remarks can be sent
    recipient = {"organisation": view.organisation, "until": when(view.expires_at)}
    return _pdf(
        view.document,
        workshop_id=view.workshop_id,
        title=title,
        number=view.version,
        recipient=recipient,
    )


@public.post("/<token>/notes")
def add_note(token: str) -> Any:
    """A verifier's comment or proposed correction on one item; back to that item."""
    form = request.form
    item_key = form.get("item_key", "")
    try:
        verification.add_note(
            get_session(),
            token,
            item_key=item_key,
            kind=form.get("kind", ""),
            text=form.get("text"),
            proposed_text=form.get("proposed_text"),
            version=form.get("version", ""),
            client=client_key(),
        )
    except WorkshopError as exc:
        if exc.key in REFUSED:
            return _refused(exc)
        flash(error_text(exc), "error")
    else:
        flash(_("verify.flash.sent"), "ok")
    return redirect(url_for("verify.report", token=token, _anchor=anchor(item_key)))
