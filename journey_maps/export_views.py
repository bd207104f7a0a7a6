"""Facilitator pages for a workshop's map as files: exports, import, snapshots, comparison."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
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
    url_for,
)

import i18n
from db import end_reading, get_session
from journey_maps import render as rendering
from journey_maps import snapshots
from journey_maps.analysis import gap_report
from journey_maps.events import TOPIC
from journey_maps.export import diagram_title, findings_json, journey_dot
from journey_maps.findings_table import map_findings_csv
from journey_maps.format import JourneyFormatError, parse_journey
from journey_maps.importing import import_journey
from journey_maps.messages import honesty
from journey_maps.triage import triage_map
from web import (
    _,
    attachment,
    document_language,
    error_text,
    facilitator_id,
    fail,
    lang,
    login_required,
)
from workshops import services
from workshops.domain import WorkshopError, file_stem, slug
from workshops.live import broadcaster

bp = Blueprint("journey_files", __name__, url_prefix="/f/w/<int:wid>/map")

IMPORT_LIMIT = 2 * 1024 * 1024
DIAGRAMS = ("svg", "png", "pdf", "dot")
NEEDS_DOT = ("svg", "png", "pdf")
FILES = {
    # bare types: Werkzeug adds the charset to text types itself
    "journey.json": "application/json",
    "findings.json": "application/json",
    "findings.csv": "text/csv",
    **{f"diagram.{fmt}": rendering.MEDIA_TYPES[fmt] for fmt in DIAGRAMS},
}
SNAPSHOT_SLUGS = {"as_is": "nulage", "to_be": "malbild", "other": "version"}
try:
    LOCAL_TIME: dt.tzinfo = zoneinfo.ZoneInfo("Europe/Stockholm")
except zoneinfo.ZoneInfoNotFoundError:  # a system without the time zone database
    LOCAL_TIME = dt.UTC


def when(moment: dt.datetime) -> str:
    """A stored (naive UTC) time as Swedish local time.

    >>> when(dt.datetime(2026, 6, 1, 12, 30))
    '2026-06-01 14:30'
    """
    return moment.replace(tzinfo=dt.UTC).astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


def _honesty() -> str:
    return honesty(lang())


# --- The page --------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index(wid: int) -> Any:
    return _page(wid)


def _page(
    wid: int, *, problems: list[str] | None = None, upload: str = "", status: int = 200
) -> Any:
    session = get_session()
    workshop = services.get_workshop(session, wid)
    document = snapshots.live_document(session, wid)
    report = gap_report(parse_journey(document))
    saved = snapshots.list_snapshots(session, wid)
    body = render_template(
        "journey_files/index.html",
        workshop=workshop,
        counts={key: len(document.get(key, [])) for key in ("stages", "placements", "handoffs")},
        findings=len(report.findings),
        snapshots=saved,
        # a saved version is enough; else another WS2 workshop's map (one more read)
        can_compare=bool(saved)
        or len(snapshots.compare_sources(session, wid, manager_id=facilitator_id())) > 1,
        kinds=snapshots.KINDS,
        dot=rendering.dot_available(),
        honesty=_honesty(),
        problems=problems or [],
        upload=upload,
        limit_mb=IMPORT_LIMIT // (1024 * 1024),
        when=when,
    )
    return body, status


# --- Downloads -------------------------------------------------------------------------------


@bp.get("/download/<name>")
@login_required
def download(wid: int, name: str) -> Any:
    session = get_session()
    workshop = services.get_workshop(session, wid)
    document = snapshots.live_document(session, wid)
    today = dt.date.today()
    stem = file_stem(workshop.title, workshop.date, today, as_of_today=True)
    return _file(wid, document, stem, name, stamp=("files.stamp_live", today))


@bp.get("/snapshots/<int:sid>/download/<name>")
@login_required
def snapshot_download(wid: int, sid: int, name: str) -> Any:
    session = get_session()
    workshop = services.get_workshop(session, wid)
    snapshot = snapshots.get_snapshot(session, workshop_id=wid, snapshot_id=sid)
    info = snapshot.info
    stem = (
        f"{slug(workshop.title)}-{SNAPSHOT_SLUGS[info.kind]}"
        f"{'-' + slug(info.label, '') if info.label else ''}-{info.created_at.date().isoformat()}"
    )
    # a label takes the kind's place in the title, so the stamp names the kind
    key = "files.stamp_saved_kind" if info.label else "files.stamp_saved"
    return _file(
        wid, snapshot.document, stem, name, stamp=(key, info.created_at.date()), kind=info.kind
    )


@bp.get("/preview.svg")
@login_required
def preview(wid: int) -> Any:
    """The live diagram for the page's <img>; 503 when it cannot be drawn (the page says why)."""
    document = snapshots.live_document(get_session(), wid)
    end_reading(get_session())
    journey = parse_journey(document)
    try:
        picture = rendering.render(journey_dot(journey, gap_report(journey), lang=lang()), "svg")
    except (rendering.GraphvizMissing, rendering.RenderError):
        return Response(_("files.preview_unavailable"), 503, mimetype="text/plain")
    return Response(picture, mimetype=rendering.MEDIA_TYPES["svg"])


