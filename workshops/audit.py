"""The audit log of facilitator actions: what goes into a line, writing it, reading it back.

A line names the facilitator, the workshop (id and title, so it outlives the workshop), the
action and a short detail of ids and settings. Nothing about a participant goes in: no name,
no answer, no comment, no free text of any kind. The helpers that decide what a detail may
hold are pure; ``record`` adds a line to the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, true
from sqlalchemy.orm import Session

from workshops.models import AuditEvent, Workshop

ACTION_MAX = 60
# Form fields whose values are ids, enums or numbers: safe to keep. Everything else a form may
# carry (texts, notes, labels, names, reasons) is left out by default.
SAFE_FORM_FIELDS = frozenset(
    {
        "acknowledged",
        "days",
        "decision",
        "direction",
        "facilitator_id",  # whose password a lead set (accounts.reset_password)
        "hidden",
        "kind",
        "merge_id",
        "mode",
        "open",
        "organisation_id",
        "outcome",
        "principal",
        "role_id",
        "source_id",
        "stage_id",
        "statement_id",
        "status",
        "target_group",
        "target_id",
        "tier",
        "version",
        "workshop_id",
    }
)
# The workshop settings a line records as "from → to" when an action changed them.
WORKSHOP_SETTINGS = (
    "title",
    "date",
    "target_group",
    "everyone_may_answer",
    "anonymity_threshold",
    "survey_open",
    "journey_open",
)
_SAFE_VALUE = re.compile(r"[A-Za-z0-9_.:-]{1,60}")
_WORKSHOP_PATH = re.compile(r"/f/w/(\d+)(?:/|$)")
MAX_LIST = 20
PER_PAGE = 50


# --- Pure helpers ----------------------------------------------------------------------------


def action_name(endpoint: str, *, download: bool = False) -> str:
    """The action a request stands for: its endpoint, marked when it was a download.

    >>> action_name("facilitator.delete_workshop")
    'facilitator.delete_workshop'
    >>> action_name("reports.pdf", download=True)
    'download:reports.pdf'
    """
    name = f"download:{endpoint}" if download else endpoint
    return name[:ACTION_MAX]


def safe_value(value: object) -> object | None:
    """A value fit for the log: an int, a bool or a short token; else None (left out).

    >>> safe_value(12), safe_value(True), safe_value("reveal"), safe_value("12")
    (12, True, 'reveal', 12)
    >>> safe_value("Anna Andersson") is None, safe_value("x" * 61) is None
    (True, True)
    """
    if isinstance(value, bool | int):
        return value
    if isinstance(value, str) and _SAFE_VALUE.fullmatch(value):
        return int(value) if value.isdigit() and len(value) < 12 else value
    return None


def safe_values(
    values: Mapping[str, object] | Iterable[tuple[str, object]],
    allowed: Iterable[str] | None = None,
) -> dict[str, object]:
    """The entries of ``values`` (a mapping or pairs; repeated keys become lists) that are safe;
    with ``allowed``, only those keys.

    >>> safe_values({"wid": 3, "action": "open"})
    {'wid': 3, 'action': 'open'}
    >>> safe_values([("statement_id", "4"), ("statement_id", "5"), ("text", "Hej")],
    ...             allowed=SAFE_FORM_FIELDS)
    {'statement_id': [4, 5]}
    """
    pairs = values.items() if isinstance(values, Mapping) else values
    keep = None if allowed is None else set(allowed)
    out: dict[str, Any] = {}
    for key, raw in pairs:
        if keep is not None and key not in keep:
            continue
        value = safe_value(raw)
        if value is None:
            continue
        if key in out:
            seen = out[key] if isinstance(out[key], list) else [out[key]]
            out[key] = [*seen, value][:MAX_LIST]
        else:
            out[key] = value
    return out


def setting_changes(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list]:
    """The workshop settings an action changed, as ``{name: [before, after]}``.

    >>> setting_changes({"anonymity_threshold": 3, "title": "A"},
    ...                 {"anonymity_threshold": 5, "title": "A"})
    {'anonymity_threshold': [3, 5]}
    """
    return {
        name: [_plain(before.get(name)), _plain(after.get(name))]
        for name in WORKSHOP_SETTINGS
        if name in before and name in after and before[name] != after[name]
    }


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def workshop_in_location(location: str | None) -> int | None:
    """The workshop a redirect leads to (a created or imported workshop's new id).

    >>> workshop_in_location("/f/w/12"), workshop_in_location("http://h/f/w/7/console")
    (12, 7)
    >>> workshop_in_location("/f/") is None
    True
    """
    found = _WORKSHOP_PATH.search(location or "")
    return int(found.group(1)) if found else None


def detail_text(detail: Mapping[str, object] | None) -> str | None:
    """The detail as compact JSON text (None when empty).

    >>> detail_text({"wid": 3}), detail_text({})
    ('{"wid":3}', None)
    """
    if not detail:
        return None
    return json.dumps(detail, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# --- Writing and reading ---------------------------------------------------------------------


def record(
    session: Session,
    *,
    action: str,
    actor: str,
    facilitator_id: int | None = None,
    workshop_id: int | None = None,
    workshop_title: str | None = None,
    detail: Mapping[str, object] | None = None,
) -> AuditEvent:
    """Add one line to the session's transaction (the caller commits it with its action)."""
    row = AuditEvent(
        action=action[:ACTION_MAX],
        actor=actor[:120],
        facilitator_id=facilitator_id,
        workshop_id=workshop_id,
        workshop_title=(workshop_title or None) and workshop_title[:200],
        detail=detail_text(detail),
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class Line:
    id: int
    at: dt.datetime
    actor: str
    facilitator_id: int | None
    workshop_id: int | None
    workshop_title: str | None
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class LogPage:
    lines: list[Line]
    page: int
    pages: int
    total: int


def _line(row: AuditEvent) -> Line:
    try:
        detail = json.loads(row.detail) if row.detail else {}
    except ValueError:
        detail = {}
    return Line(
        row.id,
        row.at,
        row.actor,
        row.facilitator_id,
        row.workshop_id,
        row.workshop_title,
        row.action,
        detail if isinstance(detail, dict) else {},
    )


def _visible(reader_id: int | None) -> Any:
    """The lines a reader may see: a project lead (``None``) all of them, a facilitator their
    own actions and those on the workshops they own now."""
    if reader_id is None:
        return true()
    owned = select(Workshop.id).where(Workshop.owner_id == reader_id)
    return or_(AuditEvent.facilitator_id == reader_id, AuditEvent.workshop_id.in_(owned))


def read_log(
    session: Session,
    *,
    reader_id: int | None = None,
    workshop_id: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> LogPage:
    """One page of the log, newest first, optionally for one workshop only; ``reader_id``
    narrows it to what a facilitator who is not a project lead may see."""
    query = select(AuditEvent).where(_visible(reader_id))
    count = select(func.count()).select_from(AuditEvent).where(_visible(reader_id))
    if workshop_id is not None:
        query = query.where(AuditEvent.workshop_id == workshop_id)
        count = count.where(AuditEvent.workshop_id == workshop_id)
    total = session.scalar(count) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return LogPage([_line(r) for r in rows], page, pages, total)


def logged_workshops(session: Session, *, reader_id: int | None = None) -> list[tuple[int, str]]:
    """Every workshop the reader's log mentions, with its latest known title, newest first."""
    rows = session.execute(
        select(AuditEvent.workshop_id, AuditEvent.workshop_title, func.max(AuditEvent.id))
        .where(AuditEvent.workshop_id.is_not(None), _visible(reader_id))
        .group_by(AuditEvent.workshop_id, AuditEvent.workshop_title)
        .order_by(func.max(AuditEvent.id).desc())
    ).all()
    seen: dict[int, str] = {}
    for wid, title, _latest in rows:
        if wid is not None and wid not in seen:
            seen[wid] = title or f"#{wid}"
    return list(seen.items())


def prune(session: Session, *, before: dt.datetime) -> int:
    """Delete the lines written before ``before``; how many went (the caller commits)."""
    result = session.execute(delete(AuditEvent).where(AuditEvent.at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def count_before(session: Session, *, before: dt.datetime) -> int:
    return (
        session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.at < before))
        or 0
    )
