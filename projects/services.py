"""Use cases for projects: create, rename, delete, group workshops, and the project overview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from journey_maps.analysis import gap_report
from journey_maps.board import workshop_journey
from projects import overview
from projects.overview import (
    Agreement,
    GapSeen,
    GroupFigures,
    JourneyFigures,
    RecurringGap,
    WorkshopFigures,
)
from reports.journey_part import journey_and_analysis
from workshops.domain import TARGET_GROUPS, WorkshopError
from workshops.models import Organisation, Participant, Project, Workshop
from workshops.results import workshop_results
from workshops.services import get_workshop

NAME_LIMIT = 200
DESCRIPTION_LIMIT = 2000


@dataclass(frozen=True)
class WorkshopRef:
    """A workshop as a list shows it."""

    id: int
    title: str
    kind: str
    target_group: str
    date: dt.date | None


@dataclass(frozen=True)
class ProjectSummary:
    id: int
    name: str
    description: str | None
    workshops: tuple[WorkshopRef, ...]


@dataclass(frozen=True)
class ProjectOverview:
    """Everything the project lead's page shows: disclosed figures only."""

    id: int
    name: str
    description: str | None
    workshops: tuple[WorkshopFigures, ...]
    groups: tuple[GroupFigures, ...]
    agreement: tuple[Agreement, ...]
    recurring: tuple[RecurringGap, ...]

    @property
    def severities(self) -> tuple[str, ...]:
        """The severity levels the findings are counted by (they add up to the total)."""
        return overview.severity_levels(g.journey for g in self.groups)


# --- Projects ----------------------------------------------------------------------------------


