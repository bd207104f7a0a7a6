"""A published version's PDF is laid out once and kept (reports.pdf_store): read back the next
time, laid out again only when the page or what lays it out changed, deleted with its version,
and the same file in the facilitator's download, the ZIP and every later download."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import session_scope
from projects import services as project_services
from reports import pdf_store, verification
from reports import render as rendering
from reports.models import ReportVersionPdf
from tests.conftest import Demo, seed_ws1
from tests.e2e.test_verification_pages import new_link, publish
from workshops.domain import WorkshopError


class Layouts:
    """A stand-in for WeasyPrint that counts the pages it lays out."""

    def __init__(self) -> None:
        self.pages: list[str] = []

    def __call__(self, html: str) -> bytes:
        self.pages.append(html)
        return f"%PDF-1.7 layout {len(self.pages)}".encode()


def kept(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ReportVersionPdf)) or 0


@pytest.fixture
def published(session: Session, demo: Demo) -> int:
    return verification.publish_version(session, workshop_id=demo.workshop_id, note="v1")


def test_a_page_is_laid_out_once_and_then_read_back(session, demo: Demo, published):
    layouts = Layouts()
    laid_out = pdf_store.stored_layout(
        session, workshop_id=demo.workshop_id, number=published, layout=layouts
    )

    first, again = laid_out("<p>Version 1</p>"), laid_out("<p>Version 1</p>")
    other = laid_out("<p>Version 1, BUP:s exemplar</p>")
    assert not session.in_transaction()  # nothing is left holding SQLite's write lock

    assert first == again == b"%PDF-1.7 layout 1"
    assert other == b"%PDF-1.7 layout 2"
    assert len(layouts.pages) == 2
    assert kept(session) == 2


def test_a_changed_stylesheet_lays_the_page_out_again(
    session, demo: Demo, published, monkeypatch, tmp_path: Path
):
    layouts = Layouts()
    laid_out = pdf_store.stored_layout(
        session, workshop_id=demo.workshop_id, number=published, layout=layouts
    )
    laid_out("<p>Version 1</p>")
    changed = tmp_path / "report.css"
    changed.write_bytes(rendering.REPORT_CSS.read_bytes() + b"\nh1 { color: navy }\n")
    monkeypatch.setattr(rendering, "REPORT_CSS", changed)

    assert laid_out("<p>Version 1</p>") == b"%PDF-1.7 layout 2"
    assert len(layouts.pages) == 2


def a_published_version(db_app: Flask) -> int:
    """A workshop with version 1 published, on the database of ``db_app``; its id."""
    with session_scope(db_app) as s:
        wid, *_ = seed_ws1(s, owner=None)
        verification.publish_version(s, workshop_id=wid, note="v1")
    return wid


def test_a_copy_kept_by_another_request_first_stands(db_app: Flask):
    """Two processes lay out the same page at once: the second one's insert meets the first's
    row, and it returns its own PDF without an error (SQLite, and PostgreSQL when set)."""
    wid = a_published_version(db_app)

    def raced(html: str) -> bytes:
        with session_scope(db_app) as other:
            ahead = pdf_store.stored_layout(other, workshop_id=wid, number=1, layout=lambda _: b"1")
            assert ahead(html) == b"1"
        return b"2"

    with session_scope(db_app) as session:
        laid_out = pdf_store.stored_layout(session, workshop_id=wid, number=1, layout=raced)
        assert laid_out("<p>Version 1</p>") == b"2"
        assert session.scalars(select(ReportVersionPdf.pdf)).all() == [b"1"]
        assert laid_out("<p>Version 1</p>") == b"1"  # from now on, the one kept


def test_only_the_newest_copies_of_a_version_are_kept(db_app: Flask, monkeypatch):
    monkeypatch.setattr(pdf_store, "KEEP", 2)
    wid, layouts = a_published_version(db_app), Layouts()
    with session_scope(db_app) as session:
        laid_out = pdf_store.stored_layout(session, workshop_id=wid, number=1, layout=layouts)
        for page in ("<p>sv</p>", "<p>en</p>", "<p>BUP</p>"):
            laid_out(page)

        assert kept(session) == 2
        laid_out("<p>BUP</p>")
        laid_out("<p>sv</p>")  # the oldest was dropped: laid out anew
        assert len(layouts.pages) == 4


def test_an_unknown_version_is_refused(session, demo: Demo):
    laid_out = pdf_store.stored_layout(
        session, workshop_id=demo.workshop_id, number=3, layout=Layouts()
    )
    with pytest.raises(WorkshopError) as refused:
        laid_out("<p>Version 3</p>")
    assert refused.value.key == "verification.error.version_not_found"


# --- Through the pages -----------------------------------------------------------------------


@pytest.mark.lead  # the project's ZIP is open to a project lead
def test_every_download_of_a_version_is_the_same_file_laid_out_once(
    app: Flask, logged_in, demo: Demo, monkeypatch
):
    layouts = Layouts()
    monkeypatch.setattr(rendering, "_layout", layouts)
    publish(logged_in, demo, "Första utskicket")
    token = new_link(logged_in, demo)
    with session_scope(app) as s:
        pid = project_services.create_project(s, name="Ingen ska falla mellan stolarna")
        project_services.assign_workshop(s, project_id=pid, workshop_id=demo.workshop_id)
    version = f"/f/w/{demo.workshop_id}/verification/versions/1.pdf"

    facilitators = logged_in.get(version).data
    bundled = zipfile.ZipFile(io.BytesIO(logged_in.get(f"/f/projects/{pid}/bundle.zip").data))
    [report] = [name for name in bundled.namelist() if name.endswith("/report.pdf")]
    verifiers = logged_in.get(f"/v/{token}/report.pdf").data

    assert bundled.read(report) == facilitators == logged_in.get(version).data
    # the verifier's copy says whose it is: a page of its own, kept as well
    assert verifiers != facilitators
    assert logged_in.get(f"/v/{token}/report.pdf").data == verifiers
    english = logged_in.get(version + "?language=en").data
    assert english not in (facilitators, verifiers)
    # the version (sv, en), the verifier's copy, and the ZIP's overview (never kept)
    assert len(layouts.pages) == 4
    with session_scope(app) as s:
        assert kept(s) == 3