def _file(
    wid: int,
    document: dict[str, Any],
    stem: str,
    name: str,
    *,
    stamp: tuple[str, dt.date],
    kind: str | None = None,
) -> Any:
    """One of the map's files; ``stamp`` (a message key and a date) says under the diagram's
    title which map it is, in the file's language."""
    if name not in FILES:
        abort(404)
    if name == "journey.json":
        data: bytes = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        return _attachment(data, name, f"{stem}.journey.json")
    journey = parse_journey(document)
    report = gap_report(journey)
    if name == "findings.json":
        return _attachment(findings_json(report).encode("utf-8"), name, f"{stem}.findings.json")
    language = document_language()
    if name == "findings.csv":
        # the Data tab's table: semicolons and a byte-order mark for Swedish Excel, verdicts
        data = map_findings_csv(journey, triage_map(get_session(), wid), language, report=report)
        return _attachment(data, name, f"{stem}-{language}.findings.csv")
    fmt = name.removeprefix("diagram.")
    end_reading(get_session())
    try:
        key, day = stamp
        kind_name = i18n.translate(language, f"files.kind.{kind}") if kind else ""
        stamped = i18n.translate(language, key, date=day.isoformat(), kind=kind_name)
        source = journey_dot(journey, report, lang=language, stamp=stamped)
        title = diagram_title(journey, lang=language, stamp=stamped)
        data = rendering.render(source, fmt, title=title)
    except rendering.GraphvizMissing:
        flash(_("files.dot_missing_download"), "error")
        return redirect(url_for("journey_files.index", wid=wid, _anchor="downloads"))
    except rendering.RenderError:
        flash(_("files.render_failed"), "error")
        return redirect(url_for("journey_files.index", wid=wid, _anchor="downloads"))
    return _attachment(data, name, f"{stem}-{language}.{fmt}")


def _attachment(data: bytes, name: str, filename: str) -> Response:
    return attachment(data, FILES[name], filename)


# --- Import ----------------------------------------------------------------------------------


@bp.post("/import")
@login_required
def import_map(wid: int) -> Any:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return fail(WorkshopError("error.files_no_file"), "journey_files.index", wid=wid)
    raw = upload.read(IMPORT_LIMIT + 1)
    if len(raw) > IMPORT_LIMIT:
        problems = [_("files.import.too_large", limit=IMPORT_LIMIT // (1024 * 1024))]
        return _page(wid, problems=problems, upload=upload.filename, status=400)
    try:
        document = json.loads(raw.decode("utf-8-sig"))
        counts = import_journey(get_session(), workshop_id=wid, document=document)
    except UnicodeDecodeError:
        problems = [_("files.import.not_utf8")]
    except json.JSONDecodeError as exc:
        problems = [_("files.import.not_json", line=exc.lineno, column=exc.colno, reason=exc.msg)]
    except JourneyFormatError as exc:
        problems = exc.messages
    except WorkshopError as exc:
        return fail(exc, "journey_files.index", wid=wid, _anchor="import")
    else:
        broadcaster(current_app).changed(wid, TOPIC)
        shown = ("stages", "transitions", "placements", "handoffs")
        named = {key: _(f"count.{key}", n=counts[key]) for key in shown}
        flash(_("flash.files_imported", **named), "ok")
        return redirect(url_for("journey_files.index", wid=wid))
    return _page(wid, problems=problems, upload=upload.filename, status=400)


# --- Snapshots -------------------------------------------------------------------------------


@bp.post("/snapshots")
@login_required
def save_snapshot(wid: int) -> Any:
    try:
        snapshots.save_snapshot(
            get_session(),
            workshop_id=wid,
            kind=request.form.get("kind", ""),
            label=request.form.get("label", ""),
            facilitator_id=facilitator_id(),
        )
    except WorkshopError as exc:
        return fail(exc, "journey_files.index", wid=wid, _anchor="snapshots")
    flash(_("flash.snapshot_saved"), "ok")
    return redirect(url_for("journey_files.index", wid=wid, _anchor="snapshots"))


@bp.post("/snapshots/<int:sid>/delete")
@login_required
def delete_snapshot(wid: int, sid: int) -> Any:
    try:
        snapshots.delete_snapshot(get_session(), workshop_id=wid, snapshot_id=sid)
    except WorkshopError as exc:
        return fail(exc, "journey_files.index", wid=wid, _anchor="snapshots")
    flash(_("flash.snapshot_deleted"), "ok")
    return redirect(url_for("journey_files.index", wid=wid, _anchor="snapshots"))


# --- Comparison ------------------------------------------------------------------------------


@bp.get("/compare")
@login_required
def compare(wid: int) -> Any:
    session = get_session()
    workshop = services.get_workshop(session, wid)
    sources = snapshots.compare_sources(session, wid, manager_id=facilitator_id())
    before = request.args.get("before") or _default_before(sources)
    after = request.args.get("after") or snapshots.LIVE
    result, status = None, 200
    if "before" in request.args or "after" in request.args:
        try:
            result = snapshots.compare_maps(
                session,
                workshop_id=wid,
                before=before,
                after=after,
                manager_id=facilitator_id(),
            )
        except WorkshopError as exc:
            flash(error_text(exc), "error")
            status = 400
    rows = (
        snapshots.figure_rows(result.comparison.before.figures, result.comparison.after.figures)
        if result
        else []
    )
    return render_template(
        "journey_files/compare.html",
        workshop=workshop,
        sources=sources,
        before=before,
        after=after,
        result=result,
        figure_rows=rows,
        honesty=_honesty(),
        when=when,
    ), status


def _default_before(sources: list[snapshots.Source]) -> str:
    """The latest as-is snapshot, else the latest snapshot, else the first other map."""
    saved = [s for s in sources if s.kind == "snapshot"]
    as_is = [s for s in saved if s.snapshot_kind == "as_is"]
    others = [s for s in sources if s.ref != snapshots.LIVE]
    for choice in (as_is, saved, others):
        if choice:
            return choice[0].ref
    return snapshots.LIVE
