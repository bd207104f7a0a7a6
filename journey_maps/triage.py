"""Use cases for the facilitator's verdicts on findings: confirm, dismiss (why) or fixed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from journey_maps.rows import FindingTriage
from workshops.domain import WorkshopError
from workshops.models import Workshop, utcnow

STATUSES: tuple[str, ...] = ("confirmed", "dismissed", "fixed")
REASON_LIMIT = 1000


def set_triage(
    session: Session,
    *,
    workshop_id: int,
    fingerprint: str,
    status: str | None,
    reason: str | None = None,
    facilitator_id: int | None = None,
) -> None:
    """Record a verdict on the finding with ``fingerprint``; ``status`` None clears it.

    Dismissing needs a reason: a dismissed gap in a report sent to a region must say why.
    """
    if session.get(Workshop, workshop_id) is None:
        raise WorkshopError("error.workshop_not_found")
    fingerprint = (fingerprint or "").strip()
    if not fingerprint or len(fingerprint) > 200:
        raise WorkshopError("error.finding_not_found")
    if status is not None and status not in STATUSES:
        raise WorkshopError("error.bad_triage_status")
    reason = (reason or "").strip() or None
    if reason and len(reason) > REASON_LIMIT:
        raise WorkshopError("error.note_too_long", limit=REASON_LIMIT)
    if status == "dismissed" and not reason:
        raise WorkshopError("error.dismiss_needs_reason")
    row = session.scalar(
        select(FindingTriage).where(
            FindingTriage.workshop_id == workshop_id, FindingTriage.fingerprint == fingerprint
        )
    )
    if status is None:
        if row is not None:
            session.delete(row)
        session.commit()
        return
    if row is None:
        row = FindingTriage(workshop_id=workshop_id, fingerprint=fingerprint)
        session.add(row)
    row.status, row.reason = status, reason
    row.facilitator_id, row.updated_at = facilitator_id, utcnow()
    session.commit()


def triage_map(session: Session, workshop_id: int) -> dict[str, dict[str, Any]]:
    """Fingerprint → ``{"status", "reason"}`` for every verdict in the workshop."""
    return {
        row.fingerprint: {"status": row.status, "reason": row.reason}
        for row in session.scalars(
            select(FindingTriage).where(FindingTriage.workshop_id == workshop_id)
        )
    }


def with_triage(
    findings: list[dict[str, Any]], verdicts: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each finding with its verdict (or None) under ``"triage"``.

    >>> with_triage([{"fingerprint": "s1>s2:unbridged"}], {"s1>s2:unbridged": {"status": "fixed"}})
    [{'fingerprint': 's1>s2:unbridged', 'triage': {'status': 'fixed'}}]
    """
    return [f | {"triage": verdicts.get(f["fingerprint"])} for f in findings]
