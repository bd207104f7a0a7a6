"""The facilitator's report page and its PDF, in Swedish or English."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from db import end_reading, get_session
from reports.document import build_report
from reports.render import pdf_from_html, render_report_html
from web import attachment, document_language, login_required
from workshops import services
from workshops.domain import slug

bp = Blueprint("reports", __name__, url_prefix="/f/w/<int:wid>/report")
DRAFT_WORD = {"sv": "utkast", "en": "draft"}


def draft_filename(title: str, generated: str, lang: str) -> str:
    """The draft PDF's file name: it says it is a draft (a published version says "-vN-").

    >>> draft_filename("WS1 – Barn och unga", "2026-05-04", "sv")
    'ws1-barn-och-unga-utkast-2026-05-04-sv.pdf'
    >>> draft_filename("WS1 – Barn och unga", "2026-05-04", "en")
    'ws1-barn-och-unga-draft-2026-05-04-en.pdf'
    """
    return f"{slug(title, 'workshop')}-{DRAFT_WORD.get(lang, 'utkast')}-{generated}-{lang}.pdf"


@bp.get("/")
@login_required
def page(wid: int) -> Any:
    """The current report as the organisations would read it, print-ready."""
    session = get_session()
    workshop = services.get_workshop(session, wid)
    report_lang = document_language()
    toolbar = render_template("reports/_toolbar.html", workshop=workshop, report_lang=report_lang)
    document = build_report(session, wid)
    end_reading(session)  # the page draws the journey diagram
    return render_report_html(document, lang=report_lang, mode="draft", extra={"toolbar": toolbar})


@bp.get("/report.pdf")
@login_required
def pdf(wid: int) -> Any:
    session = get_session()
    workshop = services.get_workshop(session, wid)
    report_lang = document_language()
    document = build_report(session, wid)
    end_reading(session)
    data = pdf_from_html(render_report_html(document, lang=report_lang, mode="draft", pdf=True))
    name = draft_filename(workshop.title, document["generated"], report_lang)
    return attachment(data, "application/pdf", name)
