"""Use cases: snapshots of a workshop's map (nuläge, målbild) and comparing two maps."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from journey_maps.analysis import gap_report
from journey_maps.board import journey_document
from journey_maps.compare import Comparison, compare_reports
from journey_maps.format import JourneyFormatError, parse_journey
from journey_maps.model import Journey
from journey_maps.report import Figures
from journey_maps.rows import JourneySnapshot
from workshops import services as workshop_services
from workshops.domain import WorkshopError
from workshops.models import Facilitator, Workshop

KINDS: tuple[str, ...] = ("as_is", "to_be", "other")
# what the document's ``snapshot`` key says when the facilitator gave no label
KIND_NAMES = {"as_is": "nuläge", "to_be": "målbild", "other": "version"}
LABEL_LIMIT = 120
LIVE = "live"


@dataclass(frozen=True)
class SnapshotInfo:
    """A saved version of the map, as the list shows it."""

    id: int
    workshop_id: int
    kind: str
    label: str
    created_at: dt.datetime
    saved_by: str | None
    stages: int
    placements: int
    handoffs: int


@dataclass(frozen=True)
class Snapshot:
    """A saved version and its frozen ``brygga.journey/1`` document."""

    info: SnapshotInfo
    document: dict[str, Any]


@dataclass(frozen=True)
class Source:
    """One map that can be compared: this workshop's live map, one of its snapshots, or the
    live map of another WS2 workshop. ``ref`` is what the compare form sends."""

    ref: str
    kind: str  # "live", "snapshot" or "workshop"
    label: str
    workshop_id: int
    snapshot_kind: str | None = None
    target_group: str | None = None
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class MapComparison:
    """Two maps, their journeys and the finding-by-finding comparison of their reports."""

    before: Source
    after: Source
    before_journey: Journey
    after_journey: Journey
    comparison: Comparison
    stages_matched_by_label: bool


# --- Snapshots -------------------------------------------------------------------------------


def _workshop(session: Session, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise WorkshopError("error.workshop_not_found")
    return workshop


def live_document(session: Session, workshop_id: int) -> dict[str, Any]:
    """The workshop's live map as a validated ``brygga.journey/1`` document."""
    document = journey_document(session, workshop_id)
    _journey(document)
    return document


def _journey(document: dict[str, Any]) -> Journey:
    try:
        return parse_journey(document)
    except JourneyFormatError as exc:
        # a stored map that no longer validates is a bug, but the page must still answer
        raise WorkshopError("error.files_map_invalid", problems="; ".join(exc.messages)) from exc


def save_snapshot(
    session: Session,
    *,
    workshop_id: int,
    kind: str,
    label: str,
    facilitator_id: int | None,
) -> int:
    """Freeze the live map as a snapshot: later placements leave the saved document alone."""
    _workshop(session, workshop_id)
    if kind not in KINDS:
        raise WorkshopError("error.snapshot_bad_kind")
    label = " ".join((label or "").split())
    if len(label) > LABEL_LIMIT:
        raise WorkshopError("error.snapshot_label_too_long", limit=LABEL_LIMIT)
    document = live_document(session, workshop_id)
    document["snapshot"] = label or KIND_NAMES[kind]
    row = JourneySnapshot(
        workshop_id=workshop_id,
        kind=kind,
        label=label,
        document=json.dumps(document, ensure_ascii=False),
        facilitator_id=facilitator_id,
    )
    session.add(row)
    session.commit()
    return row.id


def _info(row: JourneySnapshot, document: dict[str, Any], saved_by: str | None) -> SnapshotInfo:
    return SnapshotInfo(
        id=row.id,
        workshop_id=row.workshop_id,
        kind=row.kind,
        label=row.label,
        created_at=row.created_at,
        saved_by=saved_by,
        stages=len(document.get("stages", [])),
        placements=len(document.get("placements", [])),
        handoffs=len(document.get("handoffs", [])),
    )


def list_snapshots(session: Session, workshop_id: int) -> list[SnapshotInfo]:
    """The workshop's snapshots, newest first."""
    _workshop(session, workshop_id)
    rows = session.execute(
        select(JourneySnapshot, Facilitator.name)
        .outerjoin(Facilitator, Facilitator.id == JourneySnapshot.facilitator_id)
        .where(JourneySnapshot.workshop_id == workshop_id)
        .order_by(JourneySnapshot.created_at.desc(), JourneySnapshot.id.desc())
    ).all()
    return [_info(row, json.loads(row.document), name) for row, name in rows]


def get_snapshot(session: Session, *, workshop_id: int, snapshot_id: int) -> Snapshot:
    """One snapshot of this workshop with its frozen document."""
    row = session.get(JourneySnapshot, snapshot_id)
    if row is None or row.workshop_id != workshop_id:
        raise WorkshopError("error.snapshot_not_found")
    saved_by = session.get(Facilitator, row.facilitator_id) if row.facilitator_id else None
    document: dict[str, Any] = json.loads(row.document)
    return Snapshot(_info(row, document, saved_by.name if saved_by else None), document)


