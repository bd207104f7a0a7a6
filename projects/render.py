"""A project's overview as a document of its own: ``overview.html`` and ``overview.pdf`` at the
root of the project's ZIP, in the ZIP's language (not the visitor's).

The overview page compares the project's target groups for the people in the room; the
document carries the same comparison (``templates/projects/_comparison.html`` serves both) to
those who get the ZIP, with each workshop's folder named. In the ZIP it is made from the
reports in the folders (a published version's figures are those of the day it was published),
so that it agrees with them; alone, from the answers and maps as they are on the day. It says
which.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import render_template
from sqlalchemy.orm import Session

import i18n
from db import end_reading
from journey_maps.messages import honesty
from projects.overview import share_text
from projects.services import ProjectOverview, project_overview
from reports.render import REPORT_CSS, STATIC, pdf_from_html

# the badges as the project pages have them, then the document's own rules
OVERVIEW_CSS = (STATIC / "css" / "badges.css", STATIC / "css" / "overview_document.css")


def render_overview_html(
    project: ProjectOverview,
    *,
    lang: str,
    today: dt.date,
    folders: Mapping[int, str],
    versions: Mapping[int, int | None] | None = None,
    pdf: bool = False,
) -> str:
    """The overview document as one HTML page: for the PDF (``pdf``: report.css comes as
    WeasyPrint's stylesheet, with the running footer) or standalone (every style inside).
    ``folders`` names each workshop's folder in the ZIP, ``versions`` the report version in
    it (None: the draft)."""
    language = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    return render_template(
        "projects/overview_document.html",
        project=project,
        t=functools.partial(i18n.translate, language),
        doc_lang=language,
        today=today.isoformat(),
        folders=folders,
        versions=versions or {},
        share=share_text,
        honesty=honesty(language),
        pdf=pdf,
        report_css=None if pdf else _text(REPORT_CSS),
        overview_css="\n".join(_text(path) for path in OVERVIEW_CSS),
    )


def overview_files(
    session: Session,
    project_id: int,
    *,
    lang: str,
    today: dt.date,
    folders: Mapping[int, str],
    versions: Mapping[int, int | None],
    reports: Mapping[int, dict[str, Any]],
) -> list[tuple[str, bytes]]:
    """The project's overview as a PDF (A4) and a standalone HTML page; ``folders`` maps each
    workshop's id to its folder in the ZIP, ``versions`` to the report version there (None:
    the draft) and ``reports`` to that report's document, which the figures come from. Call
    inside an app context (the template)."""
    overview = project_overview(session, project_id, reports=reports)
    end_reading(session)
    page = functools.partial(
        render_overview_html,
        overview,
        lang=lang,
        today=today,
        folders=folders,
        versions=versions,
    )
    return [
        ("overview.pdf", pdf_from_html(page(pdf=True))),
        ("overview.html", page().encode("utf-8")),
    ]


def overview_pdf(session: Session, project_id: int, *, lang: str, today: dt.date) -> bytes:
    """The overview alone as a PDF, outside any ZIP (so no folders): for a meeting's table."""
    project = project_overview(session, project_id)
    end_reading(session)
    page = render_overview_html(project, lang=lang, today=today, folders={}, pdf=True)
    return pdf_from_html(page)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")
