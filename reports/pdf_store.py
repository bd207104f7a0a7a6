"""Use case: a published version's PDF, laid out once and then read back.

A published version never changes, so neither does its PDF, yet laying one out takes a second
or more of CPU: the facilitator's copy, each organisation's copy and a project's ZIP (one report
per workshop) would each pay it again. The PDF is kept beside the version under the hash of what
its layout reads (``reports.render.layout_key``), so another language, another organisation's
copy or a changed template is simply another key, and the same page downloads as the same file.
The copies hold nothing their version does not and are deleted with it, and so with the
workshop.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import end_reading
from reports.models import ReportVersion, ReportVersionPdf
from reports.render import Layout, layout_key, pdf_from_html
from workshops.domain import WorkshopError

KEEP = 40  # copies kept per version: the languages × the organisations, and a template change


def stored_layout(
    session: Session, *, workshop_id: int, number: int, layout: Layout = pdf_from_html
) -> Layout:
    """A layout (HTML to PDF) for pages of published version ``number``: a page laid out before
    is read back; a new one is laid out by ``layout`` and kept.

    The reading transaction ends before the layout (``db.end_reading``), and the copy is kept
    in a short transaction of its own. When another process kept the same page meanwhile, its
    copy stands and this one is only returned.
    """

    version = (ReportVersion.workshop_id == workshop_id, ReportVersion.number == number)

    def laid_out(html: str) -> bytes:
        key = layout_key(html)
        kept = session.scalar(
            select(ReportVersionPdf.pdf)
            .join(ReportVersion)
            .where(*version, ReportVersionPdf.key == key)
        )
        if kept is not None:
            end_reading(session)
            return kept
        version_id = session.scalar(select(ReportVersion.id).where(*version))
        end_reading(session)
        if version_id is None:
            raise WorkshopError("verification.error.version_not_found", number=number)
        pdf = layout(html)
        session.add(ReportVersionPdf(version_id=version_id, key=key, pdf=pdf))
        try:
            session.flush()
        except IntegrityError:  # the same page, kept by another request first
            session.rollback()
            return pdf
        _prune(session, version_id)
        session.commit()
        return pdf

    return laid_out


def _prune(session: Session, version_id: int) -> None:
    """Keep the ``KEEP`` newest copies of a version."""
    stale = (
        select(ReportVersionPdf.id)
        .where(ReportVersionPdf.version_id == version_id)
        .order_by(ReportVersionPdf.created_at.desc(), ReportVersionPdf.id.desc())
        .offset(KEEP)
    )
    session.execute(
        delete(ReportVersionPdf)
        .where(ReportVersionPdf.id.in_(stale))
        .execution_options(synchronize_session=False)
    )