def delete_snapshot(session: Session, *, workshop_id: int, snapshot_id: int) -> None:
    """Delete one snapshot of this workshop (the live map is untouched)."""
    deleted = session.execute(
        delete(JourneySnapshot).where(
            JourneySnapshot.id == snapshot_id, JourneySnapshot.workshop_id == workshop_id
        )
    )
    if not getattr(deleted, "rowcount", 0):
        session.rollback()
        raise WorkshopError("error.snapshot_not_found")
    session.commit()


# --- Comparing -------------------------------------------------------------------------------


def compare_sources(
    session: Session, workshop_id: int, *, manager_id: int | None = None
) -> list[Source]:
    """What the compare form offers: the live map, every snapshot (newest first), then the
    live maps of the other WS2 workshops ``manager_id`` may manage (all when None; the other
    target group first: children vs adults)."""
    workshop = _workshop(session, workshop_id)
    sources = [_live_source(workshop)]
    sources += [
        Source(
            ref=f"snapshot:{s.id}",
            kind="snapshot",
            label=s.label,
            workshop_id=workshop_id,
            snapshot_kind=s.kind,
            created_at=s.created_at,
        )
        for s in list_snapshots(session, workshop_id)
    ]
    query = (
        select(Workshop)
        .where(Workshop.kind == "ws2", Workshop.id != workshop_id)
        .order_by(Workshop.created_at.desc(), Workshop.id.desc())
    )
    if manager_id is not None and not workshop_services.is_lead(session, manager_id):
        query = query.where(Workshop.owner_id == manager_id)
    others = session.scalars(query)
    ranked = sorted(others, key=lambda w: w.target_group == workshop.target_group)
    sources += [
        Source(
            ref=f"workshop:{w.id}",
            kind="workshop",
            label=w.title,
            workshop_id=w.id,
            target_group=w.target_group,
            created_at=w.created_at,
        )
        for w in ranked
    ]
    return sources


def _live_source(workshop: Workshop) -> Source:
    return Source(
        ref=LIVE,
        kind="live",
        label=workshop.title,
        workshop_id=workshop.id,
        target_group=workshop.target_group,
    )


def load_source(
    session: Session, *, workshop_id: int, ref: str, manager_id: int | None = None
) -> tuple[Source, dict[str, Any]]:
    """The map ``ref`` names ("live", "snapshot:<id>", "workshop:<id>") and its document; another
    workshop's map only when ``manager_id`` (if given) may manage that workshop."""
    found = re.fullmatch(r"(live)|(snapshot|workshop):(\d{1,12})", ref or "")
    if found is None:
        raise WorkshopError("error.compare_unknown_map")
    kind, number = found.group(2), int(found.group(3) or 0)
    if found.group(1) or (kind == "workshop" and number == workshop_id):
        return _live_source(_workshop(session, workshop_id)), live_document(session, workshop_id)
    if kind == "snapshot":
        try:
            snapshot = get_snapshot(session, workshop_id=workshop_id, snapshot_id=number)
        except WorkshopError as exc:
            raise WorkshopError("error.compare_unknown_map") from exc
        info = snapshot.info
        source = Source(
            ref=ref,
            kind="snapshot",
            label=info.label,
            workshop_id=workshop_id,
            snapshot_kind=info.kind,
            created_at=info.created_at,
        )
        return source, snapshot.document
    other = session.get(Workshop, number)
    if other is None or other.kind != "ws2":
        raise WorkshopError("error.compare_unknown_map")
    if manager_id is not None and not workshop_services.may_manage(
        session, facilitator_id=manager_id, workshop_id=other.id
    ):
        raise WorkshopError("error.compare_unknown_map")
    source = Source(
        ref=f"workshop:{other.id}",
        kind="workshop",
        label=other.title,
        workshop_id=other.id,
        target_group=other.target_group,
        created_at=other.created_at,
    )
    return source, live_document(session, other.id)


def compare_maps(
    session: Session,
    *,
    workshop_id: int,
    before: str,
    after: str,
    manager_id: int | None = None,
) -> MapComparison:
    """Compare two maps finding by finding: closed, opened and persisting findings and both
    sets of figures. Maps of two different workshops have different stage ids, so their
    stages are matched by label first."""
    before_source, before_doc = load_source(
        session, workshop_id=workshop_id, ref=before, manager_id=manager_id
    )
    after_source, after_doc = load_source(
        session, workshop_id=workshop_id, ref=after, manager_id=manager_id
    )
    if before_source.ref == after_source.ref:
        raise WorkshopError("error.compare_same_map")
    across = before_source.workshop_id != after_source.workshop_id
    after_doc = align_stages(before_doc, after_doc, trust_ids=not across)
    before_journey, after_journey = _journey(before_doc), _journey(after_doc)
    comparison = compare_reports(gap_report(before_journey), gap_report(after_journey))
    return MapComparison(
        before=before_source,
        after=after_source,
        before_journey=before_journey,
        after_journey=after_journey,
        comparison=comparison,
        stages_matched_by_label=across,
    )


