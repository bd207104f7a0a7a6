"""Facilitator pages for a workshop's data: the tables (CSV, a ZIP of CSVs, XLSX), the complete
archive (JSON), and importing an archive as a new workshop."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from db import get_session
from reports.archive import ArchiveError, archive_json, export_workshop, import_workshop
from reports.tables import csv_zip, table_csv, tables_xlsx, workshop_tables
from web import _, attachment, document_language, facilitator_id, lang, login_required
from workshops import services
from workshops.domain import file_stem

bp = Blueprint("data", __name__, url_prefix="/f")

IMPORT_LIMIT = 2 * 1024 * 1024
MEDIA_TYPES = {
    # bare types: Werkzeug adds the charset to text types itself
    "csv": "text/csv",
    "zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _attachment(data: bytes, kind: str, filename: str) -> Response:
    return attachment(data, MEDIA_TYPES[kind], filename)


@bp.get("/w/<int:wid>/data/")
@login_required
def index(wid: int) -> Any:
    session = get_session()
    workshop = services.get_workshop(session, wid)
    tables = workshop_tables(session, wid, lang=lang())
    return render_template("reports_data/index.html", workshop=workshop, tables=tables)


@bp.get("/w/<int:wid>/data/download/<name>")
@login_required
def download(wid: int, name: str) -> Any:
    """``workshop.json`` (the archive), ``tables.xlsx``, ``tables.zip`` or ``<table>.csv``;
    file names carry the workshop's title, its date (today's when it has none) and the tables'
    language; a WS2 workshop's also the day, as its map's files do (its findings are the live
    map's)."""
    session = get_session()
    workshop = services.get_workshop(session, wid)
    live_map = workshop.kind == "ws2"
    stem = file_stem(
        workshop.title, workshop.date, dt.date.today(), "workshop", as_of_today=live_map
    )
    if name == "workshop.json":
        document = export_workshop(session, wid)
        return _attachment(archive_json(document), "json", f"{stem}.workshop.json")
    language = document_language()
    tables = workshop_tables(session, wid, lang=language)
    if name == "tables.xlsx":
        return _attachment(tables_xlsx(tables, language), "xlsx", f"{stem}-{language}.xlsx")
    if name == "tables.zip":
        data = csv_zip(tables, language, f"{stem}-{language}")
        return _attachment(data, "zip", f"{stem}-{language}-csv.zip")
    key = name.removesuffix(".csv")
    table = next((t for t in tables.tables if t.key == key and name.endswith(".csv")), None)
    if table is None:
        abort(404)
    data = table_csv(table, language, tables.threshold)
    return _attachment(data, "csv", f"{stem}-{language}-{table.key}.csv")


# --- Import -----------------------------------------------------------------------------------


@bp.get("/import")
@login_required
def import_form() -> Any:
    return _import_page()


def _import_page(problems: list[str] | None = None, upload: str = "", status: int = 200) -> Any:
    body = render_template(
        "reports_data/import.html",
        problems=problems or [],
        upload=upload,
        limit_mb=IMPORT_LIMIT // (1024 * 1024),
    )
    return body, status


@bp.post("/import")
@login_required
def import_archive() -> Any:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page([_("data.import.no_file")], status=400)
    raw = upload.read(IMPORT_LIMIT + 1)
    if len(raw) > IMPORT_LIMIT:
        problems = [_("data.import.too_large", limit=IMPORT_LIMIT // (1024 * 1024))]
        return _import_page(problems, upload.filename, 400)
    try:
        document = json.loads(raw.decode("utf-8-sig"))
        session = get_session()
        wid = import_workshop(session, document, owner_id=facilitator_id())
    except UnicodeDecodeError:
        problems = [_("data.import.not_utf8")]
    except json.JSONDecodeError as exc:
        problems = [_("data.import.not_json", line=exc.lineno, column=exc.colno, reason=exc.msg)]
    except ArchiveError as exc:
        problems = exc.messages
    else:
        flash(_("data.imported", code=services.get_workshop(session, wid).join_code), "ok")
        return redirect(url_for("facilitator.prepare", wid=wid))
    return _import_page(problems, upload.filename, 400)
