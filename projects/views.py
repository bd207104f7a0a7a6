"""The project lead's pages: the projects, one project's overview, its ZIP of everything."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from db import get_session
from journey_maps import render as rendering
from journey_maps.messages import honesty
from projects import services
from projects.bundle import project_bundle
from projects.overview import folder_name, share_text
from projects.render import overview_pdf
from web import _, attachment, document_language, error_text, fail, lang, login_required
from workshops.domain import WorkshopError, parse_id

bp = Blueprint("projects", __name__, url_prefix="/f/projects")


@bp.get("/")
@login_required
def index() -> Any:
    return _index_page(form={})


def _index_page(*, form: Any, status: int = 200) -> Any:
    return render_template(
        "projects/index.html", projects=services.list_projects(get_session()), form=form
    ), status


@bp.post("/")
@login_required
def create() -> Any:
    form = request.form
    try:
        pid = services.create_project(
            get_session(), name=form.get("name", ""), description=form.get("description")
        )
    except WorkshopError as exc:
        flash(error_text(exc), "error")
        return _index_page(form=form, status=400)
    flash(_("flash.project_created"), "ok")
    return redirect(url_for("projects.overview", pid=pid))


@bp.get("/<int:pid>")
@login_required
def overview(pid: int) -> Any:
    session = get_session()
    return render_template(
        "projects/overview.html",
        project=services.project_overview(session, pid),
        ungrouped=services.ungrouped_workshops(session),
        dot=rendering.dot_available(),
        honesty=honesty(lang()),
        share=share_text,
    )


@bp.post("/<int:pid>/edit")
@login_required
def edit(pid: int) -> Any:
    services.get_project(get_session(), pid)  # an unknown project is a 404, not a message
    form = request.form
    try:
        services.rename_project(
            get_session(),
            project_id=pid,
            name=form.get("name", ""),
            description=form.get("description"),
        )
    except WorkshopError as exc:
        return fail(exc, "projects.overview", pid=pid, _anchor="settings")
    flash(_("flash.project_saved"), "ok")
    return redirect(url_for("projects.overview", pid=pid))


@bp.post("/<int:pid>/delete")
@login_required
def delete(pid: int) -> Any:
    services.delete_project(get_session(), project_id=pid)
    flash(_("flash.project_deleted"), "ok")
    return redirect(url_for("projects.index"))


@bp.post("/<int:pid>/workshops")
@login_required
def add_workshop(pid: int) -> Any:
    services.get_project(get_session(), pid)
    try:
        wid = parse_id(request.form.get("workshop_id", ""))
        services.assign_workshop(get_session(), project_id=pid, workshop_id=wid)
    except WorkshopError as exc:
        return fail(exc, "projects.overview", pid=pid, _anchor="workshops")
    flash(_("flash.project_workshop_added"), "ok")
    return redirect(url_for("projects.overview", pid=pid, _anchor="workshops"))


@bp.post("/<int:pid>/workshops/<int:wid>/remove")
@login_required
def remove_workshop(pid: int, wid: int) -> Any:
    services.get_project(get_session(), pid)
    try:
        services.unassign_workshop(get_session(), project_id=pid, workshop_id=wid)
    except WorkshopError as exc:
        return fail(exc, "projects.overview", pid=pid, _anchor="workshops")
    flash(_("flash.project_workshop_removed"), "ok")
    return redirect(url_for("projects.overview", pid=pid, _anchor="workshops"))


@bp.get("/<int:pid>/overview.pdf")
@login_required
def overview_document(pid: int) -> Any:
    """The overview alone as a PDF, in ``?language=`` (else the page's language)."""
    session = get_session()
    project = services.get_project(session, pid)
    language, today = document_language(), dt.date.today()
    data = overview_pdf(session, pid, lang=language, today=today)
    filename = f"{folder_name(project.name, today, set())}-overview-{language}.pdf"
    return attachment(data, "application/pdf", filename)


@bp.get("/<int:pid>/bundle.zip")
@login_required
def bundle(pid: int) -> Any:
    """Everything as one ZIP, in ``?language=`` (else the page's language), which its file
    name says."""
    session = get_session()
    project = services.get_project(session, pid)
    language = document_language()
    data = project_bundle(session, pid, lang=language)
    filename = f"{folder_name(project.name, dt.date.today(), set())}-{language}.zip"
    return attachment(data, "application/zip", filename)