def _label_key(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def align_stages(
    reference: dict[str, Any], document: dict[str, Any], *, trust_ids: bool = True
) -> dict[str, Any]:
    """``document`` with its stage ids renamed to those of ``reference`` where the stages are
    the same, so that finding fingerprints (which name stage ids) can be matched.

    With ``trust_ids`` (two versions of one workshop's map) a stage keeps its id when the
    reference has it, whatever its label now says; the rest are matched by Swedish label,
    then English label. Stages left unmatched get ids the reference does not use.

    Examples
    --------
    >>> adults = {"stages": [{"id": "s9", "label": "Första kontakt"}, {"id": "s8", "label": "Oro"}],
    ...           "transitions": [{"from": "s8", "to": "s9"}], "placements": [],
    ...           "handoffs": [], "owners": []}
    >>> children = {"stages": [{"id": "s1", "label": "oro"}, {"id": "s2", "label": "Nytt"}]}
    >>> aligned = align_stages(children, adults, trust_ids=False)
    >>> [s["id"] for s in aligned["stages"]], aligned["transitions"]
    (['s9', 's1'], [{'from': 's1', 'to': 's9'}])
    """
    ref_stages = reference.get("stages", [])
    ref_ids = {s["id"] for s in ref_stages}
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    stages = document.get("stages", [])
    if trust_ids:
        for stage in stages:
            if stage["id"] in ref_ids:
                renamed[stage["id"]] = stage["id"]
                taken.add(stage["id"])
    for field in ("label", "label_en"):
        free = [s for s in ref_stages if s["id"] not in taken and _label_key(s.get(field))]
        for stage in stages:
            if stage["id"] in renamed or not _label_key(stage.get(field)):
                continue
            match = next(
                (s for s in free if _label_key(s.get(field)) == _label_key(stage.get(field))),
                None,
            )
            if match is not None:
                renamed[stage["id"]] = match["id"]
                taken.add(match["id"])
                free.remove(match)
    used = ref_ids | set(renamed.values())
    for stage in stages:
        if stage["id"] not in renamed:
            new_id = stage["id"]
            while new_id in used:
                new_id += "-b"
            renamed[stage["id"]] = new_id
            used.add(new_id)
    return _renamed(document, renamed)


_STAGE_FIELDS = {
    "stages": ("id",),
    "transitions": ("from", "to"),
    "placements": ("stage",),
    "handoffs": ("from_stage", "to_stage"),
    "owners": ("from", "to"),
}


def _renamed(document: dict[str, Any], renamed: dict[str, str]) -> dict[str, Any]:
    result = dict(document)
    for key, fields in _STAGE_FIELDS.items():
        if key in document:
            result[key] = [
                {k: renamed.get(v, v) if k in fields else v for k, v in entry.items()}
                for entry in document[key]
            ]
    return result


# --- Figures side by side --------------------------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    """One journey-level figure before and after, and whether it got better."""

    key: str
    before: str
    after: str
    change: str  # "better", "worse" or "same"


def _share(part: int, whole: int, share: float | None) -> str:
    if share is None:
        return "–"
    return f"{part}/{whole} ({round(share * 100)} %)"


def figure_rows(before: Figures, after: Figures) -> list[FigureRow]:
    """The journey-level figures of two reports side by side, formatted for a table.

    Examples
    --------
    >>> from journey_maps.format import example_journey, without_role
    >>> a, b = gap_report(example_journey()), gap_report(without_role(example_journey(), "4"))
    >>> row = figure_rows(a.figures, b.figures)[0]
    >>> row.key, row.before, row.after, row.change
    ('bridged', '2/2 (100 %)', '1/2 (50 %)', 'worse')
    """
    rows: list[FigureRow] = []

    def add(
        key: str, old: Any, new: Any, shown_old: str, shown_new: str, more_is_better: bool
    ) -> None:
        if old is None or new is None or old == new:
            change = "same"
        else:
            change = "better" if (new > old) == more_is_better else "worse"
        rows.append(FigureRow(key, shown_old, shown_new, change))

    for key, whole in (
        ("bridged", "forward_transitions"),
        ("robust", "forward_transitions"),
        ("owned", "forward_transitions"),
        ("boundary_acknowledged", "boundary_transitions"),
    ):
        share = "share_" + key
        add(
            key,
            getattr(before, share),
            getattr(after, share),
            _share(getattr(before, key), getattr(before, whole), getattr(before, share)),
            _share(getattr(after, key), getattr(after, whole), getattr(after, share)),
            True,
        )
    add(
        "redundancy",
        before.redundancy,
        after.redundancy,
        "–" if before.redundancy is None else str(before.redundancy),
        "–" if after.redundancy is None else str(after.redundancy),
        True,
    )
    new_counts = dict(after.findings_by_severity)
    for severity, count in before.findings_by_severity:
        new = new_counts.get(severity, 0)
        add(f"severity.{severity}", count, new, str(count), str(new), False)
    return rows