def _clean_name(session: Session, name: str, *, project_id: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise WorkshopError("error.project_name_empty")
    if len(name) > NAME_LIMIT:
        raise WorkshopError("error.project_name_too_long", limit=NAME_LIMIT)
    clash = session.scalar(
        select(Project.id).where(func.lower(Project.name) == name.lower(), Project.id != project_id)
    )
    if clash is not None:
        raise WorkshopError("error.project_name_taken")
    return name


def _clean_description(description: str | None) -> str | None:
    text = (description or "").strip()
    if len(text) > DESCRIPTION_LIMIT:
        raise WorkshopError("error.project_description_too_long", limit=DESCRIPTION_LIMIT)
    return text or None


def get_project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise WorkshopError("error.project_not_found")
    return project


def create_project(session: Session, *, name: str, description: str | None = None) -> int:
    """A new, empty project; names are unique (case aside)."""
    project = Project(name=_clean_name(session, name), description=_clean_description(description))
    session.add(project)
    session.commit()
    return project.id


def rename_project(
    session: Session, *, project_id: int, name: str, description: str | None = None
) -> None:
    """Change a project's name and description."""
    project = get_project(session, project_id)
    project.name = _clean_name(session, name, project_id=project_id)
    project.description = _clean_description(description)
    session.commit()


def delete_project(session: Session, *, project_id: int) -> None:
    """Delete a project; its workshops stay, no longer grouped."""
    project = get_project(session, project_id)
    # explicit rather than relying on ON DELETE SET NULL, which SQLite honours only with the
    # foreign-key pragma on
    session.execute(
        update(Workshop).where(Workshop.project_id == project_id).values(project_id=None)
    )
    session.delete(project)
    session.commit()


def assign_workshop(session: Session, *, project_id: int, workshop_id: int) -> None:
    """Put a workshop into a project; a workshop already in another project is refused (take
    it out there first), one already in this project is left as it is."""
    get_project(session, project_id)
    workshop = get_workshop(session, workshop_id)
    if workshop.project_id not in (None, project_id):
        raise WorkshopError("error.project_workshop_taken")
    workshop.project_id = project_id
    session.commit()


def unassign_workshop(session: Session, *, project_id: int, workshop_id: int) -> None:
    """Take a workshop out of a project; the workshop itself is untouched."""
    get_project(session, project_id)
    workshop = get_workshop(session, workshop_id)
    if workshop.project_id != project_id:
        raise WorkshopError("error.project_workshop_not_in_project")
    workshop.project_id = None
    session.commit()


def _ref(w: Workshop) -> WorkshopRef:
    return WorkshopRef(w.id, w.title, w.kind, w.target_group, w.date)


def in_order(workshops: list[Workshop]) -> list[Workshop]:
    """Children's workshops, then adults'; each by date (undated last), then as created."""
    return sorted(
        workshops,
        key=lambda w: (
            TARGET_GROUPS.index(w.target_group),
            w.date is None,
            w.date or dt.date.min,
            w.id,
        ),
    )


def list_projects(session: Session) -> list[ProjectSummary]:
    """Every project with its workshops, alphabetically."""
    projects = session.scalars(select(Project).order_by(func.lower(Project.name))).all()
    return [
        ProjectSummary(p.id, p.name, p.description, tuple(_ref(w) for w in in_order(p.workshops)))
        for p in projects
    ]


def ungrouped_workshops(session: Session) -> list[WorkshopRef]:
    """The workshops in no project, newest first: what the project page offers to add."""
    rows = session.scalars(
        select(Workshop)
        .where(Workshop.project_id.is_(None))
        .order_by(Workshop.created_at.desc(), Workshop.id.desc())
    )
    return [_ref(w) for w in rows]


# --- The overview ------------------------------------------------------------------------------


def _counts(session: Session, workshop_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(Participant.workshop_id, func.count())
        .where(Participant.workshop_id.in_(workshop_ids), Participant.attended)
        .group_by(Participant.workshop_id)
    )
    return {workshop_id: n for workshop_id, n in rows}


def _journey_figures(session: Session, workshop_id: int) -> JourneyFigures:
    """The WS2 map's figures, exactly as the board and the exports compute them."""
    return JourneyFigures.of(gap_report(workshop_journey(session, workshop_id)).figures)


def _report_figures(
    document: dict[str, Any], workshop_id: int
) -> tuple[WorkshopFigures, list[GapSeen]]:
    """A workshop's figures as its report document has them, its map's analysis included."""
    part = document.get("journey")
    journey = JourneyFigures.of(journey_and_analysis(part)[1].figures) if part else None
    return overview.report_figures(document, workshop_id, journey=journey)


def _workshop(
    session: Session, workshop: Workshop, participants: int
) -> tuple[WorkshopFigures, list[GapSeen]]:
    results = workshop_results(session, workshop.id)  # withheld statements are left out here
    gaps = [
        GapSeen(
            workshop.id,
            workshop.title,
            workshop.target_group,
            r.organisation,
            r.topic,
            r.text,
            r.tally.no,
            r.tally.total,
        )
        for r in results.gaps
    ]
    own = tuple(
        (o.organisation, sum(s.tally.yes for s in o.own), sum(s.tally.total for s in o.own))
        for o in results.organisations
        if o.own
    )
    organisations = session.scalars(
        select(Organisation.name)
        .where(Organisation.workshop_id == workshop.id)
        .order_by(Organisation.name)
    ).all()
    figures = WorkshopFigures(
        id=workshop.id,
        title=workshop.title,
        kind=workshop.kind,
        target_group=workshop.target_group,
        date=workshop.date,
        participants=participants,
        organisations=tuple(organisations),
        threshold=results.threshold,
        answered=results.voted_statements,
        gaps=len(results.gaps),
        withheld=len(results.withheld),
        own_answers=own,
        journey=_journey_figures(session, workshop.id) if workshop.kind == "ws2" else None,
    )
    return figures, gaps


def project_overview(
    session: Session, project_id: int, *, reports: Mapping[int, dict[str, Any]] | None = None
) -> ProjectOverview:
    """A project's workshops, its target groups side by side and the gaps that recur.

    Only disclosed figures: a statement answered by fewer than its workshop's anonymity
    threshold counts as withheld (how many, per workshop) and enters no other figure.
    The figures are today's answers and maps, except for a workshop that ``reports`` gives a
    report document (by workshop id): its figures are that report's, a published version's
    as they were on the day it was published (the project's ZIP, whose overview then agrees
    with the reports beside it).
    """
    project = get_project(session, project_id)
    workshops = in_order(list(project.workshops))
    participants = _counts(session, [w.id for w in workshops])
    figures: list[WorkshopFigures] = []
    gaps: list[GapSeen] = []
    for workshop in workshops:
        document = (reports or {}).get(workshop.id)
        one, found = (
            _report_figures(document, workshop.id)
            if document is not None
            else _workshop(session, workshop, participants.get(workshop.id, 0))
        )
        figures.append(one)
        gaps += found
    return ProjectOverview(
        id=project.id,
        name=project.name,
        description=project.description,
        workshops=tuple(figures),
        groups=tuple(overview.group_figures(figures, group) for group in TARGET_GROUPS),
        agreement=tuple(overview.agreement_side_by_side(figures)),
        recurring=tuple(overview.recurring_gaps(gaps)),
    )
