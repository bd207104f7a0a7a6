"""The audit log: one hook that records every facilitator action, the page that reads it, and
the retention flag the dashboard shows.

The hook sits on every request rather than in each view, so a new route cannot be forgotten:
a successful state-changing request under /f/ (any method but GET), a download under /f/ (any
response sent as an attachment), a login (successful, or failed for an existing account) and a
logout each write one line. A form that fails (a 4xx, or a redirect with an error message)
writes nothing. Facilitators change state only over HTTP: the /live socket events they may
send (connect, sync, journey_sync) only read; tests/integration/test_audit.py keeps it so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    message_flashed,
    render_template,
    request,
)
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from db import get_session
from web import _, facilitator_id, facilitator_is_lead, login_required
from workshops import audit, retention, services
from workshops.models import Facilitator, Workshop

bp = Blueprint("audit", __name__, url_prefix="/f")

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOCAL_TIME = ZoneInfo("Europe/Stockholm")


# --- The page --------------------------------------------------------------------------------


@bp.get("/audit")
@login_required
def page() -> Any:
    """The log, newest first; ``?workshop=<id>`` for one workshop, ``?page=<n>``."""
    session = get_session()
    raw_workshop = request.args.get("workshop", "")
    workshop_id = int(raw_workshop) if raw_workshop.isdigit() else None
    raw_page = request.args.get("page", "1")
    # a project lead reads the whole log, a facilitator what concerns them (docs/security.md)
    reader = None if facilitator_is_lead() else facilitator_id()
    log = audit.read_log(
        session,
        reader_id=reader,
        workshop_id=workshop_id,
        page=int(raw_page) if raw_page.isdigit() else 1,
    )
    return render_template(
        "facilitator/audit.html",
        log=log,
        workshop_id=workshop_id,
        workshops=audit.logged_workshops(session, reader_id=reader),
        retention_days=current_app.config["AUDIT_RETENTION_DAYS"],
    )


@bp.app_template_filter("local_time")
def local_time(moment: dt.datetime) -> str:
    """A stored UTC time as Swedish local time, to the minute."""
    return moment.replace(tzinfo=dt.UTC).astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


@bp.app_template_global("audit_action")
def action_label(action: str, detail: dict[str, Any]) -> str:
    """The words for an action; an action without words shows its own name."""
    if action.startswith("download:"):
        return _("audit.download", file=str(detail.get("file", "")))
    key = f"audit.action.{action}"
    text = _(key)
    return action if text == key else text


@bp.app_template_global("retention_due")
def retention_due(workshop: dict[str, Any]) -> bool:
    """Whether a dashboard row (``services.list_workshops``) is past the retention period."""
    created = workshop.get("created_at")
    if created is None:
        return False
    return retention.due_for_deletion(
        workshop.get("date"),
        created,
        today=dt.date.today(),
        days=current_app.config["RETENTION_DAYS"],
    )


@bp.app_template_global("retention_months")
def retention_months() -> int:
    return retention.months(current_app.config["RETENTION_DAYS"])


# --- The hook --------------------------------------------------------------------------------


def _watched() -> str | None:
    """What kind of request this is for the log: "login", "change", "download" or None."""
    endpoint = request.endpoint or ""
    if endpoint == "auth.login":
        return "login" if request.method == "POST" else None
    if endpoint == "auth.logout":
        return "change"
    if not request.path.startswith("/f/"):
        return None
    return "change" if request.method in STATE_CHANGING else "download"


def _workshop_settings(workshop_id: int) -> dict[str, Any] | None:
    """The workshop's title and settings as stored now (read past the session's identity map,
    which may still hold a workshop just deleted)."""
    columns = [getattr(Workshop, name) for name in audit.WORKSHOP_SETTINGS]
    row = get_session().execute(select(*columns).where(Workshop.id == workshop_id)).first()
    return dict(zip(audit.WORKSHOP_SETTINGS, row, strict=True)) if row else None


@bp.before_app_request
def _before() -> None:
    kind = _watched()
    if kind is None:
        return
    info: dict[str, Any] = {"kind": kind, "fid": facilitator_id(), "failed": False}
    wid = (request.view_args or {}).get("wid")
    if kind == "change" and info["fid"] is not None and isinstance(wid, int):
        info["before"] = _workshop_settings(wid)
        get_session().rollback()  # never hold SQLite's write lock into the view
    g.audit = info


def _flashed(sender: Flask, message: str, category: str, **extra: Any) -> None:
    """A form that failed says so with an error message: such a request is not an action."""
    info = g.get("audit")
    if info is not None and category == "error":
        info["failed"] = True


@bp.record_once
def _listen(state: Any) -> None:
    message_flashed.connect(_flashed, state.app)


@bp.after_app_request
def _after(response: Response) -> Response:
    info = g.pop("audit", None)
    if info is None:
        return response
    session = get_session()
    try:
        session.rollback()  # the view committed its work; end any read it left open
        if _write(info, response):
            session.commit()
    except SQLAlchemyError:
        session.rollback()
        current_app.logger.exception("audit line for %s not written", request.endpoint)
    return response


def _write(info: dict[str, Any], response: Response) -> bool:
    if info["kind"] == "login":
        return _login(response)
    fid = info["fid"]
    if fid is None or info["failed"] or response.status_code >= 400:
        return False
    view_args = dict(request.view_args or {})
    wid = view_args.pop("wid", None)
    detail: dict[str, Any] = audit.safe_values(view_args)
    if info["kind"] == "download":
        disposition = response.headers.get("Content-Disposition", "")
        if not disposition.startswith("attachment"):
            return False
        detail["file"] = disposition.partition("filename=")[2].strip('"')[:120]
        detail |= audit.safe_values(request.args.items(multi=True), allowed={"language"})
    else:
        detail |= audit.safe_values(request.form.items(multi=True), allowed=audit.SAFE_FORM_FIELDS)
        if wid is None:  # a new workshop (created or imported): the redirect names it
            wid = audit.workshop_in_location(response.headers.get("Location"))
    before = info.get("before")
    after = _workshop_settings(wid) if isinstance(wid, int) else None
    if before and after:
        changed = audit.setting_changes(before, after)
        if changed:
            detail["changed"] = changed
    if after is None and before is not None:
        detail["deleted"] = True
    title = (after or before or {}).get("title")
    audit.record(
        get_session(),
        action=audit.action_name(
            request.endpoint or "unknown", download=info["kind"] == "download"
        ),
        actor=services.facilitator_name(get_session(), fid) or f"#{fid}",
        facilitator_id=fid,
        workshop_id=wid if isinstance(wid, int) else None,
        workshop_title=title,
        detail=detail,
    )
    return True


def _login(response: Response) -> bool:
    """A login: success, or a failure against an existing account (unknown addresses are
    no one's action and are not kept: they would only store what someone mistyped)."""
    session = get_session()
    fid = facilitator_id()
    if response.status_code in (301, 302, 303) and fid is not None:
        name = services.facilitator_name(session, fid) or f"#{fid}"
        audit.record(session, action="auth.login", actor=name, facilitator_id=fid)
        return True
    if response.status_code not in (401, 429):
        return False
    email = request.form.get("email", "").strip().lower()
    account = session.execute(
        select(Facilitator.id, Facilitator.name).where(func.lower(Facilitator.email) == email)
    ).first()
    if account is None:
        return False
    reason = "rate_limited" if response.status_code == 429 else "password"
    audit.record(
        session,
        action="auth.login_failed",
        actor=account.name,
        facilitator_id=account.id,
        detail={"reason": reason},
    )
    return True
